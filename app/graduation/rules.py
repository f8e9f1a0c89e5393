"""Graduation readiness, warnings, PKH components, proposal statuses: pure functions (no database, no request)."""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any

import orjson

from app.i18n import N_, fmt_number, fmt_percent, fmt_rupiah, gettext
from app.models import (
    CriterionState,
    GraduationRoute,
    PkhComponent,
    PovertyLineKind,
    ReadinessCriterion,
    ReadinessVerdict,
    ReadinessWarning,
    Schooling,
)

VERDICT_LABELS: dict[str, str] = {
    ReadinessVerdict.ALAMIAH: N_("Siap graduasi alamiah"),
    ReadinessVerdict.MANDIRI: N_("Siap graduasi sejahtera mandiri"),
    ReadinessVerdict.HAMPIR: N_("Hampir siap"),
    ReadinessVerdict.BELUM: N_("Belum"),
}
# Order of the sejahtera-mandiri path; alamiah stands apart (it depends only on the members).
MANDIRI_RANK: dict[str, int] = {ReadinessVerdict.BELUM: 0, ReadinessVerdict.HAMPIR: 1, ReadinessVerdict.MANDIRI: 2}


# PKH components (komponen) of members: the alamiah criterion counts them, the family page lists them.
COMPONENT_LABELS: dict[str, str] = {
    PkhComponent.HAMIL: "Ibu hamil/nifas",
    PkhComponent.ANAK_USIA_DINI: "Anak usia dini",
    PkhComponent.SD: "Anak SD",
    PkhComponent.SMP: "Anak SMP",
    PkhComponent.SMA: "Anak SMA",
    PkhComponent.DISABILITAS_BERAT: "Disabilitas berat",
    PkhComponent.LANSIA: "Lanjut usia",
}


@dataclass(frozen=True)
class ComponentLimits:
    early_childhood_max_age: int = 6
    school_min_age: int = 6
    school_max_age: int = 21
    elderly_min_age: int = 70


@dataclass(frozen=True)
class MemberFacts:
    birth_date: date
    schooling: str  # Schooling
    pregnant: bool = False
    severe_disability: bool = False
    active: bool = True


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def member_components(member: MemberFacts, *, today: date, limits: ComponentLimits = ComponentLimits()) -> list[str]:
    """The PKH components one member makes the family eligible for, today."""
    if not member.active:
        return []
    age = age_on(member.birth_date, today)
    found: list[str] = []
    if member.pregnant:
        found.append(PkhComponent.HAMIL)
    if age <= limits.early_childhood_max_age and member.schooling in (Schooling.BELUM, Schooling.PAUD):
        found.append(PkhComponent.ANAK_USIA_DINI)
    if (
        member.schooling in (Schooling.SD, Schooling.SMP, Schooling.SMA)
        and limits.school_min_age <= age <= limits.school_max_age
    ):
        found.append(member.schooling)
    if member.severe_disability:
        found.append(PkhComponent.DISABILITAS_BERAT)
    if age >= limits.elderly_min_age:
        found.append(PkhComponent.LANSIA)
    return found


@dataclass(frozen=True)
class RuleSet:
    """Every threshold of the rules; the stored RuleParameter rows in force on a day fill it."""

    attendance_min_share: float = 0.85
    attendance_window_months: int = 12
    score_min_share: float = 0.80
    poverty_multiplier: float = 1.5
    desil_min: int = 5
    household_income_min: int = 4_000_000
    assets_min: int = 3
    alpa_streak_warning: int = 3
    meeting_gap_days: int = 45
    years_in_pkh_warning: int = 5
    early_childhood_max_age: int = 6
    school_min_age: int = 6
    school_max_age: int = 21
    elderly_min_age: int = 70
    monitoring_months: int = 12
    yearly_target: int = 10
    referral_overdue_days: int = 14  # app.cases: a referral with no outcome after this many days is overdue

    @cached_property
    def limits(self) -> ComponentLimits:
        return ComponentLimits(
            early_childhood_max_age=self.early_childhood_max_age,
            school_min_age=self.school_min_age,
            school_max_age=self.school_max_age,
            elderly_min_age=self.elderly_min_age,
        )


