"""The causes of 500s the fuzz found, pinned one by one: numbers, IDs and pages, dates, long and NUL text."""

import pytest
from sqlmodel import select

from app.forms import FormErrors, parse_date, parse_decimal, parse_int
from app.models import Family
from app.params import ID_MAX
from tests.conftest import text_of
from tests.factories import world_make


@pytest.mark.parametrize("raw", ["--5", "²", "١٢", "۵", "5-", "1e3", "0x10", str(2**64)])
def test_parse_int_refuses_what_is_not_plain_digits_or_too_big(raw: str) -> None:
    errors = FormErrors()
    assert parse_int(raw, name="n", errors=errors) is None
    assert errors.messages["n"] in ("Harus berupa angka.", f"Tidak boleh lebih dari {ID_MAX}.")


def test_parse_int_keeps_thousands_separators_and_signs() -> None:
    errors = FormErrors()
    assert parse_int(" 1.500.000 ", name="n", errors=errors) == 1_500_000
    assert parse_int("-5", name="m", errors=errors) == -5
    assert not errors


@pytest.mark.parametrize("raw", ["1e400", "nan", "inf", "١٫٥", "1,5,5", "--1"])
def test_parse_decimal_refuses_exponents_and_non_numbers(raw: str) -> None:
    errors = FormErrors()
    assert parse_decimal(raw, name="x", errors=errors) is None and "x" in errors.messages


def test_parse_date_range() -> None:
    errors = FormErrors()
    assert parse_date("9999-12-31", name="d", errors=errors) is None
    assert "di luar rentang 1900–2100" in errors.messages["d"]
    assert parse_date("0000-00-00", name="e", errors=errors) is None and "Tanggal tidak valid" in errors.messages["e"]


def test_ids_and_pages_beyond_an_integer_answer_404(web, session) -> None:
    w = world_make(session)
    web.login(w.pendamping.username)
    for url in (f"/kelompok/{2**63}", f"/kpm/{2**31}", f"/pertemuan/-{2**40}", "/kelompok?halaman=99999999999"):
        assert web.get(url).status_code == 404, url
    assert web.post(f"/pertemuan/{2**64}/semua-hadir").status_code == 404


def test_plan_page_far_date_is_a_message(web, session) -> None:
    w = world_make(session)
    web.login(w.pendamping.username)
    r = web.get(f"/kelompok/{w.kelompok.id}/rencana?date=9999-12-31")
    assert r.status_code == 422 and "Tanggal di luar rentang 1900–2100" in text_of(r.text)
    assert 'value="9999-12-31"' in r.text


def test_long_filter_is_cut_and_nul_is_dropped(web, session) -> None:
    w = world_make(session)
    web.login(w.admin.username)
    assert web.get("/admin/pengguna", params={"q": "x" * 60_000}).status_code == 200
    assert web.get("/admin/pengguna", params={"q": "a\x00b"}).status_code == 200
    web.login(w.pendamping.username)
    family = w.families[0]
    r = web.post(f"/kpm/{family.id}/ubah", data={"head_name": "Ibu\x00 Nul", "kk_number": family.kk_number})
    assert r.status_code in (204, 303), r.text[:300]
    assert session.exec(select(Family.head_name).where(Family.id == family.id)).one() == "Ibu Nul"
