"""PKH components (komponen) of members, as plain functions over plain values."""

from dataclasses import dataclass
from datetime import date

from app.models import PkhComponent, Schooling

COMPONENT_LABELS: dict[str, str] = {
    PkhComponent.HAMIL: "Ibu hamil/nifas",
    PkhComponent.ANAK_USIA_DINI: "Anak usia dini",
    PkhComponent.SD: "Anak SD",
    PkhComponent.SMP: "Anak SMP",
    PkhComponent.SMA: "Anak SMA",
    PkhComponent.DISABILITAS_BERAT: "Disabilitas berat",
    PkhComponent.LANSIA: "Lanjut usia",
}
MAX_PAID_COMPONENTS = 4


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
