"""The admin at 360 px sees the verdicts waiting for the worker on /admin/aturan, and the line follows the queue
down by itself (htmx polling) once the worker has stored them."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import Session, col, delete

from app.models import ReadinessPending, utcnow
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, world_make


def test_rules_page_follows_the_queue_at_360px(browser, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        ids = [f.id or 0 for f in w.families[:3]]
        for n, family_id in enumerate(ids):
            session.add(ReadinessPending(family_id=family_id, queued_at=utcnow() - timedelta(minutes=2 - n)))
        session.commit()

    def unqueue() -> None:  # what the worker does once it has stored their verdicts
        with Session(e2e_engine) as session:
            session.exec(delete(ReadinessPending).where(col(ReadinessPending.family_id).in_(ids)))  # type: ignore[call-overload]
            session.commit()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    try:
        sign_in(context, live_server, w.admin.username, PASSWORD)
        page = context.new_page()
        page.goto(f"{live_server}/admin/aturan")
        status = page.locator("#job-status")
        expect(status).to_contain_text("3 KPM menunggu kesiapannya disimpan ulang setelah absensi")
        expect(status).to_contain_text("Belum ada pekerja latar yang mengambilnya")  # two minutes: nobody took them
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

        unqueue()
        expect(status).not_to_contain_text("menunggu kesiapannya", timeout=6000)  # the next poll (every 2 s)
    finally:
        context.close()
        unqueue()