RULE_KEYS = tuple(f.name for f in fields(RuleSet))


# --- figures: stored language-neutral, formatted in the reader's locale when shown ---

# A figure is a tuple of parts (msgid, params), params a tuple of (name, value) pairs: immutable and hashable,
# so criteria are memoised and their JSON written once per distinct value. Values are raw; a few are typed
# tuples, formatted when shown: ("pct", 0.93), ("rp", 1020000), ("num2", 1.62), ("msg", msgid, params),
# ("msgs", (msgid, ...)) (a translated list) and ("components", ((code, n), ...)).
Part = tuple[str, tuple[tuple[str, Any], ...]]


def part(msgid: str, **params: Any) -> Part:
    return msgid, tuple(params.items())


def _param_text(value: Any) -> Any:
    if not isinstance(value, list | tuple) or not value:
        return value
    kind = value[0]
    if kind == "pct":
        return fmt_percent(value[1])
    if kind == "rp":
        return fmt_rupiah(value[1])
    if kind == "num2":
        return fmt_number(value[1], 2)
    if kind == "msg":
        return part_text((value[1], value[2]))
    if kind == "msgs":
        return ", ".join(gettext(m) for m in value[1]) or "–"
    if kind == "components":
        return ", ".join(f"{gettext(COMPONENT_LABELS[c])} ({n})" for c, n in value[1])
    return value


def part_text(figure_part: Any) -> str:
    """One part of a figure in the current locale (as built, or as read back from JSON: lists for tuples)."""
    msgid, params = figure_part
    text = gettext(msgid)
    return text % {k: _param_text(v) for k, v in params} if params else text


def figure_text(parts: Any) -> str:
    return "; ".join(part_text(p) for p in parts)


@lru_cache(maxsize=65536)
def _member_components(member: MemberFacts, today: date, limits: ComponentLimits) -> tuple[str, ...]:
    """Memoised: in a whole kabupaten many members share birth date, schooling and flags."""
    return tuple(member_components(member, today=today, limits=limits))


@dataclass(frozen=True)
class ParameterValue:
    key: str
    value: str
    effective_from: date


def rules_effective(values: list[ParameterValue], *, day: date) -> RuleSet:
    """The value of each key with the latest effective date on or before `day`."""
    chosen: dict[str, ParameterValue] = {}
    for row in values:
        usable = row.key in RULE_KEYS and row.effective_from <= day
        if usable and (row.key not in chosen or row.effective_from > chosen[row.key].effective_from):
            chosen[row.key] = row
    kinds = {f.name: f.type for f in fields(RuleSet)}
    parsed: dict[str, Any] = {}
    for key, row in chosen.items():
        parsed[key] = float(row.value) if kinds[key] is float else int(float(row.value))
    return RuleSet(**parsed)


def parameter_value_check(key: str, raw: str) -> str | None:
    """A message when `raw` is not a sensible value for `key`, else None."""
    if key not in RULE_KEYS:
        return N_("Parameter tidak dikenal.")
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return N_("Harus berupa angka.")
    if value < 0:
        return N_("Tidak boleh negatif.")
    if key.endswith("_share") and value > 1:
        return N_("Tulis sebagai pecahan 0–1, misalnya 0.85.")
    return None


# --- poverty lines ---


@dataclass(frozen=True)
class PovertyLineRef:
    area_code: str | None
    kind: str  # area / urban / rural
    year: int
    amount: int
    source: str = ""


@dataclass(frozen=True)
class LineUsed:
    amount: int
    label: Part  # a figure part: which line it is, formatted when shown

    @property
    def text(self) -> str:
        return part_text(self.label)


