"""The English catalog is complete: every msgid in the code and templates (extracted here, as `make messages` does)
has an English text, and the main pages rendered in English show no Indonesian msgid and no raw code."""

import re
from datetime import timedelta

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from sqlmodel import Session, select

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, Member, Relationship, Schooling
from app.settings import ROOT
from tests.conftest import Browser, text_of
from tests.factories import meeting_make, world_make

METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}
# Raw codes a person must never read (stored values with an underscore, in either language).
RAW_CODES = re.compile(r"\b(?:sekolah_\w+|orang_tua|anak_usia_dini|anggota_lain|graduasi_alamiah|graduasi_mandiri)\b")


def english_catalog() -> dict[str, str]:
    with (ROOT / "app/locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id}


def test_every_msgid_in_the_source_has_an_english_text() -> None:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, options_map=OPTIONS, keywords=keywords
        )
    }
    catalog = english_catalog()
    missing = sorted(m for m in found if m and not catalog.get(m))
    assert missing == [], f"{len(missing)} msgid without English (run `make messages`, then translate): {missing[:40]}"


@pytest.fixture
def pages(session: Session):  # type: ignore[no-untyped-def]
    w = world_make(session)
    ani = w.families[0]
    session.add(
        Member(
            family_id=ani.id or 0,
            name="Engkos",
            birth_date=w.today - timedelta(days=365 * 70),
            sex="L",
            relationship=Relationship.ORANG_TUA,
            schooling=Schooling.SD,
        )
    )
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today - timedelta(days=3), status="terlaksana")
    today = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
    for family in w.families:
        session.add(Attendance(meeting_id=held.id or 0, family_id=family.id or 0, status="hadir"))
    session.flush()
    attendance_summaries_refresh(session=session)
    session.commit()
    member = session.exec(select(Member).where(Member.name == "Engkos")).one()
    return w, {
        w.pendamping.username: [
            "/",
            "/kelompok",
            f"/kelompok/{w.kelompok.id}",
            f"/kelompok/{w.kelompok.id}/pertemuan/baru",
            f"/pertemuan/{today.id}",
            f"/pertemuan/{held.id}",
            f"/kpm/{ani.id}",
            f"/kpm/{ani.id}/ubah",
            f"/kpm/{ani.id}/anggota/baru",
            f"/kpm/{ani.id}/anggota/{member.id}",
            f"/kpm/{ani.id}/riwayat",
            f"/pertemuan/{held.id}/riwayat",
            "/laporan/bulanan",
            "/graduasi/kandidat",
            "/kurikulum",
        ],
        w.supervisor.username: ["/", "/dasbor", "/dasbor/penyelesaian", "/graduasi/usulan", "/supervisi/koreksi"],
        w.admin.username: ["/admin/pengguna", "/admin/kelompok", "/admin/akses"],
    }


def indonesian_left(text: str, catalog: dict[str, str]) -> list[str]:
    """Msgids of two words or more, translated differently, that still appear in the text."""
    found = []
    for msgid, english in catalog.items():
        plain = re.sub(r"%\(\w+\)s", "\0", msgid)
        parts = [p.strip() for p in plain.split("\0")]
        for part in parts:
            if len(part.split()) >= 2 and english and part not in english and part in text:
                found.append(part)
    return found


def test_main_pages_in_english_show_no_indonesian_and_no_raw_code(web: Browser, pages) -> None:  # type: ignore[no-untyped-def]
    w, by_user = pages
    catalog = english_catalog()
    problems: list[str] = []
    for username, urls in by_user.items():
        web.login(username)
        for url in urls:
            indonesian = web.get(url)
            assert indonesian.status_code == 200, (url, indonesian.status_code)
            problems += [f"{url} (id): raw {code}" for code in RAW_CODES.findall(text_of(indonesian.text))]
            assert indonesian_left(text_of(indonesian.text), catalog), (
                url
            )  # the check finds Indonesian when it is there
        web.post("/bahasa", data={"lang": "en", "next": "/"})
        for url in urls:
            page = web.get(url)
            text = text_of(page.text)
            assert 'lang="en"' in page.text
            problems += [f"{url} (en): raw {code}" for code in RAW_CODES.findall(text)]
            problems += [f"{url} (en): {left!r}" for left in indonesian_left(text, catalog)]
    assert not problems, "\n".join(problems)
