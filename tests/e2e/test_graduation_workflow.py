"""Graduation review in the browser, one phone per person: the pendamping proposes a family that is ready for
graduasi sejahtera mandiri, the supervisor verifies (or sends it back with a reason), the peninjau approves."""

import re
import struct
import zlib
from dataclasses import dataclass
from datetime import date, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, func, select

from app.assessments.forms import ECONOMY_FLAGS, Answer, AssessmentInput
from app.assessments.queries import indicators_all
from app.assessments.service import assessment_save
from app.attendance.service import attendance_all_present
from app.clock import today_local
from app.graduation.service import readiness_refresh_families
from app.meetings.service import meeting_mark_held
from app.models import (
    AuditLog,
    Family,
    FamilyReadiness,
    GraduationEvent,
    GraduationProposal,
    Meeting,
)
from tests.factories import World, family_make, meeting_make, world_make

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_1x1() -> bytes:
    """A real (decodable) one-pixel PNG, as a phone camera upload would be, only smaller."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


@dataclass
class Ready:
    world: World
    family: Family
    today_meeting: Meeting
    today: date


def answers(session: Session, *, good: bool) -> dict[int, Answer]:
    found = {}
    for indicator in indicators_all(session=session, active_only=True):
        if indicator.value_type == "number":
            found[indicator.id or 0] = Answer(value_num=(indicator.target or 0) + (10 if good else -10))
        else:
            found[indicator.id or 0] = Answer(value_bool=good)
    return found


def assessment_input(session: Session, *, kind: str, day: date, good: bool) -> AssessmentInput:
    """Spending Rp 4.080.000 for four people (1,62 × the national urban line), desil 6, all five welfare signs;
    every indicator met when `good`, none otherwise."""
    return AssessmentInput(
        kind=kind,
        assessed_on=day,
        module_id=None,
        household_size=4,
        monthly_income=4_500_000,
        monthly_spending=4_080_000,
        income_sources=2,
        desil=6,
        flags=dict.fromkeys(ECONOMY_FLAGS, True),
        notes="",
        answers=answers(session, good=good),
    )


def ready_family_make(session: Session, *, head: str) -> Ready:
    """A child still at SD (so not alamiah), all 14 core sessions attended this year, baseline low, graduation
    assessment high, spending well above the poverty line: every sejahtera-mandiri criterion met.
    Written through the services the pages use, so every summary and the stored verdict stay in step."""
    today = today_local()
    w = world_make(session)
    family = family_make(
        session,
        kelompok=w.kelompok,
        head_name=head,
        members=[
            {"name": head, "birth_date": date(1987, 2, 14), "sex": "P", "relationship": "istri", "is_pengurus": True},
            {"name": "Raka", "birth_date": date(2016, 3, 3), "sex": "L", "relationship": "anak", "schooling": "sd"},
        ],
    )
    today_meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=today, start=time(14, 0))
    session.commit()
    for no in range(1, 15):
        held = meeting_make(session, kelompok=w.kelompok, topic_no=no, day=today - timedelta(days=20 * no))
        attendance_all_present(session=session, user=w.pendamping, kelompok=w.kelompok, meeting=held, today=today)
        meeting_mark_held(session=session, user=w.pendamping, kelompok=w.kelompok, meeting=held, today=today)
    assessment_save(
        session=session,
        user=w.pendamping,
        family=family,
        data=assessment_input(session, kind="baseline", day=today - timedelta(days=300), good=False),
    )
    assessment_save(
        session=session,
        user=w.pendamping,
        family=family,
        data=assessment_input(session, kind="graduasi", day=today, good=True),
    )
    readiness_refresh_families(session=session, family_ids=[family.id or 0], today=today)
    stored = session.get(FamilyReadiness, family.id)
    assert stored is not None and stored.verdict == "mandiri", stored and stored.details
    return Ready(world=w, family=family, today_meeting=today_meeting, today=today)


def propose(page: Page, *, head: str, file: dict[str, object]) -> int:
    """From the family page: upload the signed statement and send; returns the new proposal's id."""
    page.get_by_role("button", name="Usulkan graduasi").click()
    expect(page.get_by_role("heading", name=f"Usulkan graduasi: {head}")).to_be_visible()
    page.get_by_label("Surat pernyataan bertanda tangan").set_input_files(file)  # type: ignore[arg-type]
    page.get_by_role("button", name="Kirim usulan").click()
    expect(page).to_have_url(re.compile(r"/graduasi/usulan/\d+$"))
    expect(page.locator("#proposal-status")).to_have_text("Diusulkan")
    return int(page.url.rsplit("/", 1)[1])


def csrf_token(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.input_value()


def audit_count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditLog)).one()


