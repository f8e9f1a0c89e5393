"""Hypothesis over every case form: whatever is typed, the answer is a save (303) or the same form at 422 with
what was typed kept, never a 5xx, and a refused form writes nothing."""

import logging
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from app.models import AuditLog, CaseNote, CaseType, Referral, ReferralService
from tests.cases.factories import case_make
from tests.conftest import Browser
from tests.factories import world_make
from tests.fuzz.test_fuzz_routes import NASTY_TEXT, _kept

FIELDS = {
    "/kasus": ["kpm", "member_id", "case_type", "urgency", "description", "worker_id", "confidential", "opened_on"],
    "/catatan": ["noted_on", "note_text"],
    "/status": ["status", "status_note", "version"],
    "/rujukan": ["service", "service_name", "referred_on", "request"],
    "/hasil": ["outcome", "outcome_on", "referral_version"],
    "/buka": ["reason"],
}


def values(today: str) -> st.SearchStrategy[str]:
    plausible = [
        today,
        "2020-01-01",
        "2999-01-01",
        "1",
        "on",
        "kekerasan_anak",
        "darurat",
        "ditangani",
        "ditutup",
        "selesai",
        "uptd_ppa",
        "PKH-T-000001",
        "Rujukan ke puskesmas untuk pemeriksaan",
    ]
    return st.one_of(st.sampled_from(plausible), st.sampled_from(NASTY_TEXT), st.text(max_size=60))


def test_case_forms_never_fail(session: Session, web: Browser) -> None:
    world = world_make(session)
    case = case_make(
        session,
        user=world.pendamping,
        family=world.families[0],
        case_type=CaseType.PENDIDIKAN,
        opened_on=world.today - timedelta(days=30),
    )
    referral = Referral(
        case_id=case.id or 0,
        service=ReferralService.SEKOLAH,
        referred_on=world.today - timedelta(days=3),
        request="Daftar ulang",
    )
    session.add(referral)
    session.commit()
    web.login(world.pendamping.username)
    worker = Browser(web.client)
    urls = {
        "/kasus": "/kasus",
        "/catatan": f"/kasus/{case.id}/catatan",
        "/status": f"/kasus/{case.id}/status",
        "/rujukan": f"/kasus/{case.id}/rujukan",
        "/hasil": f"/kasus/{case.id}/rujukan/{referral.id}/hasil",
        "/buka": f"/kasus/{case.id}/buka",
    }
    failures: list[str] = []
    errors: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info:
                errors.append(record)

    handler = Catch()
    logging.getLogger("p2k2").addHandler(handler)

    def counts() -> tuple[int, int, int]:
        session.expire_all()
        return (
            session.exec(select(func.count()).select_from(CaseNote)).one(),
            session.exec(select(func.count()).select_from(Referral)).one(),
            session.exec(select(func.count()).select_from(AuditLog)).one(),
        )

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(form=st.sampled_from(sorted(FIELDS)), data=st.data())
    def probe(form: str, data: st.DataObject) -> None:
        sent = data.draw(
            st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS[form], values(world.today.isoformat())))
        )
        before = counts()
        response = worker.post(urls[form], data=sent)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {form} {sent!r:.200}")
        elif response.status_code == 422:
            lost = _kept(response.text, sent, urls[form])
            if lost:
                failures.append(f"422 lost {lost} on {form}")
            if counts() != before:
                failures.append(f"422 on {form} but something was written: {sent!r:.200}")

    try:
        probe()
    finally:
        logging.getLogger("p2k2").removeHandler(handler)
    assert not failures and not errors, "\n".join(failures[:20]) + "\n".join(str(e.exc_info) for e in errors[:3])
