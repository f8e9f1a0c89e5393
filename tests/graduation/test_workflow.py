"""The review workflow through the pages: pendamping proposes, supervisor verifies, peninjau decides."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from app.clock import today_local
from app.graduation.service import readiness_recompute_all
from app.models import Assessment, AuditLog, Document, Family, FamilyReadiness, GraduationEvent, GraduationProposal
from app.settings import get_settings
from tests.conftest import text_of
from tests.factories import family_make, world_make

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    return tmp_path / "uploads"


def propose(web, family_id, *, data=b"", name="pernyataan.pdf", content_type="application/pdf", justification=""):
    files = {"statement": (name, data, content_type)} if data else {"statement": ("", b"", "application/octet-stream")}
    return web.post(f"/kpm/{family_id}/usulan-graduasi", data={"justification": justification}, files=files)


def proposal_of(session, family_id):
    return session.exec(select(GraduationProposal).where(GraduationProposal.family_id == family_id)).one()


def test_full_workflow_three_roles(web, session, upload_dir):
    w = world_make(session)
    family = w.families[0]  # one adult member, no component left: ready for graduasi alamiah
    web.login(w.pendamping.username)
    page = text_of(web.get(f"/kpm/{family.id}").text)
    assert "Siap graduasi alamiah" in page and "Usulkan graduasi" in page
    assert "Tidak ada komponen PKH tersisa — terpenuhi" in page
    assert "Kehadiran P2K2 12 bulan terakhir — belum diketahui belum ada catatan kehadiran" in page

    r = propose(web, family.id, data=PDF)
    assert r.status_code == 303, text_of(r.text)[:400]
    proposal = proposal_of(session, family.id)
    assert proposal.status == "diusulkan" and proposal.route == "alamiah"
    document = session.get(Document, proposal.statement_document_id)
    assert document.content_type == "application/pdf" and (upload_dir / document.sha256).read_bytes() == PDF
    assert web.get(f"/dokumen/{document.id}").content == PDF

    web.login(w.supervisor.username)
    assert "Verifikasi" in web.get(f"/graduasi/usulan/{proposal.id}").text
    r = web.post(f"/graduasi/usulan/{proposal.id}/verifikasi")
    assert r.status_code == 303
    session.refresh(proposal)
    assert proposal.status == "diverifikasi" and proposal.verified_by_id == w.supervisor.id

    web.login(w.peninjau.username)
    r = web.post(f"/graduasi/usulan/{proposal.id}/keputusan", data={"decision": "disetujui", "reason": ""})
    assert r.status_code == 303
    session.refresh(proposal)
    session.refresh(family)
    today = today_local()
    assert proposal.status == "disetujui" and family.status == "graduasi_alamiah" and family.exited_on == today
    assert proposal.monitor_until is not None and (proposal.monitor_until - today).days in range(360, 370)
    steps = [
        e.step
        for e in session.exec(
            select(GraduationEvent).where(GraduationEvent.proposal_id == proposal.id).order_by(col(GraduationEvent.id))
        ).all()
    ]
    assert steps == ["diusulkan", "diverifikasi", "disetujui"]
    actions = {a.action for a in session.exec(select(AuditLog).where(AuditLog.entity == "graduation_proposal")).all()}
    assert actions == {"create", "diverifikasi", "disetujui"}

    # off the roll, but the family's page and history stay readable
    web.login(w.pendamping.username)
    assert "Ani Suryani" not in web.get(f"/kelompok/{w.kelompok.id}").text
    page = text_of(web.get(f"/kpm/{family.id}").text)
    assert "Ani Suryani" in page and "Disetujui" in page and "Dipantau setelah graduasi sampai" in page

    # monitoring: a follow-up below the poverty line flags the graduate for re-enrolment review
    r = web.post(
        f"/kpm/{family.id}/asesmen",
        data={
            "kind": "pemantauan",
            "assessed_on": today.isoformat(),
            "household_size": "4",
            "monthly_spending": "1.600.000",
        },
    )
    assert r.status_code == 303
    assert session.exec(select(Assessment).where(Assessment.family_id == family.id)).one().status == "final"
    page = text_of(web.get(f"/kpm/{family.id}").text)
    assert "pengeluaran per kapita Rp 400.000 di bawah garis kemiskinan nasional perkotaan 2025" in page
    web.login(w.supervisor.username)
    assert "Perlu ditinjau untuk pendaftaran ulang Ani Suryani" in text_of(web.get("/graduasi/kandidat").text)

    web.login(w.peninjau.username)
    sheet = text_of(web.get("/graduasi/berita-acara").text)
    assert "Berita acara graduasi KPM PKH" in sheet and "Ani Suryani" in sheet and "alamiah" in sheet
    assert "@page { size: A4" in web.get("/graduasi/berita-acara").text


def test_send_back_and_reject_need_a_reason(web, session):
    w = world_make(session)
    family = w.families[1]
    web.login(w.pendamping.username)
    propose(web, family.id, data=PNG, name="foto.png", content_type="image/png")
    proposal = proposal_of(session, family.id)
    web.login(w.supervisor.username)
    r = web.post(f"/graduasi/usulan/{proposal.id}/kembalikan", data={"reason": ""})
    assert r.status_code == 422 and "Tulis alasannya" in text_of(r.text)
    r = web.post(f"/graduasi/usulan/{proposal.id}/kembalikan", data={"reason": "Tanda tangan tidak terbaca"})
    assert r.status_code == 303
    session.refresh(proposal)
    assert proposal.status == "dikembalikan" and proposal.reason == "Tanda tangan tidak terbaca"
    # sent back: the pendamping may propose again
    web.login(w.pendamping.username)
    assert propose(web, family.id, data=PDF).status_code == 303
    second = session.exec(
        select(GraduationProposal).where(
            GraduationProposal.family_id == family.id, GraduationProposal.status == "diusulkan"
        )
    ).one()
    web.login(w.supervisor.username)
    web.post(f"/graduasi/usulan/{second.id}/verifikasi")
    web.login(w.peninjau.username)
    r = web.post(f"/graduasi/usulan/{second.id}/keputusan", data={"decision": "ditolak", "reason": ""})
    assert r.status_code == 422 and "Tulis alasannya" in text_of(r.text)
    r = web.post(f"/graduasi/usulan/{second.id}/keputusan", data={"decision": "ditunda", "reason": "Tunggu musdes"})
    assert r.status_code == 303
    session.refresh(second)
    session.refresh(family)
    assert second.status == "ditunda" and family.status == "aktif"


def test_wrong_roles_get_403_and_nothing_changes(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    propose(web, family.id, data=PDF)
    proposal = proposal_of(session, family.id)
    audit_before = len(session.exec(select(AuditLog)).all())

    # the pendamping may neither verify nor approve
    assert web.post(f"/graduasi/usulan/{proposal.id}/verifikasi").status_code == 403
    r = web.post(f"/graduasi/usulan/{proposal.id}/keputusan", data={"decision": "disetujui"})
    assert r.status_code == 403 and "tidak berwenang" in text_of(r.text)
    # the supervisor may not decide, the peninjau may not verify
    web.login(w.supervisor.username)
    assert web.post(f"/graduasi/usulan/{proposal.id}/keputusan", data={"decision": "disetujui"}).status_code == 403
    web.login(w.peninjau.username)
    assert web.post(f"/graduasi/usulan/{proposal.id}/verifikasi").status_code == 403
    # a supervisor outside the area cannot even see it
    web.login(w.supervisor_utara.username)
    assert web.post(f"/graduasi/usulan/{proposal.id}/verifikasi").status_code == 404
    # a supervisor cannot propose
    web.login(w.supervisor.username)
    assert propose(web, w.families[2].id, data=PDF).status_code == 403

    session.refresh(proposal)
    session.refresh(family)
    assert proposal.status == "diusulkan" and family.status == "aktif"
    assert len(session.exec(select(AuditLog)).all()) == audit_before
    assert web.get("/admin/aturan").status_code == 403


def test_other_pendamping_family_is_404(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    assert web.get(f"/kpm/{w.other_family.id}/usulan-graduasi/baru").status_code == 404
    assert propose(web, w.other_family.id, data=PDF).status_code == 404
    assert web.get(f"/kpm/{w.other_family.id}/asesmen/baru").status_code == 404
    assert session.exec(select(GraduationProposal)).all() == []


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "virus.pdf", "application/pdf", "Jenis berkas tidak diterima"),
        (PNG, "foto.pdf", "application/pdf", "Jenis berkas tidak diterima"),
        (b"GIF89a" + b"\x00" * 10, "a.gif", "image/gif", "Jenis berkas tidak diterima"),
        (b"", "", "", "Unggah surat pernyataan"),
    ],
)
def test_bad_upload_is_refused_before_storing(web, session, upload_dir, data, name, content_type, message):
    w = world_make(session)
    web.login(w.pendamping.username)
    r = propose(web, w.families[0].id, data=data, name=name, content_type=content_type)
    assert r.status_code == 422 and message in text_of(r.text)
    assert 'aria-invalid="true"' in r.text
    assert session.exec(select(Document)).all() == [] and session.exec(select(GraduationProposal)).all() == []
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_oversized_upload_is_refused(web, session, upload_dir, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1024)
    w = world_make(session)
    web.login(w.pendamping.username)
    r = propose(web, w.families[0].id, data=PDF + b"0" * 2048)
    assert r.status_code == 422 and "Berkas terlalu besar" in text_of(r.text)
    assert session.exec(select(Document)).all() == []
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_not_ready_family_cannot_be_proposed(web, session):
    w = world_make(session)
    family = family_make(
        session,
        kelompok=w.kelompok,
        head_name="Gita Anak",
        members=[
            {"name": "Gita", "birth_date": date(1990, 1, 1), "sex": "P", "relationship": "istri", "is_pengurus": True},
            {"name": "Raka", "birth_date": date(2016, 3, 3), "sex": "L", "relationship": "anak", "schooling": "sd"},
        ],
    )
    web.login(w.pendamping.username)
    page = text_of(web.get(f"/kpm/{family.id}").text)
    assert "Belum" in page and "masih ada komponen: Anak SD (1)" in page and "Usulkan graduasi" not in page
    r = propose(web, family.id, data=PDF)
    assert r.status_code == 422 and "belum memenuhi kriteria" in text_of(r.text)


def test_candidates_page_filters_scope_and_export(web, session):
    w = world_make(session)
    readiness_recompute_all(session=session)
    web.login(w.pendamping.username)
    page = web.get("/graduasi/kandidat")
    text = text_of(page.text)
    assert page.status_code == 200 and "Ani Suryani" in text and "Euis Komariah" in text
    assert "Fitri Handayani" not in text  # another pendamping's family
    assert "Dede Pendamping" not in page.text  # not offered as a filter either
    assert "Target graduasi" in text and "0 / 10" in text
    fragment = web.get(
        f"/graduasi/kandidat?kelompok={w.second_kelompok.id}", headers={"HX-Request": "true", "HX-Target": "candidates"}
    )
    assert "Euis Komariah" in fragment.text and "Ani Suryani" not in fragment.text and "<html" not in fragment.text
    # a kelompok outside the scope in the URL is ignored, not obeyed
    widened = text_of(web.get(f"/graduasi/kandidat?kelompok={w.other_kelompok.id}").text)
    assert "Fitri Handayani" not in widened

    r = web.get("/graduasi/kandidat.xlsx?urut=nama")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Nama kepala keluarga" and len(rows) == 6
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])
    assert rows[1][5] == "Siap graduasi alamiah" and "terpenuhi" in rows[1][7]
    empty = web.get("/graduasi/kandidat.xlsx?kesiapan=mandiri")
    rows = list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][1] == "ID PKH"

    web.login(w.supervisor.username)
    assert "Fitri Handayani" in text_of(web.get("/graduasi/kandidat").text)
    web.login(w.supervisor_utara.username)
    assert "Ani Suryani" not in text_of(web.get("/graduasi/kandidat").text)


def test_recompute_button_fills_readiness(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    assert web.post("/graduasi/kandidat/hitung-ulang").status_code == 303
    stored = session.exec(select(FamilyReadiness)).all()
    assert {r.family_id for r in stored} == {f.id for f in w.families} | {
        session.exec(select(Family.id).where(Family.head_name == "Euis Komariah")).one()
    }