def test_proposed_verified_approved_then_off_the_roll(phones, live_server, e2e_engine):
    head = "Rina Wulandari"
    with Session(e2e_engine, expire_on_commit=False) as session:
        ready = ready_family_make(session, head=head)
    w, family, base = ready.world, ready.family, live_server
    png = png_1x1()

    # pendamping: the stored verdict lists the family as ready; its page explains why, criterion by criterion
    pendamping = phones(w.pendamping.username).new_page()
    pendamping.goto(f"{base}/graduasi/kandidat")
    pendamping.locator("select[name=kesiapan]").select_option(label="Siap graduasi sejahtera mandiri")
    expect(pendamping.locator("#candidates tbody tr")).to_have_count(1)
    row = pendamping.get_by_role("row").filter(has=pendamping.get_by_role("link", name=head))
    expect(row).to_contain_text("Siap graduasi sejahtera mandiri")
    row.get_by_role("link", name=head).click()
    expect(pendamping.get_by_role("heading", name=head, exact=True)).to_be_visible()
    readiness = pendamping.locator("#readiness")
    expect(readiness.locator(".badge.verdict-mandiri")).to_have_text("Siap graduasi sejahtera mandiri")
    expect(readiness.locator("ul.criteria > li.met")).to_have_count(5)
    expect(readiness.locator("ul.criteria > li.not_met")).to_contain_text("masih ada komponen: Anak SD (1)")
    expect(readiness).to_contain_text("hadir 14 dari 14 sesi")
    proposal_id = propose(
        pendamping, head=head, file={"name": "pernyataan.png", "mimeType": "image/png", "buffer": png}
    )
    expect(pendamping.locator("#verify")).to_have_count(0)
    statement = pendamping.get_by_role("link", name="Lihat surat pernyataan").get_attribute("href")
    assert pendamping.request.get(statement or "").body() == png

    # supervisor verifies
    supervisor = phones(w.supervisor.username).new_page()
    supervisor.goto(f"{base}/graduasi/usulan")
    supervisor.get_by_role("link", name="Diusulkan", exact=True).click()
    expect(supervisor.get_by_role("link", name="Diusulkan", exact=True)).to_have_attribute("aria-current", "page")
    supervisor.get_by_role("link", name=head).click()
    expect(supervisor).to_have_url(f"{base}/graduasi/usulan/{proposal_id}")
    expect(supervisor.locator("#decide")).to_have_count(0)
    supervisor.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(supervisor.locator("#proposal-status")).to_have_text("Diverifikasi")

    # pendamping: no approve control on the page, and a forged approval is refused with nothing changed
    pendamping.reload()
    expect(pendamping.locator("#proposal-status")).to_have_text("Diverifikasi")
    expect(pendamping.get_by_role("button", name="Simpan keputusan")).to_have_count(0)
    expect(pendamping.get_by_role("radio", name="Setujui")).to_have_count(0)
    audit_before = audit_count(e2e_engine)
    forged = pendamping.request.post(
        f"{base}/graduasi/usulan/{proposal_id}/keputusan",
        form={"csrf_token": csrf_token(pendamping), "decision": "disetujui", "reason": "saya setujui sendiri"},
    )
    assert forged.status == 403 and "tidak berwenang" in forged.text()
    with Session(e2e_engine) as session:
        proposal = session.get(GraduationProposal, proposal_id)
        assert proposal is not None and proposal.status == "diverifikasi" and proposal.decided_by_id is None
        assert session.get(Family, family.id).status == "aktif"  # type: ignore[union-attr]
    assert audit_count(e2e_engine) == audit_before
    pendamping.reload()
    expect(pendamping.locator("#proposal-status")).to_have_text("Diverifikasi")

    # peninjau approves with a reason; the berita acara lists the family
    peninjau = phones(w.peninjau.username).new_page()
    peninjau.goto(f"{base}/graduasi/usulan?status=diverifikasi")
    peninjau.get_by_role("link", name=head).click()
    expect(peninjau.locator("#verify")).to_have_count(0)
    peninjau.get_by_role("radio", name="Setujui").check()
    peninjau.get_by_label("Alasan (wajib untuk tunda atau tolak)").fill("Disepakati musyawarah kelurahan")
    peninjau.get_by_role("button", name="Simpan keputusan").click()
    expect(peninjau.locator("#proposal-status")).to_have_text("Disetujui")
    expect(peninjau.get_by_text("Alasan: Disepakati musyawarah kelurahan")).to_be_visible()
    expect(peninjau.locator("#history .badge")).to_have_text(["Diusulkan", "Diverifikasi", "Disetujui"])
    peninjau.get_by_role("link", name="Graduasi", exact=True).click()
    peninjau.get_by_role("button", name="Berita acara").click()
    expect(peninjau.get_by_role("heading", name="Berita acara graduasi KPM PKH")).to_be_visible()
    # a full page load, not an htmx swap: the sheet's own A4 print styles must be in force
    assert "Times New Roman" in peninjau.evaluate("getComputedStyle(document.body).fontFamily")
    listed = peninjau.get_by_role("row").filter(has_text=family.programme_id)
    expect(listed).to_contain_text(head)
    expect(listed).to_contain_text("sejahtera mandiri")
    expect(listed).to_contain_text(w.kelompok.name)

    # pendamping: graduated, off the kelompok's list and today's roll, its history still readable
    pendamping.goto(f"{base}/kpm/{family.id}")
    expect(pendamping.get_by_role("heading", name=head, exact=True)).to_be_visible()
    expect(pendamping.locator("#family-status")).to_have_text("Graduasi sejahtera mandiri")
    expect(pendamping.locator("#readiness")).to_contain_text("Dipantau setelah graduasi sampai")
    expect(pendamping.get_by_role("button", name="Usulkan graduasi")).to_have_count(0)
    proposal_link = pendamping.get_by_role("link", name=re.compile("^Usulan "))
    proposals = pendamping.locator("#readiness li").filter(has=proposal_link)
    expect(proposals).to_have_count(1)
    expect(proposals).to_contain_text("Disetujui")
    expect(pendamping.locator("#attendance-history tbody tr")).to_have_count(14)
    pendamping.get_by_role("link", name=f"← {w.kelompok.name}").click()
    expect(pendamping.get_by_role("heading", name=w.kelompok.name)).to_be_visible()
    expect(pendamping.locator("#progress-grid").get_by_role("link", name="Ani Suryani")).to_be_visible()
    expect(pendamping.locator("#progress-grid").get_by_role("link", name=head)).to_have_count(0)
    pendamping.goto(f"{base}/pertemuan/{ready.today_meeting.id}")
    expect(pendamping.locator("li.roll-row")).to_have_count(4)
    expect(pendamping.locator("#roll")).not_to_contain_text(head)

    with Session(e2e_engine) as session:
        stored = session.get(Family, family.id)
        assert stored is not None and stored.status == "graduasi_mandiri" and stored.exited_on == ready.today
        proposal = session.get(GraduationProposal, proposal_id)
        assert proposal is not None and proposal.route == "mandiri"
        assert proposal.reason == "Disepakati musyawarah kelurahan"
        assert (proposal.proposed_by_id, proposal.verified_by_id, proposal.decided_by_id) == (
            w.pendamping.id,
            w.supervisor.id,
            w.peninjau.id,
        )
        steps = session.exec(
            select(GraduationEvent.step)
            .where(GraduationEvent.proposal_id == proposal_id)
            .order_by(col(GraduationEvent.id))
        ).all()
        assert steps == ["diusulkan", "diverifikasi", "disetujui"]
        graduate = session.exec(
            select(AuditLog).where(
                AuditLog.entity == "family", AuditLog.action == "graduate", AuditLog.entity_id == str(family.id)
            )
        ).one()
        assert graduate.user_id == w.peninjau.id


