"""A verified month in the browser: the supervisor locks it, the pendamping's taps no longer change a mark,
a mark changes only through a correction request the supervisor accepts; every step is in the audit log."""

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from app.attendance.service import attendance_set
from app.clock import today_local
from app.meetings.service import meeting_mark_held
from app.models import Attendance, AuditLog, CorrectionRequest, Family, Meeting, MonthLock
from tests.factories import World, meeting_make, world_make


@dataclass
class HeldLastMonth:
    world: World
    meeting: Meeting
    marks: dict[int, int]  # family id -> attendance id


def held_last_month_make(session: Session) -> HeldLastMonth:
    """Kelompok Mawar met on the 10th of last month: Ani and Budi hadir, Cucu alpa, Dewi izin."""
    today = today_local()
    w = world_make(session)
    day = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=day)
    session.commit()
    marks = {}
    for family, status in zip(w.families, ("hadir", "hadir", "alpa", "izin"), strict=True):
        mark = attendance_set(
            session=session,
            user=w.pendamping,
            kelompok=w.kelompok,
            meeting=meeting,
            family_id=family.id or 0,
            today=today,
            status=status,
        ).mark
        assert mark is not None
        marks[family.id or 0] = mark.id or 0
    meeting_mark_held(session=session, user=w.pendamping, kelompok=w.kelompok, meeting=meeting, today=today)
    return HeldLastMonth(world=w, meeting=meeting, marks=marks)


def stored_marks(engine, meeting: Meeting) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(
            select(Attendance.family_id, Attendance.status).where(Attendance.meeting_id == meeting.id)
        ).all()
    return dict(rows)


def roll_row(page: Page, family: Family):  # type: ignore[no-untyped-def]
    return page.locator(f"#kpm-{family.id}")


