"""Complementary aid in the browser: the pendamping sees a gap on a family page and files an aid application;
the supervisor finds it in the work queue on the home page and grants it; the family page shows the gap closed."""

from datetime import date

from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import AidApplication, AidApplicationStatus, AidGap, AidReceipt, Schooling
from tests.factories import family_make, world_make


def test_gap_seen_application_filed_granted_gap_closed(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    base = live_server
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        family = family_make(
            session,
            kelompok=w.kelompok,
            head_name="Ibu Komplementer",
            members=[
                {
                    "name": "Ibu Komplementer",
                    "birth_date": date(1986, 4, 2),
                    "sex": "P",
                    "relationship": "istri",
                    "is_pengurus": True,
                },
                {
                    "name": "Rafi Anak Sekolah",
                    "birth_date": date(w.today.year - 9, 3, 3),
                    "sex": "L",
                    "relationship": "anak",
                    "schooling": Schooling.SD,
                },
            ],
        )
        session.commit()

    # the pendamping sees the gap on the family page (the aid section loads itself) and files an application
    pendamping = phones(w.pendamping.username).new_page()
    pendamping.goto(f"{base}/kpm/{family.id}")
    gaps = pendamping.locator("#aid-gaps")
    pip_gap = gaps.locator(f'li[data-gap="{AidGap.PIP}"]')
    expect(pip_gap).to_have_text("Anak usia sekolah tanpa PIP/KIP: Rafi Anak Sekolah")
    pendamping.get_by_text("Ajukan permohonan bantuan").click()
    form = pendamping.locator("#application-new form")
    form.get_by_label("Program yang dimohon").select_option(label="PIP / KIP (Anggota)")
    form.get_by_label("Untuk").select_option(label="Rafi Anak Sekolah")
    form.get_by_label("Catatan").fill("Anak kelas 3 SD belum menerima PIP")
    form.get_by_role("button", name="Ajukan").click()
    expect(pendamping.locator("#aid-applications")).to_contain_text("Diajukan")
    expect(pip_gap).to_have_count(1)  # still a gap until it is granted

    # the supervisor finds it in the work queue on the home page and grants it
    supervisor = phones(w.supervisor.username).new_page()
    supervisor.goto(f"{base}/")
    queue = supervisor.locator("#aid-queue")
    expect(queue).to_contain_text("PIP / KIP")
    queue.get_by_role("link", name="Ibu Komplementer").click()
    expect(supervisor.locator("#application-status")).to_contain_text("Diajukan")
    supervisor.get_by_label("Dikabulkan: program ditambahkan ke keluarga").check()
    supervisor.get_by_role("button", name="Simpan keputusan").click()
    expect(supervisor.locator("#application-status")).to_contain_text("Dikabulkan")

    # the gap is closed on the family page
    pendamping.goto(f"{base}/kpm/{family.id}")
    expect(pendamping.locator("#aid-receipts")).to_contain_text("PIP / KIP")
    expect(pendamping.locator(f'#aid-gaps li[data-gap="{AidGap.PIP}"]')).to_have_count(0)
    expect(pendamping.locator("#aid-applications")).to_contain_text("Dikabulkan")
    with Session(e2e_engine) as session:
        application = session.exec(select(AidApplication).where(AidApplication.family_id == family.id)).one()
        assert application.status == AidApplicationStatus.DIKABULKAN
        receipt = session.get(AidReceipt, application.receipt_id)
        assert receipt is not None and receipt.ended_on is None
