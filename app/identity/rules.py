"""NIK and No. KK rules as pure functions; problems come back as messages in the current locale."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.clock import today_local
from app.i18n import N_, gettext
from app.models import Sex

NUMBER_LENGTH = 16
FEMALE_DAY_OFFSET = 40
SEXES = tuple(Sex)
KECAMATAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}", re.ASCII)
# What Excel or LibreOffice make of a 16-digit number typed into a General cell: 3.27701E+15, 3,27701E+15.
SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE]\+?\d+", re.ASCII)
DECIMAL = re.compile(r"\d+[.,]0+", re.ASCII)

MSG_NOT_DIGITS = N_("%(label)s harus 16 digit angka")
MSG_SCIENTIFIC = N_(
    "%(label)s tampaknya rusak oleh spreadsheet (notasi ilmiah); format kolom sebagai Teks lalu ketik ulang"
)
MSG_DECIMAL = N_(
    "%(label)s tampaknya rusak oleh spreadsheet (angka desimal); format kolom sebagai Teks lalu ketik ulang"
)
MSG_FIFTEEN = N_(
    "%(label)s hanya 15 digit: mungkin satu digit di depan atau di belakang hilang (sering karena spreadsheet)"
)
MSG_AREA_UNKNOWN = N_("Kode wilayah %(code)s pada %(label)s tidak dikenal")
MSG_DATE_INVALID = N_("Tanggal lahir pada NIK tidak valid (digit 7–12: %(digits)s)")
MSG_SAYS_FEMALE = N_("NIK menunjukkan perempuan (tanggal lahir + 40), tetapi jenis kelamin tercatat laki-laki")
MSG_SAYS_MALE = N_("NIK menunjukkan laki-laki, tetapi jenis kelamin tercatat perempuan")
MSG_DATE_MISMATCH = N_("Tanggal lahir pada NIK (%(nik_date)s) tidak sama dengan tanggal lahir %(birth_date)s")
MSG_SERIAL_ZERO = N_(
    "Nomor urut NIK (4 digit terakhir) tidak boleh 0000; digit terakhir mungkin dibulatkan spreadsheet"
)
LABEL_KK = N_("No. KK")


@dataclass(frozen=True)
class NikParts:
    """What a NIK encodes: kecamatan of first registration, birth date, sex (L/P) and serial."""

    area_code: str
    birth_date: date
    sex: str
    serial: int


def number_clean(raw: str) -> str:
    """The number without any whitespace (copy-paste brings spaces and non-breaking spaces)."""
    return "".join(raw.split())


def number_problems(number: str, *, label: str) -> list[str]:
    """Format problems of a cleaned 16-digit number, naming spreadsheet damage when it shows."""
    if SCIENTIFIC.fullmatch(number):
        return [gettext(MSG_SCIENTIFIC, label=label)]
    if DECIMAL.fullmatch(number):
        return [gettext(MSG_DECIMAL, label=label)]
    if number.isascii() and number.isdigit() and len(number) == NUMBER_LENGTH:
        return []
    problems = [gettext(MSG_NOT_DIGITS, label=label)]
    if number.isascii() and number.isdigit() and len(number) == NUMBER_LENGTH - 1:
        problems.append(gettext(MSG_FIFTEEN, label=label))
    return problems


def area_code_of(number: str) -> str:
    """Kecamatan code PP.KK.CC from the first six digits."""
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}"


def area_problems(number: str, *, label: str, area_exists: Callable[[str], bool]) -> list[str]:
    """A problem when the number's kecamatan prefix is not a known area."""
    code = area_code_of(number)
    return [] if area_exists(code) else [gettext(MSG_AREA_UNKNOWN, code=code, label=label)]


def sex_require(sex: str) -> str:
    """`sex` itself, or ValueError when it is not L or P."""
    if sex not in SEXES:
        raise ValueError(f"sex must be L or P, not {sex!r}")
    return sex


def birth_fields(number: str) -> tuple[int, int, int, str]:
    """Day (women's +40 removed), month, two-digit year and sex from digits 7-12."""
    day, month, year = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if day > FEMALE_DAY_OFFSET:
        return day - FEMALE_DAY_OFFSET, month, year, Sex.PEREMPUAN
    return day, month, year, Sex.LAKI_LAKI


def birth_date_resolve(*, day: int, month: int, year: int, today: date) -> date | None:
    """The real date for a two-digit year (latest century not in the future), or None if impossible."""
    for century in (2000, 1900):
        try:
            candidate = date(century + year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def nik_parse(nik: str, *, today: date | None = None) -> NikParts | None:
    """The parts of a well-formed NIK with a real birth date, else None."""
    number = number_clean(nik)
    if number_problems(number, label="NIK"):
        return None
    day, month, year, sex = birth_fields(number)
    born = birth_date_resolve(day=day, month=month, year=year, today=today or today_local())
    if born is None:
        return None
    return NikParts(area_code=area_code_of(number), birth_date=born, sex=sex, serial=int(number[12:]))


def birth_problems(number: str, *, sex: str | None, birth_date: date | None) -> list[str]:
    """Problems of the NIK's birth-date digits, alone and against the recorded sex and birth date."""
    day, month, year, nik_sex = birth_fields(number)
    if birth_date_resolve(day=day, month=month, year=year, today=today_local()) is None:
        return [gettext(MSG_DATE_INVALID, digits=number[6:12])]
    problems = []
    if sex is not None and sex_require(sex) != nik_sex:
        problems.append(gettext(MSG_SAYS_FEMALE if nik_sex == Sex.PEREMPUAN else MSG_SAYS_MALE))
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, year):
        nik_date = f"{day:02d}-{month:02d}-{year:02d}"
        problems.append(gettext(MSG_DATE_MISMATCH, nik_date=nik_date, birth_date=birth_date.strftime("%d-%m-%Y")))
    return problems


def nik_check(
    nik: str, *, area_exists: Callable[[str], bool], sex: str | None = None, birth_date: date | None = None
) -> list[str]:
    """Every problem with a NIK; an empty list means it is valid."""
    number = number_clean(nik)
    problems = number_problems(number, label="NIK")
    if problems:
        return problems
    problems = area_problems(number, label="NIK", area_exists=area_exists)
    problems += birth_problems(number, sex=sex, birth_date=birth_date)
    if number[12:] == "0000":
        problems.append(gettext(MSG_SERIAL_ZERO))
    return problems


def kk_check(kk: str, *, area_exists: Callable[[str], bool]) -> list[str]:
    """Every problem with a No. KK; an empty list means it is valid."""
    number = number_clean(kk)
    label = gettext(LABEL_KK)
    return number_problems(number, label=label) or area_problems(number, label=label, area_exists=area_exists)


def nik_make(*, kecamatan_code: str, birth_date: date, sex: str, serial: int) -> str:
    """A NIK with these parts, for synthetic demo data."""
    if not KECAMATAN_CODE.fullmatch(kecamatan_code):
        raise ValueError(f"kecamatan code must look like 32.77.01, not {kecamatan_code!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1..9999, not {serial}")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex_require(sex) == Sex.PEREMPUAN else 0)
    born = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    return f"{kecamatan_code.replace('.', '')}{born}{serial:04d}"
