"""A KPM and its members, with the outlook that shapes its attendance and its assessments."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.demo.base import Village, moment
from app.demo.bulk import Row
from app.demo.people import PeopleBuilder, schooling_at_age
from app.demo.texts import STREETS
from app.identity.rules import SEXES
from app.models import Family, FamilyStatus, Member, Relationship, Schooling, Sex, name_key_of


@dataclass(frozen=True)
class Outlook:
    """How far a family has come: its score at each kind of visit and its economy at the latest one."""

    scores: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]  # baseline, follow-up, graduation
    spending: tuple[int, int]  # Rupiah per head per month at the latest visit
    start: tuple[float, float]  # spending at baseline, as a share of that
    income: tuple[float, float]  # household income as a multiple of spending
    sources: tuple[int, int]  # income sources at later visits
    signs: float  # chance of each welfare sign (roof, water, latrine, ...) at baseline
    gain: float  # chance, at each later visit, of gaining a sign the family lacked
    income_cap: int | None  # below the Rp 4 juta household line: the economy criterion stays honest


# Per capita above 1.5 × the urban poverty line (Rp 944,342 in 2025) only for the thriving.
THRIVING = Outlook(
    scores=((0.45, 0.70), (0.78, 0.95), (0.84, 1.0)),
    spending=(1_000_000, 1_450_000),
    start=(0.65, 0.85),
    income=(1.05, 1.3),
    sources=(2, 3),
    signs=0.6,
    gain=0.75,
    income_cap=None,
)
RISING = Outlook(
    scores=((0.35, 0.60), (0.55, 0.82), (0.62, 0.86)),
    spending=(600_000, 900_000),
    start=(0.80, 0.95),
    income=(0.9, 1.1),
    sources=(1, 2),
    signs=0.55,
    gain=0.25,
    income_cap=3_950_000,
)
STRUGGLING = Outlook(
    scores=((0.20, 0.50), (0.30, 0.65), (0.35, 0.70)),
    spending=(380_000, 620_000),
    start=(0.85, 1.0),
    income=(0.85, 1.05),
    sources=(1, 1),
    signs=0.45,
    gain=0.1,
    income_cap=3_950_000,
)


@dataclass(frozen=True)
class Household:
    """A KPM as its pendamping knows it on a home visit: adults who may attend, members, enrolment, desil."""

    family_id: int
    others: list[str]
    people: list[Row]
    enrolled: date
    desil: int | None
    outlook: Outlook


class FamilyBuilder(PeopleBuilder):
    def _family(
        self, *, kelompok_id: int, village: Village, rw: int, alamiah: bool, months: int, outlook: Outlook
    ) -> Household:
        """Add a KPM with 3–6 members, enrolled before its kelompok's first meeting on record (`months` ago)."""
        rng = self.rng
        family_id = self._id(Family)
        kecamatan = village.kecamatan_code
        mother_age = rng.randint(46, 60) if alamiah else rng.randint(24, 52)
        single = rng.random() < 0.15
        elderly = not alamiah and rng.random() < 0.10
        children = rng.randint(1, 4)
        adults = 1 + (0 if single else 1) + (1 if elderly else 0)
        children = max(children, 3 - adults)
        children = max(1, min(children, 6 - adults))

        people: list[Row] = []

        def person(*, name: str, age: int, sex: str, relationship: str, schooling: str) -> Row:
            born = self._birth_date(age)
            row: Row = {
                "id": 0,
                "family_id": family_id,
                "name": name,
                "nik": self._nik(kecamatan_code=kecamatan, birth_date=born, sex=sex),
                "birth_date": born,
                "sex": sex,
                "relationship": relationship,
                "is_pengurus": False,
                "schooling": schooling,
                "pregnant": False,
                "severe_disability": False,
                "has_birth_certificate": None,
                "active": True,
            }
            people.append(row)
            return row

        adult_schooling = (Schooling.LULUS, Schooling.TIDAK, Schooling.TIDAK)
        mother = person(
            name=self._adult_name(Sex.PEREMPUAN),
            age=mother_age,
            sex=Sex.PEREMPUAN,
            relationship=Relationship.KEPALA if single else Relationship.ISTRI,
            schooling=rng.choice(adult_schooling),
        )
        mother["is_pengurus"] = True
        mother["pregnant"] = not alamiah and mother_age <= 42 and rng.random() < 0.125
        head_name = mother["name"]
        others: list[str] = []
        if not single:
            husband = person(
                name=self._adult_name(Sex.LAKI_LAKI),
                age=max(22, mother_age + rng.randint(-2, 8)),
                sex=Sex.LAKI_LAKI,
                relationship=Relationship.KEPALA,
                schooling=rng.choice(adult_schooling),
            )
            head_name = husband["name"]
            others.append(husband["name"])
        if elderly:
            sex = Sex.PEREMPUAN if rng.random() < 0.65 else Sex.LAKI_LAKI
            grandparent = person(
                name=self._elder_name(sex),
                age=rng.randint(70, 86),
                sex=sex,
                relationship=Relationship.ORANG_TUA,
                schooling=Schooling.TIDAK,
            )
            others.append(grandparent["name"])
        # Children from the youngest up, two to five years apart; none born to a mother under 18.
        eldest = mother_age - 18
        youngest = 19 if alamiah else 0
        age = rng.randint(youngest, min(26, mother_age - 19)) if alamiah else rng.randint(0, min(15, eldest - 1))
        for _ in range(children):
            if age > eldest:
                age = rng.randint(youngest, eldest)
            sex = rng.choice(SEXES)
            schooling = (
                schooling_at_age(age)
                if age < 19
                else Schooling.LULUS
                if alamiah or rng.random() < 0.8
                else Schooling.TIDAK
            )
            child = person(
                name=self._child_name(sex), age=age, sex=sex, relationship=Relationship.ANAK, schooling=schooling
            )
            child["has_birth_certificate"] = age >= 18 or rng.random() >= 0.05
            if age >= 17:
                others.append(child["name"])
            age += rng.randint(2, 5)
        if not alamiah and rng.random() < 0.03:
            rng.choice(people[1:] or people)["severe_disability"] = True
        for row in people:
            row["id"] = self._id(Member)
            row["name_key"] = name_key_of(str(row["name"]))
        self.rows[Member].extend(people)

        enrolled = self.today - timedelta(days=rng.randint(max(400, 31 * months + 14), 2850))
        issued = enrolled - timedelta(days=rng.randint(200, 4000))
        self.kk_serial = self.kk_serial % 9999 + 1
        desil = rng.choices((1, 2, 3, 4, None), weights=(25, 30, 22, 13, 10))[0]
        self.rows[Family].append(
            {
                "id": family_id,
                "programme_id": f"PKH-3277-{family_id:06d}",
                "kk_number": f"{kecamatan.replace('.', '')}{issued:%d%m%y}{self.kk_serial:04d}",
                "head_name": head_name,
                "address": self._address(rw),
                "village_code": village.code,
                "kelompok_id": kelompok_id,
                "status": FamilyStatus.AKTIF,
                "enrolled_on": enrolled,
                "exited_on": None,
                "desil": desil,
                "created_at": moment(enrolled, 3),
                "updated_at": moment(enrolled, 3),
            }
        )
        return Household(
            family_id=family_id, others=others, people=people, enrolled=enrolled, desil=desil, outlook=outlook
        )

    def _address(self, rw: int) -> str:
        street = self.rng.choice(STREETS)
        number = f" No. {self.rng.randint(1, 120)}" if street.startswith("Jl.") else ""
        return f"{street}{number} RT {self.rng.randint(1, 12):02d}/RW {rw:02d}"
