"""Issue 13 in a real browser: each role's home page shows its waiting work and leads to the list behind it; a
proposal sent back reaches the pendamping as a notice with an unread count; a user changes their own password."""

import re

from playwright.sync_api import expect
from sqlmodel import Session

from app.models import GraduationProposal, Job, User
from tests.factories import PASSWORD, family_make, kelompok_make, user_make, world_make


def test_each_role_home_shows_its_items(phones, live_server, e2e_engine) -> None:  # type: ignore[no-untyped-def]
    base = live_server
    with Session(e2e_engine) as session:
        w = world_make(session)
        waiting = family_make(session, kelompok=w.kelompok, head_name="Ibu Menunggu Verifikasi")
        deciding = family_make(session, kelompok=w.kelompok, head_name="Ibu Menunggu Keputusan")
        for family, status in ((waiting, "diusulkan"), (deciding, "diverifikasi")):
            session.add(
                GraduationProposal(
                    family_id=family.id or 0, route="alamiah", status=status, proposed_by_id=w.pendamping.id
                )
            )
        idle = user_make(session, full_name="Pendamping Tanpa Kelompok E2E")
        session.add(Job(kind="readiness_recompute", status="failed", error="galat uji e2e"))
        session.commit()
        names = {role: getattr(w, role).username for role in ("supervisor", "peninjau", "admin", "pendamping")}
        assert idle.id

    supervisor = phones(names["supervisor"]).new_page()
    supervisor.goto(base + "/")
    for key in ("verifications", "corrections", "overdue", "alpa", "reviews-due"):
        expect(supervisor.locator(f"#item-{key}")).to_be_visible()
    expect(supervisor.locator("#item-decisions")).to_have_count(0)
    supervisor.locator("#item-verifications a").click()
    expect(supervisor).to_have_url(re.compile(r"/graduasi/usulan\?status=diusulkan$"))
    expect(supervisor.locator("main")).to_contain_text("Ibu Menunggu Verifikasi")

    peninjau = phones(names["peninjau"]).new_page()
    peninjau.goto(base + "/")
    expect(peninjau.locator("#item-decisions")).to_be_visible()
    expect(peninjau.locator("#item-verifications")).to_have_count(0)
    peninjau.locator("#item-decisions a").click()
    expect(peninjau.locator("main")).to_contain_text("Ibu Menunggu Keputusan")

    admin = phones(names["admin"]).new_page()
    admin.goto(base + "/")
    for key in ("pendamping-idle", "inactive-assigned", "failed-imports", "verifications", "decisions"):
        expect(admin.locator(f"#item-{key}")).to_be_visible()
    admin.locator("#item-failed-imports a").click()
    expect(admin.locator("main")).to_contain_text("galat uji e2e")
    admin.goto(base + "/")
    admin.locator("#item-pendamping-idle a").click()
    expect(admin.locator("main")).to_contain_text("Pendamping Tanpa Kelompok E2E")

    pendamping = phones(names["pendamping"]).new_page()
    pendamping.goto(base + "/")
    expect(pendamping.get_by_role("heading", name="Kelompok saya")).to_be_visible()
    expect(pendamping.locator("#home-waiting")).to_have_count(0)


def test_send_back_reaches_the_pendamping(phones, live_server, e2e_engine) -> None:  # type: ignore[no-untyped-def]
    base = live_server
    with Session(e2e_engine) as session:
        w = world_make(session)
        pendamping = user_make(session, full_name="Pendamping Pemberitahuan")
        kelompok = kelompok_make(session, pendamping=pendamping, name="Kelompok Pemberitahuan")
        family = family_make(session, kelompok=kelompok, head_name="Ibu Dikembalikan")
        proposal = GraduationProposal(
            family_id=family.id or 0, route="alamiah", status="diusulkan", proposed_by_id=pendamping.id
        )
        session.add(proposal)
        session.commit()
        proposal_id, supervisor_name, pendamping_name = proposal.id, w.supervisor.username, pendamping.username

    phone = phones(pendamping_name).new_page()
    phone.goto(base + "/kelompok")
    expect(phone.locator("#unread-count")).to_have_count(0)

    supervisor = phones(supervisor_name).new_page()
    supervisor.goto(f"{base}/graduasi/usulan/{proposal_id}")
    supervisor.fill("#verify textarea[name=reason]", "Surat pernyataan belum ditandatangani suami.")
    supervisor.get_by_role("button", name="Kembalikan ke pendamping").click()
    expect(supervisor.locator("#proposal-status")).to_have_text("Dikembalikan")

    phone.goto(base + "/kelompok")
    expect(phone.locator("#unread-count")).to_have_text("1")
    phone.goto(base + "/")
    notice = phone.locator("#home-notifications")
    expect(notice).to_contain_text("Usulan dikembalikan")
    expect(notice).to_contain_text("Ibu Dikembalikan")
    expect(notice).to_contain_text("Surat pernyataan belum ditandatangani suami.")
    expect(phone.locator("#unread-count")).to_have_count(0)  # read once shown
    notice.get_by_role("link", name=re.compile("Usulan dikembalikan")).click()
    expect(phone).to_have_url(f"{base}/graduasi/usulan/{proposal_id}")


def test_password_change(phones, live_server, e2e_engine) -> None:  # type: ignore[no-untyped-def]
    base = live_server
    with Session(e2e_engine) as session:
        user = user_make(session, full_name="Pengganti Sandi")
        session.commit()
        username = user.username
    context = phones(username)
    page = context.new_page()
    page.goto(base + "/akun/sandi")
    page.fill("input[name=current_password]", "bukan-sandi-ini")
    page.fill("input[name=new_password]", "sandi-baru-e2e")
    page.fill("input[name=confirm_password]", "sandi-baru-e2e")
    page.get_by_role("button", name="Simpan kata sandi").click()
    expect(page.locator("#current_password-error")).to_have_text("Kata sandi sekarang salah.")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "sandi-baru-e2e")
    page.fill("input[name=confirm_password]", "sandi-baru-e2e")
    page.get_by_role("button", name="Simpan kata sandi").click()
    expect(page.locator("#password-saved")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/masuk$"))  # signed out, with the login page's own CSRF token
    expect(page.locator("input[name=username]")).to_be_visible()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("Nama pengguna atau kata sandi salah.")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "sandi-baru-e2e")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(base + "/")
    with Session(e2e_engine) as session:
        assert session.get(User, user.id) is not None
