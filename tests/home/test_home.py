"""Each role's home page shows its waiting work, each count linked to its list; a pendamping is told of decisions."""

import re
from datetime import timedelta

from sqlmodel import Session, select

from app.attendance.service import attendance_summaries_refresh
from app.models import (
    Attendance,
    AuditLog,
    CorrectionRequest,
    Family,
    GraduationProposal,
    Job,
    Notification,
    QualityReview,
)
from tests.conftest import Browser, text_of
from tests.factories import World, meeting_make, user_make, world_make
from tests.home.conftest import PDF


def alpa_streak_make(session: Session, w: World, family: Family, n: int = 3) -> None:
    """n held meetings of the family's kelompok, the family alpa at each (others hadir)."""
    for no in range(1, n + 1):
        meeting = meeting_make(
            session, kelompok=w.kelompok, topic_no=no, day=w.today - timedelta(days=10 * no), status="terlaksana"
        )
        for f in w.families:
            status = "alpa" if f.id == family.id else "hadir"
            session.add(Attendance(meeting_id=meeting.id or 0, family_id=f.id or 0, status=status))
    session.flush()
    attendance_summaries_refresh(session=session)


def proposal_make(session: Session, w: World, family: Family, status: str) -> GraduationProposal:
    proposal = GraduationProposal(
        family_id=family.id or 0, route="alamiah", status=status, proposed_by_id=w.pendamping.id
    )
    session.add(proposal)
    session.flush()
    return proposal


def item_count(html: str, key: str) -> int:
    match = re.search(rf'id="item-{key}".*?<strong class="count">([\d.]+)</strong>', html, re.S)
    assert match, key
    return int(match.group(1).replace(".", ""))


def test_supervisor_home_counts_what_waits_and_links_to_the_lists(web: Browser, session: Session) -> None:
    w = world_make(session)
    alpa_streak_make(session, w, w.families[0])
    proposal_make(session, w, w.families[1], "diusulkan")
    proposal_make(session, w, w.other_family, "diverifikasi")
    meeting = session.exec(select(Attendance)).first()
    assert meeting is not None
    session.add(
        CorrectionRequest(
            meeting_id=meeting.meeting_id,
            family_id=w.families[2].id or 0,
            requested_status="izin",
            reason="Salah ketuk",
            requested_by_id=w.pendamping.id or 0,
        )
    )
    session.commit()
    web.login(w.supervisor.username)
    html = web.get("/").text
    assert item_count(html, "verifications") == 1
    assert item_count(html, "corrections") == 1
    assert item_count(html, "alpa") == 1
    assert item_count(html, "overdue") >= 2  # Melati and Anggrek never met
    # Mawar held meetings this month (maybe) and none was reviewed: due unless all fell last month
    assert 'href="http://testserver/graduasi/usulan?status=diusulkan"' in html
    assert 'href="http://testserver/daftar/alpa"' in html
    assert 'id="item-decisions"' not in html  # a peninjau's work
    alpa = text_of(web.get("/daftar/alpa").text)
    assert "Ani Suryani" in alpa and "Budi Santoso" not in alpa
    # a supervisor of another kecamatan sees none of it
    web.login(w.supervisor_utara.username)
    html = web.get("/").text
    assert item_count(html, "verifications") == 0 and item_count(html, "alpa") == 0


def test_peninjau_home_shows_decisions_waiting(web: Browser, session: Session) -> None:
    w = world_make(session)
    proposal_make(session, w, w.families[0], "diverifikasi")
    proposal_make(session, w, w.families[1], "diverifikasi")
    proposal_make(session, w, w.families[2], "diusulkan")
    session.commit()
    web.login(w.peninjau.username)
    html = web.get("/").text
    assert item_count(html, "decisions") == 2 and 'id="item-verifications"' not in html
    listed = text_of(web.get("/graduasi/usulan?status=diverifikasi").text)
    assert "Ani Suryani" in listed and "Cucu Rohaeti" not in listed


