"""Roster import in a real browser, with the background worker running: a damaged file's dry run explains each
refused row, the fixed file is applied, and importing it again changes nothing."""

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.settings import ROOT
from tests.conftest import uvicorn_start
from tests.e2e.conftest import login
from tests.factories import PASSWORD, kelompok_make, user_make
from tests.roster.conftest import csv_bytes, family_rows

KELOMPOK = "Kelompok Impor Peramban"


@pytest.fixture(scope="module")
def importing_server(e2e_database: str, e2e_engine, tmp_path_factory) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """A server and a worker sharing a database and an upload folder; an admin and a kelompok to import into."""
    with Session(e2e_engine) as session:
        admin = user_make(session, role="admin", area_code="32.77")
        pendamping = user_make(session)
        kelompok_make(session, pendamping=pendamping, name=KELOMPOK)
        session.commit()
        username = admin.username
    uploads = tmp_path_factory.mktemp("roster-uploads")
    env = {"DATABASE_URL": e2e_database, "UPLOAD_DIR": str(uploads)}
    server, base = uvicorn_start(env=env, log_path=tmp_path_factory.mktemp("roster-server") / "server.log")
    import os

    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env={**os.environ, "ENVIRONMENT": "development", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield base, username
    worker.terminate()
    worker.wait(timeout=10)
    server.terminate()
    server.wait(timeout=10)


def _upload(page: Page, base: str, name: str, data: bytes) -> None:
    page.goto(base + "/impor-kpm")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#import-status")).to_have_text("Uji coba selesai", timeout=60_000)


def test_damaged_file_then_fixed_file_then_reimport(page: Page, importing_server: tuple[str, str]) -> None:
    base, username = importing_server
    login(page, base, username, PASSWORD)
    rows = [*family_rows(901, kelompok=KELOMPOK), *family_rows(902, kelompok=KELOMPOK)]
    damaged = [dict(r) for r in rows]
    damaged[0]["NIK"] = "3.27701E+15"
    damaged[4]["Tanggal Lahir"] = "31/02/1985"
    _upload(page, base, "kpm-rusak.csv", csv_bytes(damaged))
    refusals = page.locator("#refusals")
    expect(refusals).to_contain_text("notasi ilmiah")
    expect(refusals).to_contain_text("tidak ada di kalender")
    expect(page.locator("[data-count=refused]")).to_have_text("6")
    with page.expect_download() as download:
        page.click("#refused-download")
    assert download.value.suggested_filename.startswith("ditolak-impor-")

    _upload(page, base, "kpm-baik.csv", csv_bytes(rows))
    expect(page.locator("[data-count=new_families]")).to_have_text("2")
    expect(page.locator("[data-count=refused]")).to_have_text("0")
    page.click("#apply")
    expect(page.locator("#import-status")).to_have_text("Diterapkan", timeout=60_000)

    _upload(page, base, "kpm-baik.csv", csv_bytes(rows))
    expect(page.locator("[data-count=new_families]")).to_have_text("0")
    expect(page.locator("[data-count=new_members]")).to_have_text("0")
    expect(page.locator("[data-count=updated]")).to_have_text("0")
    expect(page.locator("[data-count=unchanged]")).to_have_text("6")
