"""NIK and No. KK rules, without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.clock import today_local
from app.identity.rules import NikParts, kk_check, nik_check, nik_make, nik_parse

KNOWN = {"32.77.01", "32.77.02", "32.77.03"}
MALE = "3277011205900001"  # Cimahi Selatan, 12-05-1990, laki-laki, serial 0001
FEMALE = "3277025205900002"  # Cimahi Tengah, 12-05-1990 (+40), perempuan


def known(code: str) -> bool:
    return code in KNOWN


def test_valid_male() -> None:
    assert nik_check(MALE, area_exists=known) == []
    assert nik_check(MALE, area_exists=known, sex="L", birth_date=date(1990, 5, 12)) == []


def test_valid_female_day_plus_40() -> None:
    assert nik_check(FEMALE, area_exists=known, sex="P", birth_date=date(1990, 5, 12)) == []


def test_spaces_are_ignored() -> None:
    assert nik_check(" 3277 0112 0590\u00a00001 ", area_exists=known) == []


def test_february_30_refused() -> None:
    assert nik_check("3277013002900001", area_exists=known) == [
        "Tanggal lahir pada NIK tidak valid (digit 7–12: 300290)"
    ]


def test_female_february_30_refused() -> None:
    assert nik_check("3277017002900001", area_exists=known) == [
        "Tanggal lahir pada NIK tidak valid (digit 7–12: 700290)"
    ]


@pytest.mark.parametrize("ddmmyy", ["000590", "400590", "350590", "720590", "121390", "120090"])
def test_impossible_day_or_month_refused(ddmmyy: str) -> None:
    problems = nik_check(f"327701{ddmmyy}0001", area_exists=known)
    assert problems == [f"Tanggal lahir pada NIK tidak valid (digit 7–12: {ddmmyy})"]


def test_february_29_only_in_leap_years() -> None:
    assert nik_check("3277012902000001", area_exists=known) == []
    assert nik_check("3277012902010001", area_exists=known) != []


def test_unknown_area() -> None:
    assert nik_check("3277091205900001", area_exists=known) == ["Kode wilayah 32.77.09 pada NIK tidak dikenal"]


@pytest.mark.parametrize("nik", ["327701120590000", "32770112059000011", "", "3277"])
def test_wrong_length(nik: str) -> None:
    assert "NIK harus 16 digit angka" in nik_check(nik, area_exists=known)


@pytest.mark.parametrize("nik", ["32770112059O0001", "3277-0112-0590-0001", "３２７７０１１２０５９００００１"])
def test_letters_and_other_characters(nik: str) -> None:
    assert nik_check(nik, area_exists=known) == ["NIK harus 16 digit angka"]


@pytest.mark.parametrize("nik", ["3.27701E+15", "3,27701E+15", "3.27701120590000e15"])
def test_scientific_notation(nik: str) -> None:
    (problem,) = nik_check(nik, area_exists=known)
    assert problem.startswith("NIK tampaknya rusak oleh spreadsheet (notasi ilmiah)")


def test_decimal_suffix() -> None:
    (problem,) = nik_check("3277011205900001.0", area_exists=known)
    assert problem.startswith("NIK tampaknya rusak oleh spreadsheet (angka desimal)")


def test_fifteen_digits_hint() -> None:
    problems = nik_check("277011205900001", area_exists=known)
    assert problems[0] == "NIK harus 16 digit angka"
    assert "15 digit" in problems[1] and "hilang" in problems[1]


def test_serial_0000() -> None:
    (problem,) = nik_check("3277011205900000", area_exists=known)
    assert problem.startswith("Nomor urut NIK (4 digit terakhir) tidak boleh 0000")


def test_sex_mismatch_both_ways() -> None:
    assert nik_check(FEMALE, area_exists=known, sex="L") == [
        "NIK menunjukkan perempuan (tanggal lahir + 40), tetapi jenis kelamin tercatat laki-laki"
    ]
    assert nik_check(MALE, area_exists=known, sex="P") == [
        "NIK menunjukkan laki-laki, tetapi jenis kelamin tercatat perempuan"
    ]


def test_sex_must_be_l_or_p() -> None:
    with pytest.raises(ValueError):
        nik_check(MALE, area_exists=known, sex="M")


@pytest.mark.parametrize("born", [date(1990, 5, 13), date(1990, 6, 12), date(1991, 5, 12)])
def test_birth_date_mismatch(born: date) -> None:
    expected = f"Tanggal lahir pada NIK (12-05-90) tidak sama dengan tanggal lahir {born:%d-%m-%Y}"
    assert nik_check(MALE, area_exists=known, birth_date=born) == [expected]


def test_birth_date_other_century_agrees() -> None:
    assert nik_check(MALE, area_exists=known, birth_date=date(1890, 5, 12)) == []


def test_all_problems_reported_together() -> None:
    problems = nik_check("3277095205900000", area_exists=known, sex="L", birth_date=date(1991, 5, 12))
    assert len(problems) == 4


def test_parse() -> None:
    assert nik_parse(FEMALE) == NikParts(area_code="32.77.02", birth_date=date(1990, 5, 12), sex="P", serial=2)
    assert nik_parse("3277013002900001") is None
    assert nik_parse("3.27701E+15") is None


def test_parse_picks_latest_century_not_in_future() -> None:
    today = date(2025, 6, 1)
    assert nik_parse("3277010101250001", today=today) == NikParts("32.77.01", date(2025, 1, 1), "L", 1)
    assert nik_parse("3277010112250001", today=today) == NikParts("32.77.01", date(1925, 12, 1), "L", 1)


def test_make_and_parse_round_trip() -> None:
    nik = nik_make(kecamatan_code="32.77.03", birth_date=date(2001, 2, 9), sex="P", serial=123)
    assert nik == "3277034902010123"
    assert nik_parse(nik) == NikParts("32.77.03", date(2001, 2, 9), "P", 123)


@pytest.mark.parametrize(
    ("code", "sex", "serial"),
    [
        ("3277.01", "L", 1),
        ("1\u0660.00.00", "L", 1),  # Arabic-Indic zero: a digit to Python, not to Dukcapil
        ("32.77.01", "X", 1),
        ("32.77.01", "L", 0),
        ("32.77.01", "L", 10000),
    ],
)
def test_make_refuses_bad_input(code: str, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        nik_make(kecamatan_code=code, birth_date=date(1990, 1, 1), sex=sex, serial=serial)


@given(
    kecamatan=st.from_regex(r"[1-9][0-9]\.[0-9]{2}\.[0-9]{2}", fullmatch=True),
    born=st.dates(min_value=today_local().replace(year=today_local().year - 99, day=1), max_value=today_local()),
    sex=st.sampled_from(["L", "P"]),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_made_nik_always_valid(kecamatan: str, born: date, sex: str, serial: int) -> None:
    nik = nik_make(kecamatan_code=kecamatan, birth_date=born, sex=sex, serial=serial)
    assert nik_check(nik, area_exists=lambda code: code == kecamatan, sex=sex, birth_date=born) == []
    assert nik_parse(nik) == NikParts(kecamatan, born, sex, serial)


def test_kk_valid() -> None:
    assert kk_check("3277010101150003", area_exists=known) == []


def test_kk_unknown_area() -> None:
    assert kk_check("3277990101150003", area_exists=known) == ["Kode wilayah 32.77.99 pada No. KK tidak dikenal"]


def test_kk_format_and_spreadsheet_damage() -> None:
    assert kk_check("32770101011500", area_exists=known) == ["No. KK harus 16 digit angka"]
    assert kk_check("3.27701E+15", area_exists=known)[0].startswith("No. KK tampaknya rusak oleh spreadsheet")
    assert len(kk_check("327701010115000", area_exists=known)) == 2


def test_kk_does_not_apply_nik_date_rules() -> None:
    assert kk_check("3277019999990000", area_exists=known) == []
