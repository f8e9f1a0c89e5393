"""No lost updates: an edit names the version it was made from; the first to save wins, the second is told."""

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.errors import EditConflict, RuleViolation
from app.i18n import N_, fmt_datetime
from app.models import AuditLog, CaseFile, Family, Meeting, Member, Referral, User

Versioned = Family | Member | Meeting | CaseFile | Referral


Row = TypeVar("Row", Member, Meeting, CaseFile)


def row_insert_once(*, session: Session, row: Row, sent_before: Callable[[], Row | None]) -> Row:
    """Insert a row made by a form with a one-time `form_token`: when the same form was sent twice at once the
    unique index refuses the second insert, and the row the other request stored is answered instead."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = sent_before()
        if existing is None:
            raise RuleViolation(N_("Formulir ini sudah pernah dipakai. Muat ulang halaman lalu coba lagi.")) from None
        return existing
    return row


def form_token_new() -> str:
    """A one-time token for a creating form: the same form sent twice creates one row."""
    return secrets.token_urlsafe(24)


def version_parse(raw: str | None) -> int | None:
    """The hidden `version` field of an edit form; None when absent or not a small positive number."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)


def version_claim(*, session: Session, record: Versioned, version: int | None, entity: str) -> None:
    """Bump the stored version in one `UPDATE … WHERE id = :id AND version = :v` (it also locks the row until
    commit); when no row matches, someone saved in between: raise EditConflict naming who and when.
    Without a version (a client that sent none) the edit is not checked, only counted."""
    model = type(record)
    condition = [col(model.id) == record.id]
    if version is not None:
        condition.append(col(model.version) == version)
    claim = update(model).where(*condition).values(version=col(model.version) + 1)
    result = session.exec(claim.execution_options(synchronize_session=False))
    if result.rowcount == 0:
        raise _conflict(session=session, entity=entity, entity_id=record.id)
    current = session.execute(select(col(model.version)).where(col(model.id) == record.id)).scalar_one()
    set_committed_value(record, "version", current)


def _conflict(*, session: Session, entity: str, entity_id: Any) -> EditConflict:
    last = session.exec(
        select(AuditLog.at, User.full_name)
        .join(User, col(User.id) == AuditLog.user_id, isouter=True)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).first()
    who = (last[1] if last and last[1] else None) or "-"
    when = fmt_datetime(last[0]) if last else "-"
    return EditConflict(
        N_(
            "Data ini sudah diubah oleh %(who)s (%(when)s) setelah formulir Anda dibuka. Data terbaru tampil di "
            "bawah dan isian Anda tetap di formulir: periksa, lalu simpan lagi bila tetap ingin mengubahnya."
        ),
        field="form",
        who=who,
        when=when,
    )