def is_urban(village_code: str) -> bool:
    """Kelurahan (village code 1xxx) or a kota (kab/kota code 71–99) count as urban."""
    parts = village_code.split(".")
    if len(parts) == 4:
        return parts[3].startswith("1")
    return len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= 71


def poverty_line_pick(
    lines: list[PovertyLineRef], *, village_code: str, kabkota_name: str, year: int
) -> LineUsed | None:
    """The kab/kota line of the latest year up to `year`; else the national urban or rural line."""
    kabkota = ".".join(village_code.split(".")[:2])
    own = _latest([ln for ln in lines if ln.area_code == kabkota and ln.kind == PovertyLineKind.AREA], year)
    if own is not None:
        return LineUsed(own.amount, part(N_("garis kemiskinan %(name)s %(year)s"), name=kabkota_name, year=own.year))
    kind = PovertyLineKind.URBAN if is_urban(village_code) else PovertyLineKind.RURAL
    national = _latest([ln for ln in lines if ln.area_code is None and ln.kind == kind], year)
    if national is None:
        return None
    label = (
        N_("garis kemiskinan nasional perkotaan %(year)s")
        if kind == PovertyLineKind.URBAN
        else N_("garis kemiskinan nasional perdesaan %(year)s")
    )
    return LineUsed(national.amount, part(label, year=national.year))


def _latest(lines: list[PovertyLineRef], year: int) -> PovertyLineRef | None:
    usable = [ln for ln in lines if ln.year <= year] or lines
    return max(usable, key=lambda ln: ln.year) if usable else None


# --- facts and verdicts ---


@dataclass(frozen=True)
class EconomicProfile:
    household_size: int | None = None
    monthly_income: int | None = None
    monthly_spending: int | None = None
    income_sources: int | None = None
    has_savings: bool | None = None
    roof_ok: bool | None = None
    wall_ok: bool | None = None
    floor_ok: bool | None = None
    safe_water: bool | None = None
    healthy_latrine: bool | None = None
    desil: int | None = None
    assessed_on: date | None = None
    kind: str = ""


@dataclass(frozen=True)
class FamilyFacts:
    members: tuple[MemberFacts, ...]
    enrolled_on: date
    core_done: int = 0
    core_total: int = 14
    marks_hadir: int = 0
    marks_total: int = 0
    latest_score: float | None = None
    baseline_score: float | None = None
    economy: EconomicProfile = EconomicProfile()
    line: LineUsed | None = None
    alpa_streak: int = 0
    has_kelompok: bool = True
    last_held: date | None = None
    graduated_on: date | None = None
    monitor_until: date | None = None


CRITERION_LABELS: dict[str, str] = {
    ReadinessCriterion.ALAMIAH: N_("Tidak ada komponen PKH tersisa"),
    ReadinessCriterion.SESI_INTI: N_("Mengikuti semua sesi inti P2K2"),
    ReadinessCriterion.KEHADIRAN: N_("Kehadiran P2K2 12 bulan terakhir"),
    ReadinessCriterion.SKOR: N_("Skor perubahan perilaku tinggi dan naik dari baseline"),
    ReadinessCriterion.EKONOMI: N_("Kemampuan ekonomi"),
    ReadinessCriterion.ASET: N_("Tanda kesejahteraan rumah tangga"),
}
WARNING_LABELS: dict[str, str] = {
    ReadinessWarning.ALPA_BERUNTUN: N_("Alpa berturut-turut"),
    ReadinessWarning.KELOMPOK_TIDAK_BERTEMU: N_("Kelompok lama tidak bertemu"),
    ReadinessWarning.LAMA_DI_PKH: N_("Lama di PKH"),
    ReadinessWarning.TINJAU_ULANG: N_("Perlu ditinjau untuk pendaftaran ulang"),
}


