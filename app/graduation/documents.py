"""Uploaded documents (the signed surat pernyataan): checked by content, stored on disk by checksum."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session

from app.audit import audit_record, snapshot
from app.errors import RuleViolation
from app.i18n import N_
from app.models import Document, Family, User
from app.settings import get_settings

# Declared type → the first bytes every such file starts with.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


@dataclass(frozen=True)
class Upload:
    filename: str
    declared_type: str
    data: bytes


def sniffed_type(data: bytes) -> str | None:
    for content_type, prefixes in SIGNATURES.items():
        if data.startswith(prefixes):
            return content_type
    return None


def upload_check(upload: Upload | None, *, field: str, max_bytes: int) -> str:
    """The verified content type, or a RuleViolation: nothing is stored before this passes."""
    if upload is None or not upload.data:
        raise RuleViolation(N_("Unggah surat pernyataan yang sudah ditandatangani (PDF, JPG atau PNG)."), field=field)
    if len(upload.data) > max_bytes:
        raise RuleViolation(
            N_("Berkas terlalu besar (maksimal %(mb)s MB)."), field=field, mb=max_bytes // (1024 * 1024)
        )
    actual = sniffed_type(upload.data)
    if actual is None or upload.declared_type not in SIGNATURES or actual != upload.declared_type:
        raise RuleViolation(N_("Jenis berkas tidak diterima: hanya PDF, JPG atau PNG."), field=field)
    return actual


def document_path(sha256: str) -> Path:
    """Files are stored under their checksum, a name of our making: never the name the user's device gave."""
    return get_settings().upload_dir / sha256


def filename_safe(raw: str, content_type: str) -> str:
    """The uploaded name reduced to plain letters, digits and `._()-`, with the extension of the checked type:
    `../x.html` of a PDF becomes `x.pdf`."""
    name = Path(raw.replace("\\", "/")).name
    stem = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", stem.rsplit(".", 1)[0] if "." in stem else stem).strip(" ._")[:120] or "dokumen"
    return stem + EXTENSIONS.get(content_type, "")


def document_headers(document: Document) -> tuple[str, dict[str, str]]:
    """Content type and headers to serve a stored document: always a download, never rendered by the browser."""
    media_type = document.content_type if document.content_type in SIGNATURES else "application/octet-stream"
    name = filename_safe(document.filename, media_type)
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return media_type, {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}


def document_store(
    *, session: Session, user: User, family: Family, kind: str, upload: Upload | None, field: str = "statement"
) -> Document:
    """Check, write the file once per checksum, add the Document row (the caller commits)."""
    content_type = upload_check(upload, field=field, max_bytes=get_settings().upload_max_bytes)
    assert upload is not None
    digest = hashlib.sha256(upload.data).hexdigest()
    path = document_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(upload.data)
        tmp.replace(path)
    name = filename_safe(upload.filename or "dokumen", content_type)
    document = Document(
        family_id=family.id or 0,
        kind=kind,
        filename=name,
        content_type=content_type,
        size=len(upload.data),
        sha256=digest,
        uploaded_by_id=user.id,
    )
    session.add(document)
    session.flush()
    audit_record(
        session=session, user=user, entity="document", entity_id=document.id, action="create", after=snapshot(document)
    )
    return document