def test_locked_month_changes_only_through_a_decided_correction(phones, live_server, e2e_engine):
    with Session(e2e_engine, expire_on_commit=False) as session:
        held = held_last_month_make(session)
    w, meeting, base = held.world, held.meeting, live_server
    ani, budi, cucu, dewi = w.families
    before = {ani.id: "hadir", budi.id: "hadir", cucu.id: "alpa", dewi.id: "izin"}
    assert stored_marks(e2e_engine, meeting) == before

    # the pendamping has the meeting's roll open while the month is still open
    pendamping = phones(w.pendamping.username).new_page()
    pendamping.goto(f"{base}/pertemuan/{meeting.id}")
    expect(pendamping.get_by_role("button", name=f"{dewi.head_name}: Izin")).to_be_visible()

    # the supervisor verifies and locks that month
    supervisor = phones(w.supervisor.username).new_page()
    supervisor.goto(f"{base}/kelompok/{w.kelompok.id}")
    supervisor.get_by_role("link", name="Verifikasi bulanan & unduhan absensi").click()
    month = supervisor.locator(f"#months tr[data-month='{meeting.date:%Y-%m}']")
    month.get_by_role("button", name="Verifikasi & kunci").click()
    expect(month).to_contain_text("terkunci")
    expect(month.get_by_role("button", name="Verifikasi & kunci")).to_have_count(0)

    # a tap from the page opened before the lock is refused on the row, and the stored mark stays
    pendamping.get_by_role("button", name=f"{dewi.head_name}: Izin").click()
    expect(roll_row(pendamping, dewi).get_by_role("alert")).to_contain_text("dikunci supervisor")
    expect(roll_row(pendamping, dewi)).to_have_class(re.compile(r"\bizin\b"))
    assert stored_marks(e2e_engine, meeting) == before
    # the refused change stays on the row (issue 12) until the pendamping keeps the server's value
    roll_row(pendamping, dewi).get_by_role("button", name=re.compile("Pakai yang di server")).click()
    expect(roll_row(pendamping, dewi).get_by_role("alert")).to_have_count(0)

    # reloaded, the page says the month is locked: no tap buttons, and tapping a name changes nothing
    pendamping.reload()
    expect(pendamping.get_by_text("Absensi bulan ini sudah diverifikasi dan dikunci supervisor.")).to_be_visible()
    expect(pendamping.locator("#roll").get_by_role("button")).to_have_count(0)
    expect(pendamping.locator("li.roll-row")).to_have_count(4)
    roll_row(pendamping, cucu).tap()
    roll_row(pendamping, dewi).tap()
    expect(roll_row(pendamping, cucu)).to_contain_text("Alpa")
    expect(roll_row(pendamping, dewi)).to_contain_text("Izin")
    assert stored_marks(e2e_engine, meeting) == before

    # the pendamping asks for two corrections, each with a reason
    form = pendamping.locator("#correction-form")
    for family, shown, wanted, reason in (
        (cucu, "Alpa", "Sakit", "Bu Cucu sakit, surat dokter sudah ada"),
        (dewi, "Izin", "Hadir", "Bu Dewi datang terlambat"),
    ):
        form.get_by_label("KPM").select_option(label=f"{family.head_name} ({shown})")
        form.get_by_label("Status yang benar").select_option(label=wanted)
        form.get_by_label("Alasan").fill(reason)
        form.get_by_role("button", name="Ajukan koreksi").click()
        expect(pendamping.locator("#corrections tbody tr").filter(has_text=reason)).to_contain_text("menunggu")
    expect(pendamping.locator("#corrections tbody tr")).to_have_count(2)
    with Session(e2e_engine) as session:
        asked = {
            c.family_id: c
            for c in session.exec(select(CorrectionRequest).where(CorrectionRequest.meeting_id == meeting.id)).all()
        }
    assert {f: (c.requested_status, c.status) for f, c in asked.items()} == {
        cucu.id: ("sakit", "menunggu"),
        dewi.id: ("hadir", "menunggu"),
    }
    assert stored_marks(e2e_engine, meeting) == before

    # the supervisor accepts Cucu's correction and refuses Dewi's (a refusal needs a note)
    supervisor.reload()
    month.get_by_role("link", name="2 koreksi menunggu").click()
    expect(supervisor.get_by_role("heading", name="Permintaan koreksi absensi")).to_be_visible()
    accept, refuse = (
        supervisor.locator(f"#koreksi-{asked[cucu.id].id}"),
        supervisor.locator(f"#koreksi-{asked[dewi.id].id}"),
    )
    expect(accept).to_contain_text(f"{cucu.head_name}: Alpa → Sakit")
    accept.get_by_role("button", name="Terima dan ubah absensi").click()
    expect(accept).to_have_count(0)
    refuse.get_by_role("button", name="Tolak").click()
    expect(refuse).to_contain_text("Tuliskan alasan penolakan.")
    refuse.get_by_label("Catatan keputusan (wajib jika ditolak)").fill("Daftar hadir kertas mencatat izin")
    refuse.get_by_role("button", name="Tolak").click()
    expect(supervisor.get_by_text("Tidak ada permintaan koreksi yang menunggu.")).to_be_visible()

    # the pendamping sees the accepted mark changed, the refused one unchanged, and the roll still locked
    pendamping.reload()
    expect(roll_row(pendamping, cucu)).to_contain_text("Sakit")
    expect(roll_row(pendamping, dewi)).to_contain_text("Izin")
    expect(pendamping.locator("#roll").get_by_role("button")).to_have_count(0)
    corrections = pendamping.locator("#corrections tbody tr")
    expect(corrections.filter(has_text=cucu.head_name)).to_contain_text("diterima")
    expect(corrections.filter(has_text=dewi.head_name)).to_contain_text("ditolak")
    expect(corrections.filter(has_text=dewi.head_name)).to_contain_text("Daftar hadir kertas mencatat izin")
    assert stored_marks(e2e_engine, meeting) == {**before, cucu.id: "sakit"}

    with Session(e2e_engine) as session:
        lock = session.exec(select(MonthLock).where(MonthLock.kelompok_id == w.kelompok.id)).one()
        assert lock.month == meeting.date.replace(day=1) and lock.verified_by_id == w.supervisor.id
        decided = {
            c.family_id: c
            for c in session.exec(select(CorrectionRequest).where(CorrectionRequest.meeting_id == meeting.id)).all()
        }
        assert (decided[cucu.id].status, decided[cucu.id].decided_by_id) == ("diterima", w.supervisor.id)
        assert (decided[dewi.id].status, decided[dewi.id].decision_note) == (
            "ditolak",
            "Daftar hadir kertas mencatat izin",
        )

        def audit(entity: str, entity_id: int) -> list[AuditLog]:
            return list(
                session.exec(
                    select(AuditLog)
                    .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
                    .order_by(col(AuditLog.id))
                ).all()
            )

        assert [(a.action, a.user_id) for a in audit("monthlock", lock.id or 0)] == [("verify_lock", w.supervisor.id)]
        assert [(a.action, a.user_id) for a in audit("correctionrequest", decided[cucu.id].id or 0)] == [
            ("create", w.pendamping.id),
            ("accept", w.supervisor.id),
        ]
        assert [(a.action, a.user_id) for a in audit("correctionrequest", decided[dewi.id].id or 0)] == [
            ("create", w.pendamping.id),
            ("refuse", w.supervisor.id),
        ]
        cucu_mark = audit("attendance", held.marks[cucu.id or 0])
        assert [(a.action, a.user_id) for a in cucu_mark] == [
            ("create", w.pendamping.id),
            ("correction", w.supervisor.id),
        ]
        assert json.loads(cucu_mark[1].before or "{}")["status"] == "alpa"
        assert json.loads(cucu_mark[1].after or "{}")["status"] == "sakit"
        # the taps after the lock wrote nothing: Dewi's mark has only its first recording
        assert [a.action for a in audit("attendance", held.marks[dewi.id or 0])] == ["create"]
