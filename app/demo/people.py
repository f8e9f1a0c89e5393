"""Staff and family members: names, phone numbers, birthdays and NIKs."""

from datetime import date, datetime, timedelta

from app.demo.base import DemoState
from app.demo.texts import (
    BOY_FIRST,
    BOY_LAST,
    ELDER_FEMALE,
    ELDER_FEMALE_LAST,
    ELDER_MALE,
    ELDER_MALE_LAST,
    FEMALE_FIRST,
    FEMALE_LAST,
    GIRL_FIRST,
    GIRL_LAST,
    MALE_FIRST,
    MALE_LAST,
    PHONE_PREFIXES,
)
from app.identity.rules import SEXES, nik_make
from app.models import Schooling, Sex, User


def schooling_at_age(age: int) -> str:
    if age < 4:
        return Schooling.BELUM
    if age <= 6:
        return Schooling.PAUD
    if age <= 12:
        return Schooling.SD
    if age <= 15:
        return Schooling.SMP
    return Schooling.SMA


class PeopleBuilder(DemoState):
    def _adult_name(self, sex: str) -> str:
        if sex == Sex.LAKI_LAKI:
            return f"{self.rng.choice(MALE_FIRST)} {self.rng.choice(MALE_LAST)}"
        return f"{self.rng.choice(FEMALE_FIRST)} {self.rng.choice(FEMALE_LAST)}"

    def _child_name(self, sex: str) -> str:
        if sex == Sex.LAKI_LAKI:
            return f"{self.rng.choice(BOY_FIRST)} {self.rng.choice(BOY_LAST)}"
        return f"{self.rng.choice(GIRL_FIRST)} {self.rng.choice(GIRL_LAST)}"

    def _elder_name(self, sex: str) -> str:
        first, last = (ELDER_MALE, ELDER_MALE_LAST) if sex == Sex.LAKI_LAKI else (ELDER_FEMALE, ELDER_FEMALE_LAST)
        name = self.rng.choice(first)
        return f"{name} {self.rng.choice(last)}" if self.rng.random() < 0.4 else name

    def _unique_adult_name(self, sex: str) -> str:
        for _ in range(50):
            name = self._adult_name(sex)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("ran out of distinct staff names")

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _birth_date(self, age: int) -> date:
        """A birthday that makes the person exactly `age` years old today."""
        try:
            latest = self.today.replace(year=self.today.year - age)
        except ValueError:  # 29 February
            latest = date(self.today.year - age, 2, 28)
        return latest - timedelta(days=self.rng.randint(0, 364))

    def _nik(self, *, kecamatan_code: str, birth_date: date, sex: str) -> str | None:
        """A structurally valid NIK, serial counted per kecamatan, birth date and sex; about 2 % have none."""
        if self.rng.random() < 0.02:
            return None
        key = (kecamatan_code, birth_date, sex)
        self.nik_serials[key] += 1
        return nik_make(kecamatan_code=kecamatan_code, birth_date=birth_date, sex=sex, serial=self.nik_serials[key])

    def _user(self, *, username: str, role: str, area_code: str, created: datetime) -> int:
        user_id = self._id(User)
        sex = self.rng.choice(SEXES)
        self.rows[User].append(
            {
                "id": user_id,
                "username": username,
                "full_name": self._unique_adult_name(sex),
                "password_hash": self.password_hash,
                "role": role,
                "area_code": area_code,
                "phone": self._phone(),
                "locale": "id",
                "is_active": True,
                "created_at": created,
                "last_login_at": None,
            }
        )
        return user_id