def test_admin_home_shows_accounts_and_jobs_out_of_step(web: Browser, session: Session) -> None:
    w = world_make(session)
    idle = user_make(session, full_name="Pendamping Menganggur")
    w.other_pendamping.is_active = False  # still holds Anggrek
    session.add(w.other_pendamping)
    session.add(Job(kind="readiness_recompute", status="failed", error="disk penuh"))
    session.commit()
    web.login(w.admin.username)
    html = web.get("/").text
    assert item_count(html, "pendamping-idle") >= 1
    assert item_count(html, "inactive-assigned") == 1
    assert item_count(html, "failed-imports") == 1
    assert "Pendamping Menganggur" in text_of(web.get("/daftar/pendamping-tanpa-kelompok").text)
    assert "Dede Pendamping" in text_of(web.get("/daftar/nonaktif-ditugaskan").text)
    assert "disk penuh" in text_of(web.get("/daftar/impor-gagal").text)
    assert idle.id
    # admin lists are the admin's only
    web.login(w.supervisor.username)
    assert web.get("/daftar/impor-gagal").status_code == 403


def test_reviews_due_lists_kelompok_met_this_month_without_a_review(web: Browser, session: Session) -> None:
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    session.commit()
    web.login(w.supervisor.username)
    assert item_count(web.get("/").text, "reviews-due") == 1
    page = web.get("/daftar/penilaian").text
    assert "Kelompok Mawar" in page and f"/pertemuan/{held.id}/penilaian/baru" in page
    session.add(QualityReview(meeting_id=held.id or 0, supervisor_id=w.supervisor.id or 0, score=80))
    session.commit()
    assert item_count(web.get("/").text, "reviews-due") == 0


def test_pendamping_beranda_is_unchanged_without_notifications(web: Browser, session: Session) -> None:
    w = world_make(session)
    web.login(w.pendamping.username)
    html = web.get("/").text
    assert 'id="home-waiting"' not in html and 'id="home-notifications"' not in html
    assert "Kelompok saya" in text_of(html) and 'id="unread-count"' not in html


def test_send_back_notifies_the_pendamping_once(web: Browser, session: Session) -> None:
    w = world_make(session)
    proposal = proposal_make(session, w, w.families[0], "diusulkan")
    session.commit()
    web.login(w.supervisor.username)
    r = web.post(f"/graduasi/usulan/{proposal.id}/kembalikan", data={"reason": "Surat belum bertanda tangan"})
    assert r.status_code == 303
    note = session.exec(select(Notification)).one()
    assert note.user_id == w.pendamping.id and note.kind == "usulan_dikembalikan" and note.proposal_id == proposal.id
    web.login(w.pendamping.username)
    html = web.get("/kelompok").text
    assert re.search(r'id="unread-count">1<', html)
    home = web.get("/").text
    assert "Usulan dikembalikan" in text_of(home) and "Surat belum bertanda tangan" in home and "Baru" in home
    assert 'id="unread-count"' not in home  # read on view: the header follows
    session.expire_all()
    assert session.exec(select(Notification)).one().read_at is not None
    assert 'id="unread-count"' not in web.get("/kelompok").text
    assert "Usulan dikembalikan" in text_of(web.get("/pemberitahuan").text)


