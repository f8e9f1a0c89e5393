"""The header search: any member's name (partial, case- and accent-insensitive), NIK, No. KK or kelompok, within the
user's scope; a full NIK finds a family for roles that see it masked, and the result stays masked."""

from datetime import date

from sqlmodel import select

from app.identity.rules import nik_make
from app.models import AccessLog, Member
from app.search.queries import search_run
from app.search.rules import like_pattern, search_parse
from tests.conftest import text_of
from tests.factories import family_make, world_make

NIK = nik_make(kecamatan_code="32.77.01", birth_date=date(2010, 4, 9), sex="P", serial=33)


def _world(session):
    w = world_make(session)
    family = family_make(
        session,
        kelompok=w.kelompok,
        head_name="Ibu Éneng Súkaésih",
        members=[
            {"name": "Éneng Súkaésih", "birth_date": date(1980, 1, 2), "sex": "P", "relationship": "istri"},
            {"name": "Nùrul Hidayah", "nik": NIK, "birth_date": date(2010, 4, 9), "sex": "P", "relationship": "anak"},
        ],
    )
    session.commit()
    return w, family


def test_partial_name_any_member_case_and_accent_insensitive(web, session):
    w, family = _world(session)
    for user in (w.pendamping, w.supervisor, w.admin):  # a kelompok's members, or (SQLite) the trigram index
        web.login(user.username)
        for typed in ("hidayah", "NURUL", "nurul hid", "sukaesih", "Súkaé", "nu"):
            page = web.get("/cari", params={"q": typed})
            assert page.status_code == 200
            assert f"/kpm/{family.id}" in page.text, (user.role, typed)
        assert "Tidak ada KPM yang cocok" in text_of(web.get("/cari", params={"q": "zzzqx"}).text)


def test_full_nik_finds_the_family_masked_for_a_supervisor(web, session):
    w, family = _world(session)
    web.login(w.supervisor.username)
    page = web.get("/cari", params={"q": NIK})
    results = page.text.split('id="search-results"', 1)[1]  # the box above keeps what was typed
    assert f"/kpm/{family.id}" in results
    assert NIK not in results and NIK[:4] + "••••••••" + NIK[-4:] in results
    # The family's own pendamping sees it in full, and that view is logged.
    web.login(w.pendamping.username)
    page = web.get("/cari", params={"q": " ".join([NIK[:6], NIK[6:12], NIK[12:]])})
    assert NIK in page.text
    assert session.exec(select(AccessLog).where(AccessLog.entity == "search")).first() is not None


def test_kk_and_kelompok_name(web, session):
    w, family = _world(session)
    web.login(w.admin.username)
    assert f"/kpm/{family.id}" in web.get("/cari", params={"q": family.kk_number}).text
    page = web.get("/cari", params={"q": "mawar"})
    assert f"/kelompok/{w.kelompok.id}" in page.text


def test_scope_other_area_and_other_pendamping_find_nothing(web, session):
    w, family = _world(session)
    for user in (w.supervisor_utara, w.other_pendamping):
        web.login(user.username)
        for typed in ("hidayah", NIK, family.kk_number, "mawar"):
            page = web.get("/cari", params={"q": typed})
            assert f"/kpm/{family.id}" not in page.text and f'/kelompok/{w.kelompok.id}"' not in page.text


def test_partial_numbers_and_short_queries_explain_themselves(web, session):
    w, _ = _world(session)
    web.login(w.pendamping.username)
    assert "ke-16 digitnya" in text_of(web.get("/cari", params={"q": NIK[:10]}).text)
    assert "paling sedikit 2 huruf" in text_of(web.get("/cari", params={"q": "a"}).text)
    fragment = web.get("/cari", params={"q": "hidayah"}, headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Nùrul Hidayah" in fragment.text


def test_name_key_kept_on_rename(session):
    _, family = _world(session)
    member = session.exec(select(Member).where(Member.family_id == family.id, Member.nik == NIK)).one()
    assert member.name_key == "nurul hidayah"
    member.name = "NÚRUL  Aini"
    session.add(member)
    session.flush()
    assert member.name_key == "nurul aini"
    user = world_make(session).admin
    found = search_run(session=session, user=user, query=search_parse("Aini"))
    assert [hit.family.id for hit in found.families] == [family.id]
    assert search_run(session=session, user=user, query=search_parse("Hidayah")).families == []


def test_query_rules():
    assert search_parse("  3277 0149 0410 0033 ").number == "3277014904100033"
    assert search_parse("3.27701E+15").key == "3.27701e+15"
    assert search_parse("100%_").key == "100%_" and like_pattern("100%_") == "%100\\%\\_%"
    assert search_parse("").key is None and search_parse("").problem is None
