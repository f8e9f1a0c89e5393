"""Input shapes of the family and member forms."""

from dataclasses import dataclass
from datetime import date

from app.clock import today_local
from app.families.rules import EXIT_REASONS, JOIN_REASONS, LEAVE_REASONS
from app.forms import FormErrors, parse_date, parse_int, parse_text
from app.i18n import N_, gettext
from app.models import ExitReason, Relationship, Schooling, Sex

SCHOOLING = tuple(Schooling)
RELATIONSHIPS = tuple(Relationship)
# The add-KPM form: row 0 is the pengurus (required), rows 1.. are other members (a row with no name is skipped).
MEMBER_ROWS = 6
NOTE_MAX = 300


@dataclass
class FamilyInput:
    head_name: str
    kk_number: str
    address: str


@dataclass
class MemberInput:
    name: str
    nik: str | None
    birth_date: date
    sex: str
    relationship: str
    schooling: str
    is_pengurus: bool
    pregnant: bool
    severe_disability: bool
    has_birth_certificate: bool | None
    joined_on: date | None = None
    join_reason: str | None = None


@dataclass
class FamilyCreateInput:
    head_name: str
    kk_number: str
    address: str
    programme_id: str
    enrolled_on: date
    members: list[MemberInput]


@dataclass
class MemberEndInput:
    left_on: date
    reason: str


@dataclass
class TransferInput:
    to_kelompok_id: int
    transferred_on: date
    reason: str


@dataclass
class ExitInput:
    exited_on: date
    reason: str
    note: str


def member_row_prefix(row: int) -> str:
    return f"m{row}_"


def family_create_parse(values: dict[str, str]) -> tuple[FamilyCreateInput | None, FormErrors]:
    """The add-KPM form: the family, the pengurus as row 0 and up to MEMBER_ROWS - 1 other members."""
    errors = FormErrors()
    kk = values.get("kk_number", "").strip()
    if not kk:
        errors.add("kk_number", N_("Wajib diisi."))
    address = parse_text(values.get("address", ""), name="address", errors=errors, max_length=300)
    programme_id = parse_text(values.get("programme_id", ""), name="programme_id", errors=errors, max_length=64)
    enrolled = parse_date(values.get("enrolled_on", ""), name="enrolled_on", errors=errors)
    if enrolled is not None and enrolled > today_local():
        errors.add("enrolled_on", N_("Tanggal tidak boleh di masa depan."))
    members: list[MemberInput] = []
    for row in range(MEMBER_ROWS):
        prefix = member_row_prefix(row)
        fields = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
        if row > 0 and not any(fields.get(k, "").strip() for k in ("name", "nik", "birth_date")):
            continue
        member, member_errors = member_input_parse(fields, with_join=False)
        for name, message in member_errors.messages.items():
            errors.messages.setdefault(prefix + name, message)
        if member is not None:
            if row == 0:
                member.is_pengurus = True
            members.append(member)
    if errors or enrolled is None:
        return None, errors
    head = members[0]
    return FamilyCreateInput(
        head_name=head.name,
        kk_number=kk,
        address=address,
        programme_id=programme_id,
        enrolled_on=enrolled,
        members=members,
    ), errors


def member_end_parse(values: dict[str, str]) -> tuple[MemberEndInput | None, FormErrors]:
    errors = FormErrors()
    left = parse_date(values.get("left_on", ""), name="left_on", errors=errors)
    reason = values.get("reason", "")
    if reason not in LEAVE_REASONS:
        errors.add("reason", N_("Pilih alasan."))
    if errors or left is None:
        return None, errors
    return MemberEndInput(left_on=left, reason=reason), errors


def transfer_parse(values: dict[str, str]) -> tuple[TransferInput | None, FormErrors]:
    errors = FormErrors()
    target = parse_int(values.get("to_kelompok_id", ""), name="to_kelompok_id", errors=errors, minimum=1)
    if target is None:
        errors.messages["to_kelompok_id"] = gettext(N_("Pilih kelompok tujuan."))
    day = parse_date(values.get("transferred_on", ""), name="transferred_on", errors=errors)
    reason = parse_text(values.get("reason", ""), name="reason", errors=errors, max_length=NOTE_MAX)
    if errors or target is None or day is None:
        return None, errors
    return TransferInput(to_kelompok_id=target, transferred_on=day, reason=reason), errors


def exit_parse(values: dict[str, str]) -> tuple[ExitInput | None, FormErrors]:
    errors = FormErrors()
    day = parse_date(values.get("exited_on", ""), name="exited_on", errors=errors)
    reason = values.get("reason", "")
    if reason not in EXIT_REASONS:
        errors.add("reason", N_("Pilih alasan."))
    note = parse_text(values.get("note", ""), name="note", errors=errors, max_length=NOTE_MAX)
    if reason == ExitReason.LAINNYA and not note and "note" not in errors.messages:
        errors.add("note", N_("Tuliskan alasannya."))
    if errors or day is None:
        return None, errors
    return ExitInput(exited_on=day, reason=reason, note=note), errors


def family_input_parse(values: dict[str, str]) -> tuple[FamilyInput | None, FormErrors]:
    errors = FormErrors()
    head_name = parse_text(values.get("head_name", ""), name="head_name", errors=errors, required=True, max_length=120)
    kk = values.get("kk_number", "").strip()
    address = parse_text(values.get("address", ""), name="address", errors=errors, max_length=300)
    if errors:
        return None, errors
    return FamilyInput(head_name=head_name, kk_number=kk, address=address), errors


def member_input_parse(values: dict[str, str], *, with_join: bool = True) -> tuple[MemberInput | None, FormErrors]:
    """A member form; `with_join` reads how a member added to an enrolled family joined (blank: a member from
    the start, added late), with its date."""
    errors = FormErrors()
    name = parse_text(values.get("name", ""), name="name", errors=errors, required=True, max_length=120)
    birth = parse_date(values.get("birth_date", ""), name="birth_date", errors=errors)
    if birth is not None and birth > today_local():
        errors.add("birth_date", N_("Tanggal lahir tidak boleh di masa depan."))
    sex = values.get("sex", "")
    if sex not in tuple(Sex):
        errors.add("sex", N_("Pilih jenis kelamin."))
    relationship = values.get("relationship", "")
    if relationship not in RELATIONSHIPS:
        errors.add("relationship", N_("Pilih hubungan dalam keluarga."))
    schooling = values.get("schooling", Schooling.BELUM)
    if schooling not in SCHOOLING:
        errors.add("schooling", N_("Pilih status sekolah."))
    certificate = values.get("has_birth_certificate", "")
    join_reason = values.get("join_reason", "") if with_join else ""
    joined_on = None
    if join_reason and join_reason not in JOIN_REASONS:
        errors.add("join_reason", N_("Pilih cara bergabung."))
    elif join_reason:
        joined_on = parse_date(values.get("joined_on", ""), name="joined_on", errors=errors)
    if errors or birth is None:
        return None, errors
    return MemberInput(
        name=name,
        nik=values.get("nik", "").strip() or None,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        schooling=schooling,
        is_pengurus=values.get("is_pengurus") == "on",
        pregnant=values.get("pregnant") == "on",
        severe_disability=values.get("severe_disability") == "on",
        has_birth_certificate={"ya": True, "tidak": False}.get(certificate),
        joined_on=joined_on,
        join_reason=join_reason or None,
    ), errors
