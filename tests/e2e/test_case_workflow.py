"""A child-protection case in the browser: the pendamping opens it from the family page (confidential by
default), refers it to UPTD PPA, records what came back and closes it; the area's supervisor sees it in the work
queue, a pendamping of another kelompok never sees it."""

import re

from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import CaseFile, CaseStatus, Referral
from tests.factories import world_make

DESCRIPTION = "Anak usia 9 tahun ada luka memar, diduga dipukul. Ibu minta pendampingan."


def test_child_protection_case_opened_referred_answered_closed(phones, live_server, e2e_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(e2e_engine) as session:
        world = world_make(session)
        session.commit()
        family_id, head = world.families[0].id, world.families[0].head_name
        pendamping, supervisor, other = (
            world.pendamping.username,
            world.supervisor.username,
            world.other_pendamping.username,
        )

    page = phones(pendamping).new_page()
    page.goto(f"{live_server}/kpm/{family_id}")
    page.locator("#cases").get_by_role("button", name="Buka kasus").click()
    page.select_option("select[name=case_type]", "kekerasan_anak")
    page.select_option("select[name=urgency]", "darurat")
    page.fill("textarea[name=description]", DESCRIPTION)
    page.get_by_role("button", name="Simpan kasus").click()
    page.wait_for_url(re.compile(r"/kasus/\d+$"))
    expect(page.locator("h1")).to_have_text("Kekerasan terhadap anak")
    expect(page.get_by_text("Rahasia", exact=True)).to_be_visible()
    case_url = page.url

    page.select_option("#referral-form select[name=service]", "uptd_ppa")
    page.fill("#referral-form input[name=service_name]", "UPTD PPA Kota Cimahi")
    page.fill("#referral-form textarea[name=request]", "Asesmen psikologis dan pendampingan hukum")
    page.get_by_role("button", name="Simpan rujukan").click()
    expect(page.locator("#case-status")).to_have_text("Dirujuk")
    expect(page.get_by_text("Menunggu hasil")).to_be_visible()

    # The area's supervisor finds it in the work queue, waiting for the outcome.
    boss = phones(supervisor).new_page()
    boss.goto(live_server + "/")
    queue = boss.locator("#case-queue")
    expect(queue.get_by_text(head).first).to_be_visible()
    expect(queue.get_by_text("UPTD PPA Kota Cimahi")).to_be_visible()
    # A pendamping of another kelompok: no trace on their pages.
    stranger = phones(other).new_page()
    stranger.goto(live_server + "/kasus")
    expect(stranger.get_by_text(head)).to_have_count(0)
    assert stranger.goto(case_url).status == 404  # type: ignore[union-attr]

    page.fill("textarea[name=outcome]", "Anak sudah diperiksa psikolog, aman tinggal bersama ibu")
    page.get_by_role("button", name="Catat hasil").click()
    expect(page.locator(".referral-outcome")).to_contain_text("aman tinggal bersama ibu")

    page.select_option("select[name=status]", CaseStatus.SELESAI)
    page.fill("textarea[name=status_note]", "Rujukan selesai, dipantau lewat kunjungan rumah")
    page.get_by_role("button", name="Simpan status").click()
    expect(page.locator("#case-status")).to_have_text("Selesai")
    expect(page.locator("#referral-form")).to_have_count(0)

    with Session(e2e_engine) as session:
        case = session.exec(select(CaseFile).where(CaseFile.family_id == family_id)).one()
        assert case.status == CaseStatus.SELESAI and case.confidential and case.closed_on is not None
        referral = session.exec(select(Referral).where(Referral.case_id == case.id)).one()
        assert referral.outcome_on is not None
