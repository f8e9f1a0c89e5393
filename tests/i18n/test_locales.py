"""Bahasa Indonesia by default, English as the second locale, from the Babel catalog."""

from babel.messages.pofile import read_po

from app.settings import ROOT
from tests.factories import world_make


def test_english_catalog_is_complete_and_placeholders_match():
    with (ROOT / "app/locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []
    import re

    for m in catalog:
        if m.id and isinstance(m.id, str):
            assert sorted(re.findall(r"%\(\w+\)s", m.id)) == sorted(re.findall(r"%\(\w+\)s", m.string)), m.id


def test_pages_switch_between_indonesian_and_english(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}").text
    assert "Jadwalkan pertemuan" in page and 'lang="id"' in page and "Selesai (%)" in page
    assert web.post("/bahasa", data={"lang": "en", "next": f"/kelompok/{w.kelompok.id}"}).status_code in (204, 303)
    page = web.get(f"/kelompok/{w.kelompok.id}").text
    assert 'lang="en"' in page and "Jadwalkan pertemuan" not in page and "Completed (%)" in page
