"""Audit trail: who changed which record, when, from what to what."""

import json
from typing import Any

from sqlmodel import Session, SQLModel

from app.models import AuditLog, User


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


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