class _Explained:
    """A criterion or warning: a code and its figure. Immutable by convention and shared by the memoised rules,
    so its JSON is written once per distinct value, however many families carry it."""

    __slots__ = ("code", "parts", "_json")
    fields: tuple[str, ...] = ("code", "parts")

    def __init__(self, code: str, parts: tuple[Part, ...]) -> None:
        self.code, self.parts, self._json = code, parts, ""

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.fields)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._values()!r}"

    @property
    def json(self) -> str:
        if not self._json:
            self._json = orjson.dumps(self._values()).decode()
        return self._json

    @property
    def figure(self) -> str:
        return figure_text(self.parts)


class Criterion(_Explained):
    __slots__ = ("state",)
    fields = ("code", "state", "parts")

    def __init__(self, code: str, state: str, parts: tuple[Part, ...]) -> None:  # state: met / not_met / unknown
        super().__init__(code, parts)
        self.state = state

    @property
    def label(self) -> str:
        return CRITERION_LABELS.get(self.code, self.code)


class Flag(_Explained):
    @property
    def label(self) -> str:
        return WARNING_LABELS.get(self.code, self.code)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    criteria: tuple[Criterion, ...]
    warnings: tuple[Flag, ...]

    @property
    def route(self) -> str | None:
        """The graduation route a proposal would take, if the family may be proposed at all."""
        routes: dict[str, str] = {
            ReadinessVerdict.ALAMIAH: GraduationRoute.ALAMIAH,
            ReadinessVerdict.MANDIRI: GraduationRoute.MANDIRI,
            ReadinessVerdict.HAMPIR: GraduationRoute.MANDIRI,
        }
        return routes.get(self.verdict)

    def to_json(self) -> str:
        """Compact and language-neutral: codes, states and the raw figures (each distinct criterion encoded once)."""
        return (
            f'{{"v":2,"verdict":"{self.verdict}","criteria":[{",".join(c.json for c in self.criteria)}],'
            f'"warnings":[{",".join(w.json for w in self.warnings)}]}}'
        )