def test_decisions_and_corrections_notify(web: Browser, session: Session) -> None:
    w = world_make(session)
    deferred = proposal_make(session, w, w.families[0], "diverifikasi")
    approved = proposal_make(session, w, w.families[1], "diverifikasi")
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    requests = [
        CorrectionRequest(
            meeting_id=meeting.id or 0,
            family_id=f.id or 0,
            requested_status="hadir",
            reason="Salah ketuk",
            requested_by_id=w.pendamping.id or 0,
        )
        for f in w.families[2:4]
    ]
    session.add_all(requests)
    session.commit()
    web.login(w.peninjau.username)
    assert (
        web.post(
            f"/graduasi/usulan/{deferred.id}/keputusan", data={"decision": "ditunda", "reason": "Tunggu asesmen"}
        ).status_code
        == 303
    )
    assert web.post(f"/graduasi/usulan/{approved.id}/keputusan", data={"decision": "disetujui"}).status_code == 303
    web.login(w.supervisor.username)
    assert web.post(f"/koreksi/{requests[0].id}/keputusan", data={"keputusan": "terima"}).status_code in (200, 303)
    assert web.post(
        f"/koreksi/{requests[1].id}/keputusan", data={"keputusan": "tolak", "decision_note": "Foto tidak cocok"}
    ).status_code in (200, 303)
    kinds = sorted(n.kind for n in session.exec(select(Notification).where(Notification.user_id == w.pendamping.id)))
    assert kinds == ["koreksi_diterima", "koreksi_ditolak", "usulan_disetujui", "usulan_ditunda"]
    web.login(w.pendamping.username)
    assert re.search(r'id="unread-count">4<', web.get("/kelompok").text)
    page = text_of(web.get("/pemberitahuan").text)
    assert "Koreksi absensi ditolak" in page and "Foto tidak cocok" in page and "Usulan ditunda" in page


def test_notifications_are_private(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.add(Notification(user_id=w.pendamping.id or 0, kind="usulan_ditolak", subject="Ani Suryani"))
    session.commit()
    web.login(w.other_pendamping.username)
    assert "Ani Suryani" not in web.get("/pemberitahuan").text
    session.expire_all()
    assert session.exec(select(Notification)).one().read_at is None


def test_exit_proposal_goes_through_the_same_review(web: Browser, session: Session) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    assert "Usulkan keluar" in web.get(f"/kpm/{family.id}").text
    form = web.get(f"/kpm/{family.id}/usulan-keluar/baru")
    assert form.status_code == 200 and "mengundurkan diri" in form.text
    # refused: short reason, no evidence → 422, typed values kept, Indonesian messages
    r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": "sukarela", "reason": "Pindah"})
    assert r.status_code == 422
    assert "Tulis alasan keluar minimal 30 karakter." in text_of(r.text) and ">Pindah</textarea>" in r.text
    r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": "lain", "reason": "x" * 40})
    assert r.status_code == 422 and "Pilih jalur keluar" in text_of(r.text)
    reason = "Keluarga pindah domisili ke Kabupaten Garut dan mengundurkan diri dari PKH."
    r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": "sukarela", "reason": reason})
    assert r.status_code == 422 and "Unggah bukti" in text_of(r.text)
    assert session.exec(select(GraduationProposal)).first() is None
    files = {"evidence": ("surat.pdf", PDF, "application/pdf")}
    r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": "sukarela", "reason": reason}, files=files)
    assert r.status_code == 303, text_of(r.text)[:300]
    proposal = session.exec(select(GraduationProposal)).one()
    assert proposal.route == "sukarela" and proposal.status == "diusulkan"
    web.login(w.supervisor.username)
    assert "keluar: mengundurkan diri" in text_of(web.get(f"/graduasi/usulan/{proposal.id}").text)
    assert web.post(f"/graduasi/usulan/{proposal.id}/verifikasi").status_code == 303
    web.login(w.peninjau.username)
    assert web.post(f"/graduasi/usulan/{proposal.id}/keputusan", data={"decision": "disetujui"}).status_code == 303
    session.refresh(proposal)
    session.refresh(family)
    assert family.status == "keluar" and proposal.monitor_until is None
    assert session.exec(select(AuditLog).where(AuditLog.action == "graduate")).one().entity_id == str(family.id)
    # a second exit cannot be proposed for a family already out
    web.login(w.pendamping.username)
    r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": "musyawarah", "reason": reason}, files=files)
    assert r.status_code == 422 and "sudah tidak aktif" in text_of(r.text)


def test_exit_proposal_refused_to_other_roles(web: Browser, session: Session) -> None:
    w = world_make(session)
    web.login(w.supervisor.username)
    assert web.get(f"/kpm/{w.families[0].id}/usulan-keluar/baru").status_code == 403
    web.login(w.other_pendamping.username)
    assert web.get(f"/kpm/{w.families[0].id}/usulan-keluar/baru").status_code == 404
