"""The lists that act: alpa in a row, attendance under the threshold (filters, export), graduates to watch."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlmodel import Session

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, FamilyReadiness, GraduationProposal
from tests.conftest import Browser, text_of
from tests.factories import World, meeting_make, world_make
from tests.home.test_home import alpa_streak_make


def marks_make(session: Session, w: World, pattern: dict[int, list[str]]) -> None:
    """Held meetings of Mawar with the given marks per family index."""
    count = max(len(v) for v in pattern.values())
    for no in range(count):
        meeting = meeting_make(
            session,
            kelompok=w.kelompok,
            topic_no=no + 1,
            day=w.today - timedelta(days=7 * (no + 1)),
            status="terlaksana",
        )
        for index, marks in pattern.items():
            if no < len(marks):
                family = w.families[index]
                session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status=marks[no]))
    session.flush()
    attendance_summaries_refresh(session=session)
    session.commit()


def test_low_attendance_lists_families_under_the_threshold(web: Browser, session: Session) -> None:
    w = world_make(session)
    # Ani 1/4 hadir, Budi 4/4, Cucu 3/4 (75 %), Dewi 7 of 8 would be 87.5 %: here 4/4
    marks_make(
        session,
        w,
        {
            0: ["hadir", "alpa", "izin", "sakit"],
            1: ["hadir"] * 4,
            2: ["hadir", "hadir", "hadir", "alpa"],
            3: ["hadir"] * 4,
        },
    )
    web.login(w.supervisor.username)
    page = text_of(web.get("/daftar/kehadiran-rendah").text)
    assert "Ani Suryani" in page and "Cucu Rohaeti" in page and "Budi Santoso" not in page
    assert page.index("Ani Suryani") < page.index("Cucu Rohaeti")  # lowest first
    assert "1 / 4" in page and "25 %" in page
    # filters: another kelurahan empties it; the same kelompok keeps it
    assert "Ani Suryani" not in web.get("/daftar/kehadiran-rendah", params={"kelurahan": "32.77.01.1002"}).text
    assert "Ani Suryani" in web.get("/daftar/kehadiran-rendah", params={"kelompok": str(w.kelompok.id)}).text
    assert "Ani Suryani" not in web.get("/daftar/kehadiran-rendah", params={"kelompok": str(w.second_kelompok.id)}).text
    # the htmx filter answers the table and the filters only
    part = web.get("/daftar/kehadiran-rendah", headers={"HX-Request": "true", "HX-Target": "worklist"})
    assert "<h1>" not in part.text and "Ani Suryani" in part.text
    # export
    csv = web.get("/daftar/kehadiran-rendah.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "Ani Suryani" in body and "Budi Santoso" not in body and "25.0" in body
    xlsx = web.get("/daftar/kehadiran-rendah.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Nama kepala keluarga" and {r[0] for r in rows[1:]} == {"Ani Suryani", "Cucu Rohaeti"}
    assert web.get("/daftar/kehadiran-rendah.pdf").status_code == 404
    # scope: the other pendamping sees none of Mawar's families
    web.login(w.other_pendamping.username)
    assert "Ani Suryani" not in web.get("/daftar/kehadiran-rendah").text
    assert "Ani Suryani" not in web.get("/daftar/kehadiran-rendah.csv").content.decode("utf-8-sig")


def test_alpa_list_filters_and_exports(web: Browser, session: Session) -> None:
    w = world_make(session)
    alpa_streak_make(session, w, w.families[1])
    session.commit()
    web.login(w.pendamping.username)
    page = text_of(web.get("/daftar/alpa").text)
    assert "Budi Santoso" in page and "Ani Suryani" not in page
    assert (
        "Budi Santoso"
        not in web.get("/daftar/alpa", params={"kecamatan": "32.77.01", "kelurahan": "32.77.01.1002"}).text
    )
    body = web.get("/daftar/alpa.csv").content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Nama kepala keluarga") and "Budi Santoso" in body
    # paging keeps the filters
    assert web.get("/daftar/alpa", params={"halaman": "2", "kelompok": str(w.kelompok.id)}).status_code == 200
    assert web.get("/daftar/alpa", params={"halaman": "x", "kelompok": "-1"}).status_code == 200


def test_graduates_under_monitoring_and_flagged_for_reenrolment(web: Browser, session: Session) -> None:
    w = world_make(session)
    watched, flagged, finished = w.families[0], w.families[1], w.families[2]
    for family, until in ((watched, w.today + timedelta(days=100)), (flagged, w.today + timedelta(days=5))):
        family.status = "graduasi_mandiri"
        session.add(family)
        session.add(
            GraduationProposal(
                family_id=family.id or 0,
                route="mandiri",
                status="disetujui",
                monitor_until=until,
                proposed_by_id=w.pendamping.id,
            )
        )
    finished.status = "graduasi_alamiah"
    session.add(finished)
    session.add(
        GraduationProposal(
            family_id=finished.id or 0, route="alamiah", status="disetujui", monitor_until=date(2020, 1, 1)
        )
    )
    session.merge(FamilyReadiness(family_id=flagged.id or 0, verdict="belum", warnings="tinjau_ulang"))
    session.commit()
    web.login(w.supervisor.username)
    page = text_of(web.get("/daftar/pemantauan").text)
    assert "Ani Suryani" in page and "Budi Santoso" in page and "Cucu Rohaeti" not in page
    assert "Perlu ditinjau" in page
    review = text_of(web.get("/daftar/pemantauan", params={"tinjau": "1"}).text)
    assert "Budi Santoso" in review and "Ani Suryani" not in review
    web.login(w.other_pendamping.username)
    assert "Ani Suryani" not in web.get("/daftar/pemantauan").text