def verdict_from_json(raw: str) -> Verdict | None:
    """A stored verdict; the first format (dicts with figures already in words) still reads."""
    try:
        data = orjson.loads(raw or "{}")
        if data.get("v") == 2:
            return Verdict(
                verdict=data["verdict"],
                criteria=tuple(Criterion(c, s, _frozen(p)) for c, s, p in data["criteria"]),
                warnings=tuple(Flag(c, _frozen(p)) for c, p in data["warnings"]),
            )
        return Verdict(
            verdict=data["verdict"],
            criteria=tuple(Criterion(c["code"], c["state"], ((c["figure"], ()),)) for c in data["criteria"]),
            warnings=tuple(Flag(w["code"], ((w["figure"], ()),)) for w in data["warnings"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):  # orjson.JSONDecodeError is a ValueError
        return None


def _frozen(value: Any) -> Any:
    """JSON lists back to the tuples a figure is built of."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def per_capita(economy: EconomicProfile) -> tuple[int, str] | None:
    """Spending per capita (BPS lines are spending lines), else income per capita, with its name."""
    if not economy.household_size:
        return None
    if economy.monthly_spending is not None:
        return economy.monthly_spending // economy.household_size, N_("pengeluaran per kapita")
    if economy.monthly_income is not None:
        return economy.monthly_income // economy.household_size, N_("penghasilan per kapita")
    return None


# Each criterion is memoised on its plain inputs: across a kabupaten most families share them, so the bulk pass
# mostly looks results up (and Verdict.to_json reuses their JSON).


def criterion_alamiah(members: tuple[MemberFacts, ...], *, today: date, rules: RuleSet) -> Criterion:
    limits = rules.limits
    found: dict[str, int] = {}
    active = False
    for member in members:
        active = active or member.active
        for component in _member_components(member, today, limits):
            found[component] = found.get(component, 0) + 1
    return _alamiah(active, tuple(sorted(found.items())), today)


@lru_cache(maxsize=4096)
def _alamiah(active: bool, found: tuple[tuple[str, int], ...], today: date) -> Criterion:
    if not active:
        return Criterion(
            ReadinessCriterion.ALAMIAH, CriterionState.UNKNOWN, (part(N_("belum ada data anggota keluarga")),)
        )
    if not found:
        return Criterion(
            ReadinessCriterion.ALAMIAH,
            CriterionState.MET,
            (part(N_("tidak ada komponen per %(day)s"), day=today.isoformat()),),
        )
    return Criterion(
        ReadinessCriterion.ALAMIAH,
        CriterionState.NOT_MET,
        (part(N_("masih ada komponen: %(list)s"), list=("components", found)),),
    )


def criterion_core_sessions(facts: FamilyFacts) -> Criterion:
    return _core_sessions(facts.core_done, facts.core_total)


@lru_cache(maxsize=1024)
def _core_sessions(done: int, total: int) -> Criterion:
    state = CriterionState.MET if total and done >= total else CriterionState.NOT_MET
    return Criterion(
        ReadinessCriterion.SESI_INTI,
        state,
        (part(N_("%(done)s dari %(total)s sesi inti selesai"), done=done, total=total),),
    )


def criterion_attendance(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    return _attendance(facts.marks_hadir, facts.marks_total, rules.attendance_min_share)


@lru_cache(maxsize=65536)
def _attendance(hadir: int, total: int, minimum: float) -> Criterion:
    if total == 0:
        return Criterion(
            ReadinessCriterion.KEHADIRAN, CriterionState.UNKNOWN, (part(N_("belum ada catatan kehadiran")),)
        )
    share = hadir / total
    return Criterion(
        ReadinessCriterion.KEHADIRAN,
        CriterionState.MET if share >= minimum else CriterionState.NOT_MET,
        (
            part(
                N_("hadir %(hadir)s dari %(total)s sesi (%(share)s; minimal %(min)s)"),
                hadir=hadir,
                total=total,
                share=("pct", share),
                min=("pct", minimum),
            ),
        ),
    )


def criterion_score(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    return _score(facts.latest_score, facts.baseline_score, rules.score_min_share)


@lru_cache(maxsize=65536)
def _score(latest_score: float | None, baseline_score: float | None, minimum: float) -> Criterion:
    if latest_score is None:
        return Criterion(ReadinessCriterion.SKOR, CriterionState.UNKNOWN, (part(N_("belum ada asesmen final")),))
    latest = part(N_("skor terakhir %(score)s (minimal %(min)s)"), score=("pct", latest_score), min=("pct", minimum))
    if latest_score < minimum:
        return Criterion(ReadinessCriterion.SKOR, CriterionState.NOT_MET, (latest,))
    if baseline_score is None:
        return Criterion(
            ReadinessCriterion.SKOR, CriterionState.UNKNOWN, (latest, part(N_("belum ada asesmen pembanding baseline")))
        )
    rose = latest_score > baseline_score
    return Criterion(
        ReadinessCriterion.SKOR,
        CriterionState.MET if rose else CriterionState.NOT_MET,
        (latest, part(N_("baseline %(score)s"), score=("pct", baseline_score))),
    )


def criterion_economy(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    """Met by any one of: per capita ≥ k × poverty line, DTSEN desil ≥ d, household income ≥ Rp x."""
    eco = facts.economy
    return _economy(
        per_capita(eco),
        facts.line,
        eco.desil,
        eco.monthly_income,
        rules.poverty_multiplier,
        rules.desil_min,
        rules.household_income_min,
    )


@lru_cache(maxsize=65536)
def _economy(
    capita: tuple[int, str] | None,
    line: LineUsed | None,
    desil: int | None,
    income: int | None,
    multiplier: float,
    desil_min: int,
    income_min: int,
) -> Criterion:
    states: list[str] = []
    notes: list[Part] = []
    if capita is None or line is None:
        states.append(CriterionState.UNKNOWN)
        notes.append(part(N_("per kapita belum diketahui") if capita is None else N_("garis kemiskinan belum ada")))
    else:
        amount, name = capita
        ratio = amount / line.amount
        states.append(CriterionState.MET if ratio >= multiplier else CriterionState.NOT_MET)
        notes.append(
            part(
                N_("%(name)s %(amount)s = %(ratio)s × %(line)s (%(line_amount)s; minimal %(min)s ×)"),
                name=("msgs", (name,)),
                amount=("rp", amount),
                ratio=("num2", ratio),
                line=("msg", *line.label),
                line_amount=("rp", line.amount),
                min=("num2", multiplier),
            )
        )
    if desil is None:
        states.append(CriterionState.UNKNOWN)
        notes.append(part(N_("desil DTSEN belum diketahui")))
    else:
        states.append(CriterionState.MET if desil >= desil_min else CriterionState.NOT_MET)
        notes.append(part(N_("desil DTSEN %(desil)s (minimal %(min)s)"), desil=desil, min=desil_min))
    if income is None:
        states.append(CriterionState.UNKNOWN)
    else:
        states.append(CriterionState.MET if income >= income_min else CriterionState.NOT_MET)
        notes.append(
            part(
                N_("penghasilan rumah tangga %(amount)s/bulan (minimal %(min)s)"),
                amount=("rp", income),
                min=("rp", income_min),
            )
        )
    return Criterion(ReadinessCriterion.EKONOMI, any_of(states), tuple(notes))


ASSET_NAMES = (
    N_("tabungan"),
    N_("beberapa sumber penghasilan"),
    N_("rumah layak"),
    N_("air minum aman"),
    N_("jamban sehat"),
)


def criterion_assets(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    eco = facts.economy
    sources = None if eco.income_sources is None else eco.income_sources > 1
    return _assets(
        eco.has_savings,
        sources,
        eco.roof_ok,
        eco.wall_ok,
        eco.floor_ok,
        eco.safe_water,
        eco.healthy_latrine,
        rules.assets_min,
    )


@lru_cache(maxsize=65536)
def _assets(
    savings: bool | None,
    sources: bool | None,
    roof: bool | None,
    wall: bool | None,
    floor: bool | None,
    water: bool | None,
    latrine: bool | None,
    minimum: int,
) -> Criterion:
    house = all_of([_state(roof), _state(wall), _state(floor)])
    states = (_state(savings), _state(sources), house, _state(water), _state(latrine))
    met = states.count(CriterionState.MET)
    unknown = states.count(CriterionState.UNKNOWN)
    state = (
        CriterionState.MET
        if met >= minimum
        else (CriterionState.NOT_MET if met + unknown < minimum else CriterionState.UNKNOWN)
    )
    have = ("msgs", tuple(name for name, s in zip(ASSET_NAMES, states, strict=True) if s == CriterionState.MET))
    parts: tuple[Part, ...] = (
        part(N_("%(met)s dari 5 terpenuhi (minimal %(min)s): %(have)s"), met=met, min=minimum, have=have),
    )
    if unknown:
        parts += (part(N_("%(n)s belum diketahui"), n=unknown),)
    return Criterion(ReadinessCriterion.ASET, state, parts)


def _state(value: bool | None) -> str:
    return CriterionState.UNKNOWN if value is None else (CriterionState.MET if value else CriterionState.NOT_MET)


def any_of(states: list[str]) -> str:
    """Three-valued OR: one met suffices; unknown stays unknown unless something is met."""
    if CriterionState.MET in states:
        return CriterionState.MET
    return CriterionState.UNKNOWN if CriterionState.UNKNOWN in states else CriterionState.NOT_MET


def all_of(states: list[str]) -> str:
    if CriterionState.NOT_MET in states:
        return CriterionState.NOT_MET
    return CriterionState.UNKNOWN if CriterionState.UNKNOWN in states else CriterionState.MET


def readiness_warnings(facts: FamilyFacts, *, today: date, rules: RuleSet) -> tuple[Flag, ...]:
    """Compliance and monitoring flags; they never change the verdict, they stand beside it."""
    graduated = facts.graduated_on is not None
    found = _warnings(
        facts.alpa_streak,
        facts.has_kelompok and not graduated,
        facts.last_held,
        None if graduated else facts.enrolled_on,
        today,
        rules.alpa_streak_warning,
        rules.meeting_gap_days,
        rules.years_in_pkh_warning,
    )
    monitor = monitoring_flag(facts)
    return found if monitor is None else (*found, monitor)


@lru_cache(maxsize=65536)
def _warnings(
    alpa_streak: int,
    in_kelompok: bool,
    last_held: date | None,
    enrolled_on: date | None,
    today: date,
    alpa_max: int,
    gap_days: int,
    years_max: int,
) -> tuple[Flag, ...]:
    found: list[Flag] = []
    if alpa_streak >= alpa_max:
        found.append(Flag(ReadinessWarning.ALPA_BERUNTUN, (part(N_("%(n)s kali alpa berturut-turut"), n=alpa_streak),)))
    if in_kelompok:
        if last_held is None:
            found.append(
                Flag(ReadinessWarning.KELOMPOK_TIDAK_BERTEMU, (part(N_("kelompok belum pernah mengadakan pertemuan")),))
            )
        elif (today - last_held).days >= gap_days:
            found.append(
                Flag(
                    ReadinessWarning.KELOMPOK_TIDAK_BERTEMU,
                    (
                        part(
                            N_("pertemuan terakhir %(day)s (%(n)s hari lalu)"),
                            day=last_held.isoformat(),
                            n=(today - last_held).days,
                        ),
                    ),
                )
            )
    if enrolled_on is not None and (years := age_on(enrolled_on, today)) >= years_max:
        found.append(
            Flag(
                ReadinessWarning.LAMA_DI_PKH,
                (part(N_("%(n)s tahun di PKH sejak %(day)s"), n=years, day=enrolled_on.isoformat()),),
            )
        )
    return tuple(found)


def monitoring_flag(facts: FamilyFacts) -> Flag | None:
    """A graduate whose follow-up assessment within the monitoring period falls below the poverty line."""
    eco = facts.economy
    capita = per_capita(eco)
    if facts.graduated_on is None or facts.line is None or capita is None or eco.assessed_on is None:
        return None
    if eco.assessed_on < facts.graduated_on or (facts.monitor_until and eco.assessed_on > facts.monitor_until):
        return None
    if capita[0] >= facts.line.amount:
        return None
    return Flag(
        ReadinessWarning.TINJAU_ULANG,
        (
            part(
                N_("%(name)s %(amount)s di bawah %(line)s (%(line_amount)s) pada asesmen %(day)s"),
                name=("msgs", (capita[1],)),
                amount=("rp", capita[0]),
                line=("msg", *facts.line.label),
                line_amount=("rp", facts.line.amount),
                day=eco.assessed_on.isoformat(),
            ),
        ),
    )


def readiness_evaluate(facts: FamilyFacts, *, today: date, rules: RuleSet) -> Verdict:
    """Alamiah when no component remains; else sejahtera mandiri when all five criteria are met,
    hampir when exactly one is not met or unknown, belum otherwise."""
    alamiah = criterion_alamiah(facts.members, today=today, rules=rules)
    mandiri = (
        criterion_core_sessions(facts),
        criterion_attendance(facts, rules),
        criterion_score(facts, rules),
        criterion_economy(facts, rules),
        criterion_assets(facts, rules),
    )
    short = sum(1 for c in mandiri if c.state != CriterionState.MET)
    verdict = (
        ReadinessVerdict.ALAMIAH
        if alamiah.state == CriterionState.MET
        else ReadinessVerdict.MANDIRI
        if short == 0
        else ReadinessVerdict.HAMPIR
        if short == 1
        else ReadinessVerdict.BELUM
    )
    return Verdict(verdict, (alamiah, *mandiri), readiness_warnings(facts, today=today, rules=rules))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    return day + timedelta(days=30 * months)
