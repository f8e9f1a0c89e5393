"""Uploads: stored under a name of our making, served as a download with a safe type and a clean name."""

import pytest
from sqlmodel import select

from app.graduation.documents import document_headers, filename_safe
from app.models import Document, GraduationProposal
from app.settings import get_settings
from tests.factories import world_make

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    return tmp_path / "uploads"


def propose(web, family_id, *, name, data, content_type):
    files = {"statement": (name, data, content_type)}
    return web.post(f"/kpm/{family_id}/usulan-graduasi", data={"justification": ""}, files=files)


def test_an_html_file_is_refused_whatever_it_claims(web, session, upload_dir):
    w = world_make(session)
    web.login(w.pendamping.username)
    for declared in ("text/html", "application/pdf"):
        r = propose(web, w.families[0].id, name="x.html", data=HTML, content_type=declared)
        assert r.status_code == 422 and "Jenis berkas tidak diterima" in r.text
    assert session.exec(select(Document)).all() == []
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_a_pdf_named_x_html_is_stored_by_checksum_and_downloaded_as_a_pdf_attachment(web, session, upload_dir):
    w = world_make(session)
    web.login(w.pendamping.username)
    r = propose(web, w.families[0].id, name="../../x.html", data=PDF, content_type="application/pdf")
    assert r.status_code == 303, r.text[:300]
    proposal = session.exec(select(GraduationProposal)).one()
    document = session.get(Document, proposal.statement_document_id)
    assert document is not None and document.filename == "x.pdf"
    assert [p.name for p in upload_dir.iterdir()] == [document.sha256]  # no user file name on disk
    answer = web.get(f"/dokumen/{document.id}")
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="x.pdf"')
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_stored_row_with_an_unexpected_type_is_served_as_octet_stream():
    document = Document(
        family_id=1,
        kind="pernyataan",
        filename='a"b\r\nSet-Cookie: x=1.html',
        content_type="text/html",
        size=1,
        sha256="0",
    )
    media_type, headers = document_headers(document)
    assert media_type == "application/octet-stream"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "\r" not in disposition and "\n" not in disposition
    assert '"' not in disposition.split('filename="', 1)[1].split('";', 1)[0]
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        ("surat pernyataan.pdf", "application/pdf", "surat pernyataan.pdf"),
        ("C:\\Users\\ani\\foto KTP.JPG", "image/jpeg", "foto KTP.jpg"),
        ("x.html", "image/png", "x.png"),
        ("Surat Pérnyataan ✓.pdf", "application/pdf", "Surat Pernyataan.pdf"),
        ("....", "application/pdf", "dokumen.pdf"),
        ("<script>.pdf", "application/pdf", "script.pdf"),
    ],
)
def test_file_names_are_cleaned(raw: str, content_type: str, expected: str) -> None:
    assert filename_safe(raw, content_type) == expected
