"""A case from opening to closing through the web, as the family's pendamping and the area's supervisor."""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.cases.rules import case_confidential, case_status_problem, referral_overdue
from app.models import AccessAction, AccessLog, AuditLog, CaseFile, CaseStatus, CaseType, Referral
from tests.cases.factories import SECRET, case_make
from tests.conftest import Browser, text_of
from tests.factories import world_make


def test_rules_are_pure() -> None:
    assert case_confidential(case_type=CaseType.KEKERASAN_ANAK, ticked=False)
    assert not case_confidential(case_type=CaseType.ADMINDUK, ticked=False)
    assert case_status_problem(current=CaseStatus.BARU, wanted=CaseStatus.SELESAI, waiting_referrals=0, note="")
    assert case_status_problem(current=CaseStatus.DITANGANI, wanted=CaseStatus.SELESAI, waiting_referrals=1, note="")
    assert case_status_problem(current=CaseStatus.DITANGANI, wanted=CaseStatus.DITUTUP, waiting_referrals=0, note="")
    assert (
        case_status_problem(current=CaseStatus.DITANGANI, wanted=CaseStatus.SELESAI, waiting_referrals=0, note="")
        is None
    )
    day = world_day = __import__("datetime").date(2026, 11, 1)
    assert referral_overdue(referred_on=day, outcome_on=None, today=world_day + timedelta(days=14), days=14)
    assert not referral_overdue(referred_on=day, outcome_on=day, today=day + timedelta(days=30), days=14)


def test_open_refer_outcome_close(session: Session, web: Browser) -> None:
    w = world_make(session)
    session.commit()
    family = w.families[0]
    web.login(w.pendamping.username)
    form = web.get(f"/kasus/baru?kpm={family.programme_id}")
    assert form.status_code == 200 and family.head_name in form.text
    token = form.text.split('name="form_token" value="')[1].split('"')[0]
    data = {
        "kpm": family.programme_id,
        "case_type": CaseType.KEKERASAN_ANAK,
        "urgency": "darurat",
        "description": SECRET,
        "worker_id": str(w.pendamping.id),
        "opened_on": w.today.isoformat(),
        "form_token": token,
    }
    created = web.post("/kasus", data=data)
    assert created.status_code == 303, created.text[:2000]
    again = web.post("/kasus", data=data)  # the same form sent twice opens one case
    assert again.headers["location"] == created.headers["location"]
    case_url = created.headers["location"].replace("http://testserver", "")
    case = session.exec(select(CaseFile).where(CaseFile.family_id == family.id)).one()
    assert case.confidential and case.status == CaseStatus.BARU
    page = web.get(case_url)
    assert page.status_code == 200 and SECRET in page.text
    referral = web.post(
        case_url + "/rujukan",
        data={
            "service": "uptd_ppa",
            "service_name": "UPTD PPA Cimahi",
            "referred_on": w.today.isoformat(),
            "request": "Pendampingan psikologis",
        },
    )
    assert referral.status_code == 303, text_of(referral.text)[:1500]
    session.expire_all()
    assert session.get(CaseFile, case.id).status == CaseStatus.DIRUJUK  # type: ignore[union-attr]
    ref = session.exec(select(Referral).where(Referral.case_id == case.id)).one()
    home = web.get("/")
    assert "Rujukan menunggu hasil" in home.text and "UPTD PPA Cimahi" in home.text
    refused = web.post(
        case_url + "/status",
        data={"status": "selesai", "status_note": "", "version": str(session.get(CaseFile, case.id).version)},
    )  # type: ignore[union-attr]
    assert refused.status_code == 422 and "belum ada hasilnya" in refused.text
    future = (w.today + timedelta(days=3)).isoformat()
    bad = web.post(
        case_url + f"/rujukan/{ref.id}/hasil",
        data={"outcome": "Sudah ditangani psikolog", "outcome_on": future, "referral_version": str(ref.version)},
    )
    assert bad.status_code == 422 and "masa depan" in bad.text and "Sudah ditangani psikolog" in bad.text
    ok = web.post(
        case_url + f"/rujukan/{ref.id}/hasil",
        data={
            "outcome": "Sudah ditangani psikolog",
            "outcome_on": w.today.isoformat(),
            "referral_version": str(ref.version),
        },
    )
    assert ok.status_code == 303, text_of(ok.text)[:1500]
    session.expire_all()
    version = session.get(CaseFile, case.id).version  # type: ignore[union-attr]
    done = web.post(
        case_url + "/status", data={"status": "selesai", "status_note": "Anak aman", "version": str(version)}
    )
    assert done.status_code == 303, text_of(done.text)[:1500]
    session.expire_all()
    closed = session.get(CaseFile, case.id)
    assert closed is not None and closed.status == CaseStatus.SELESAI and closed.closed_on == w.today
    actions = session.exec(select(AuditLog.action).where(AuditLog.entity.in_(["case", "referral"]))).all()  # type: ignore[attr-defined]
    assert {"create", "status", "outcome"} <= set(actions)
    reads = session.exec(select(AccessLog).where(AccessLog.action == AccessAction.CASE_VIEW)).all()
    assert reads, "every read of a confidential case is logged"


def test_bad_input_is_told_in_indonesian_with_values_kept(session: Session, web: Browser) -> None:
    w = world_make(session)
    session.commit()
    web.login(w.pendamping.username)
    future = (w.today + timedelta(days=2)).isoformat()
    data = {
        "kpm": w.other_family.programme_id,
        "case_type": "adminduk",
        "urgency": "sedang",
        "description": "Belum punya akta kelahiran",
        "opened_on": future,
    }
    answer = web.post("/kasus", data=data)
    assert answer.status_code == 422
    text = text_of(answer.text)
    assert "tidak ada di wilayah Anda" in text and "masa depan" in text
    assert "Belum punya akta kelahiran" in answer.text and w.other_family.programme_id in answer.text
    assert session.exec(select(CaseFile)).all() == []
    case = case_make(session, user=w.pendamping, family=w.families[0], case_type=CaseType.ADMINDUK)
    missing = web.post(f"/kasus/{case.id}/catatan", data={"noted_on": w.today.isoformat(), "note_text": ""})
    assert missing.status_code == 422 and "Wajib diisi" in missing.text
    assert session.exec(select(col(AuditLog.id)).where(AuditLog.entity == "case_note")).all() == []
