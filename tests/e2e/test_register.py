"""The KPM register in a real browser: a pendamping adds a KPM with its members (a mangled NIK refused first, the
typed values kept), a supervisor transfers it to another pendamping's kelompok, then finds it from the header
search by an accented partial name and by the full NIK, which the supervisor sees masked."""

import random
import string
from datetime import date

from playwright.sync_api import expect
from sqlmodel import Session

from app.identity.rules import nik_make
from tests.e2e.conftest import login
from tests.factories import PASSWORD, world_make


def test_add_transfer_and_search_a_kpm(phone, browser, live_server, e2e_engine):
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        session.commit()
    rng = random.Random()
    tag = "".join(rng.choices(string.ascii_uppercase, k=5))
    serial = rng.randint(1000, 9999)
    mother_nik = nik_make(kecamatan_code="32.77.01", birth_date=date(1986, 8, 17), sex="P", serial=serial)
    child_nik = nik_make(kecamatan_code="32.77.01", birth_date=date(2014, 1, 5), sex="L", serial=serial)
    kk = f"3277011708{rng.randint(0, 999_999):06d}"

    page = phone.new_page()
    login(page, live_server, w.pendamping.username, PASSWORD)
    page.goto(f"{live_server}/kelompok/{w.kelompok.id}")
    page.locator("#family-new-link").click()
    expect(page.get_by_role("heading", name="Tambah KPM")).to_be_visible()
    page.fill("input[name=kk_number]", kk)
    page.fill("input[name=address]", "Gg. Melati RT 02")
    page.fill("input[name=m0_name]", f"Ñéneng Rahayú {tag}")
    page.fill("input[name=m0_nik]", "3.27701E+15")  # what Excel makes of it
    page.fill("input[name=m0_birth_date]", "1986-08-17")
    page.fill("input[name=m1_name]", f"Asep {tag}")
    page.fill("input[name=m1_nik]", child_nik)
    page.fill("input[name=m1_birth_date]", "2014-01-05")
    page.select_option("select[name=m1_sex]", "L")
    page.select_option("select[name=m1_schooling]", "sd")
    page.get_by_role("button", name="Simpan KPM").click()
    expect(page.locator("#m0_nik-error")).to_contain_text("notasi ilmiah")
    expect(page.locator("input[name=m1_name]")).to_have_value(f"Asep {tag}")
    page.fill("input[name=m0_nik]", mother_nik)
    page.get_by_role("button", name="Simpan KPM").click()
    expect(page.get_by_role("heading", name=f"Ñéneng Rahayú {tag}")).to_be_visible()
    expect(page.locator("#members")).to_contain_text(f"Asep {tag}")
    expect(page.locator("#members")).to_contain_text(mother_nik)  # the family's own pendamping sees it in full
    family_url = page.url

    context = browser.new_context()
    try:
        desk = context.new_page()
        login(desk, live_server, w.supervisor.username, PASSWORD)
        desk.goto(family_url)
        desk.get_by_role("button", name="Pindah kelompok").click()
        desk.select_option("select[name=to_kelompok_id]", str(w.other_kelompok.id))
        desk.fill("input[name=reason]", "Pindah ke RW 07")
        desk.get_by_role("button", name="Pindahkan").click()
        expect(desk.locator("#transfers")).to_contain_text("Kelompok Mawar → Kelompok Anggrek")
        expect(desk.locator("#transfers")).to_contain_text(w.supervisor.full_name)

        search = desk.locator("header input[name=q]")
        search.fill(f"neneng RAHAYU {tag.lower()}")
        search.press("Enter")
        hits = desk.locator("#family-hits")
        expect(hits).to_contain_text(f"Ñéneng Rahayú {tag}")
        expect(hits).to_contain_text("Kelompok Anggrek")

        desk.locator("header input[name=q]").fill(child_nik)
        desk.locator("header input[name=q]").press("Enter")
        expect(hits).to_contain_text(f"Asep {tag}")
        masked = child_nik[:4] + "••••••••" + child_nik[-4:]
        expect(hits.locator(".nik")).to_have_text(masked)
        expect(hits).not_to_contain_text(child_nik)
    finally:
        context.close()

    # The old pendamping sees the move on their kelompok page; the new one sees the family on theirs.
    page.goto(f"{live_server}/kelompok/{w.kelompok.id}")
    expect(page.locator("#kelompok-transfers")).to_contain_text("Kelompok Mawar → Kelompok Anggrek")