def test_sent_back_with_a_reason_then_proposable_again(phones, live_server, e2e_engine):
    head = "Sri Mulyani"
    with Session(e2e_engine, expire_on_commit=False) as session:
        ready = ready_family_make(session, head=head)
    w, family, base = ready.world, ready.family, live_server

    pendamping = phones(w.pendamping.username).new_page()
    pendamping.goto(f"{base}/kpm/{family.id}")
    proposal_id = propose(
        pendamping, head=head, file={"name": "pernyataan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )

    supervisor = phones(w.supervisor.username).new_page()
    supervisor.goto(f"{base}/graduasi/usulan/{proposal_id}")
    supervisor.get_by_role("button", name="Kembalikan ke pendamping").click()
    expect(supervisor.locator("#return_reason-error")).to_contain_text("Tulis alasannya")
    expect(supervisor.locator("#proposal-status")).to_have_text("Diusulkan")
    supervisor.get_by_label("Alasan dikembalikan").fill("Tanda tangan di surat tidak terbaca")
    supervisor.get_by_role("button", name="Kembalikan ke pendamping").click()
    expect(supervisor.locator("#proposal-status")).to_have_text("Dikembalikan")
    expect(supervisor.get_by_text("Alasan: Tanda tangan di surat tidak terbaca")).to_be_visible()
    expect(supervisor.get_by_role("button", name="Verifikasi", exact=True)).to_have_count(0)

    # the pendamping reads the reason and may propose again
    pendamping.goto(f"{base}/kpm/{family.id}")
    pendamping.get_by_role("link", name=re.compile("^Usulan ")).click()
    expect(pendamping.locator("#proposal-status")).to_have_text("Dikembalikan")
    expect(pendamping.get_by_text("Alasan: Tanda tangan di surat tidak terbaca")).to_be_visible()
    pendamping.get_by_role("link", name=head, exact=True).click()
    expect(pendamping.get_by_role("button", name="Usulkan graduasi")).to_be_visible()

    with Session(e2e_engine) as session:
        proposal = session.get(GraduationProposal, proposal_id)
        assert proposal is not None and proposal.status == "dikembalikan"
        assert proposal.reason == "Tanda tangan di surat tidak terbaca" and proposal.verified_by_id == w.supervisor.id
        assert session.get(Family, family.id).status == "aktif"  # type: ignore[union-attr]
        actions = session.exec(
            select(AuditLog.action)
            .where(AuditLog.entity == "graduation_proposal", AuditLog.entity_id == str(proposal_id))
            .order_by(col(AuditLog.id))
        ).all()
        assert actions == ["create", "dikembalikan"]
