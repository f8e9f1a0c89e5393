"""Audit trail: who changed which record, when, from what to what; who viewed or took out personal data."""

import json
import re
from typing import Any

from sqlmodel import Session, SQLModel

from app.models import AccessLog, AuditLog, User

# Identity numbers never reach the audit log in full: NIK and No. KK, and any other 16-digit number.
MASKED_KEYS = frozenset({"nik", "kk_number"})
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})(\d{8})(\d{4})(?!\d)")


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


def number_mask(value: str) -> str:
    """`3277010101010001` → `3277••••••••0001` (the first four and last four digits stay)."""
    if len(value) <= 8:
        return "•" * len(value)
    return value[:4] + "•" * (len(value) - 8) + value[-4:]


def _masked(key: str | None, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(None, v) for v in value]
    if isinstance(value, str):
        if key in MASKED_KEYS and value:
            return number_mask(value)
        return _SIXTEEN_DIGITS.sub(lambda m: m.group(1) + "•" * 8 + m.group(3), value)
    return value


def values_mask(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both snapshots masked; a change that masking would hide (same first and last digits) is named in
    `after["masked_changed"]`, so the log still shows that the number changed."""
    masked_before = None if before is None else _masked(None, before)
    masked_after = None if after is None else _masked(None, after)
    if before is not None and after is not None and masked_after is not None and masked_before is not None:
        hidden = sorted(
            k for k in after if k in before and before[k] != after[k] and masked_before[k] == masked_after[k]
        )
        if hidden:
            masked_after["masked_changed"] = hidden
    return masked_before, masked_after


def audit_record(
    *,
    session: Session,
    user: User | None,
    entity: str,
    entity_id: object,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the session; it commits with the change it describes."""
    before, after = values_mask(before, after)
    session.add(
        AuditLog(
            user_id=user.id if user else None,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            before=None if before is None else json.dumps(before, default=str, sort_keys=True),
            after=None if after is None else json.dumps(after, default=str, sort_keys=True),
        )
    )


def access_record(
    *, session: Session, user: User | None, action: str, entity: str, entity_id: object = "", detail: str = ""
) -> None:
    """Log a view of full identity numbers or an export of personal data, committed at once (call it from a
    reading handler, before anything is changed). The read so far is closed first, so on SQLite the insert
    waits for the write lock instead of failing on a stale snapshot; loaded objects stay loaded."""
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
        session.add(
            AccessLog(
                user_id=user.id if user else None,
                action=action,
                entity=entity,
                entity_id=str(entity_id)[:40],
                detail=detail[:300],
            )
        )
        session.commit()
    finally:
        session.expire_on_commit = expire
