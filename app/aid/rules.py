"""Complementarity gap rules (p2k2.md B), as plain functions over plain values: no database here."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.graduation.rules import age_on
from app.i18n import N_
from app.models import AID_GAPS, AidGap, AidTarget, FamilyStatus, Schooling

GAP_LABELS: dict[str, str] = {
    AidGap.PIP: N_("Anak usia sekolah tanpa PIP/KIP"),
    AidGap.JKN: N_("Anggota tanpa JKN (PBI-JK/KIS)"),
    AidGap.SEMBAKO: N_("Keluarga tanpa Program Sembako/BPNT"),
    AidGap.RUTILAHU: N_("Rumah tidak layak huni tanpa Rutilahu"),
    AidGap.ADMINDUK: N_("Tanpa NIK atau anak tanpa akta kelahiran (rujuk adminduk)"),
}
TARGET_LABELS: dict[str, str] = {AidTarget.KELUARGA: N_("Keluarga"), AidTarget.ANGGOTA: N_("Anggota")}
# Gaps counted per member (the rest per family).
MEMBER_GAPS = frozenset({AidGap.PIP, AidGap.JKN, AidGap.ADMINDUK})
# Closed by correcting the family's data (a referral to Dukcapil), not by a programme.
DATA_GAPS = frozenset({AidGap.ADMINDUK})


@dataclass(frozen=True)
class AidLimits:
    """Ages of the rules; school ages follow the graduation rule settings, a child is under 18 (UU 35/2014)."""

    school_min_age: int = 6
    school_max_age: int = 21
    child_max_age: int = 17


@dataclass(frozen=True)
class ProgrammeRef:
    id: int
    code: str
    name: str
    target: str
    gap: str | None
    effective_from: date
    effective_until: date | None = None


def programme_in_force(programme: ProgrammeRef, day: date) -> bool:
    return programme.effective_from <= day and (programme.effective_until is None or day <= programme.effective_until)


def gap_closers(programmes: Iterable[ProgrammeRef], *, day: date) -> dict[str, frozenset[int]]:
    """For each gap a programme can close, the ids of the programmes in force on `day` that close it. A gap no
    programme in force closes is switched off (nothing to propose); adminduk is closed by data, always on."""
    found: dict[str, set[int]] = {}
    for p in programmes:
        if p.gap in AID_GAPS and p.gap not in DATA_GAPS and programme_in_force(p, day):
            found.setdefault(p.gap, set()).add(p.id)
    return {gap: frozenset(ids) for gap, ids in found.items()}


def gaps_active(closers: Mapping[str, frozenset[int]]) -> tuple[str, ...]:
    """The gaps checked under this catalogue, in the vocabulary's order."""
    return tuple(g for g in AID_GAPS if g in DATA_GAPS or closers.get(g))


@dataclass(frozen=True)
class MemberAidFacts:
    id: int
    name: str
    birth_date: date
    schooling: str = Schooling.BELUM
    has_nik: bool = True
    has_birth_certificate: bool | None = None
    active: bool = True
    programmes: frozenset[int] = frozenset()  # programmes received now (open receipts)


@dataclass(frozen=True)
class FamilyAidFacts:
    id: int
    status: str = FamilyStatus.AKTIF
    house_livable: bool | None = None
    programmes: frozenset[int] = frozenset()
    members: tuple[MemberAidFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Gap:
    gap: str
    member_id: int | None = None
    member_name: str = ""


def school_age(birth_date: date, *, today: date, limits: AidLimits) -> bool:
    return limits.school_min_age <= age_on(birth_date, today) <= limits.school_max_age


def member_gaps(
    member: MemberAidFacts, *, closers: Mapping[str, frozenset[int]], today: date, limits: AidLimits
) -> list[str]:
    """The gaps of one active member, in the vocabulary's order."""
    if not member.active:
        return []
    found: list[str] = []
    pip = closers.get(AidGap.PIP)
    in_school_age = school_age(member.birth_date, today=today, limits=limits)
    if pip and in_school_age and member.schooling != Schooling.LULUS and not member.programmes & pip:
        found.append(AidGap.PIP)
    jkn = closers.get(AidGap.JKN)
    if jkn and not member.programmes & jkn:
        found.append(AidGap.JKN)
    child = age_on(member.birth_date, today) <= limits.child_max_age
    if not member.has_nik or (child and member.has_birth_certificate is False):
        found.append(AidGap.ADMINDUK)
    return found


def family_gaps(
    family: FamilyAidFacts, *, closers: Mapping[str, frozenset[int]], today: date, limits: AidLimits
) -> list[Gap]:
    """Every gap of an active family: its own first, then its members'. A family out of PKH has none."""
    if family.status != FamilyStatus.AKTIF:
        return []
    found = []
    sembako = closers.get(AidGap.SEMBAKO)
    if sembako and not family.programmes & sembako:
        found.append(Gap(AidGap.SEMBAKO))
    rutilahu = closers.get(AidGap.RUTILAHU)
    if rutilahu and family.house_livable is False and not family.programmes & rutilahu:
        found.append(Gap(AidGap.RUTILAHU))
    for member in family.members:
        for gap in member_gaps(member, closers=closers, today=today, limits=limits):
            found.append(Gap(gap, member.id, member.name))
    return found


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_range(*, today: date, min_age: int, max_age: int) -> tuple[date, date]:
    """Born in [first, last] ⇔ aged min_age..max_age today: the same test as `age_on` as a date range for SQL."""
    last = years_before(today, min_age)
    first = date.fromordinal(years_before(today, max_age + 1).toordinal() + 1)
    return first, last


def decision_check(*, submitted_on: date, decided_on: date, today: date) -> str | None:
    """A message when the decision date is impossible, else None."""
    if decided_on > today:
        return N_("Tanggal keputusan tidak boleh di masa depan.")
    if decided_on < submitted_on:
        return N_("Tanggal keputusan tidak boleh sebelum tanggal pengajuan.")
    return None


def holder_key(*, programme_id: int, family_id: int, member_id: int | None) -> str:
    """The one-open-receipt key of a holder and programme (AidReceipt.open_key)."""
    return f"{programme_id}:{family_id}:{member_id or 0}"


# Programme ids are bit positions of Member.aid_held / Family.aid_held (a signed 64-bit integer).
PROGRAMME_ID_MAX = 62


def programme_mask(ids: Iterable[int]) -> int:
    """The aid_held bits of these programmes."""
    mask = 0
    for programme_id in ids:
        if not 1 <= programme_id <= PROGRAMME_ID_MAX:
            raise ValueError(f"programme id {programme_id} is not a bit of aid_held")
        mask |= 1 << programme_id
    return mask


def programmes_of_mask(mask: int) -> frozenset[int]:
    return frozenset(p for p in range(1, PROGRAMME_ID_MAX + 1) if mask >> p & 1)
