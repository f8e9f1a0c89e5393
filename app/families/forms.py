"""Input shapes of the family and member forms."""

from dataclasses import dataclass
from datetime import date

from app.clock import today_local
from app.forms import FormErrors, parse_date, parse_text
from app.i18n import N_
from app.models import Relationship, Schooling, Sex

SCHOOLING = tuple(Schooling)
RELATIONSHIPS = tuple(Relationship)


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


def family_input_parse(values: dict[str, str]) -> tuple[FamilyInput | None, FormErrors]:
    errors = FormErrors()
    head_name = parse_text(values.get("head_name", ""), name="head_name", errors=errors, required=True, max_length=120)
    kk = values.get("kk_number", "").strip()
    address = parse_text(values.get("address", ""), name="address", errors=errors, max_length=300)
    if errors:
        return None, errors
    return FamilyInput(head_name=head_name, kk_number=kk, address=address), errors


def member_input_parse(values: dict[str, str]) -> tuple[MemberInput | None, FormErrors]:
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
    ), errors
