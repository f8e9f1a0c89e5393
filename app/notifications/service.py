"""Notification writes: added by the services that decide (in their transaction), marked read when shown."""

from collections.abc import Sequence

from sqlmodel import Session, col, update

from app.access import notification_clause
from app.db import write_intent
from app.models import Notification, User, utcnow

NOTE_MAX = 2000


def notification_add(
    *,
    session: Session,
    user_id: int | None,
    kind: str,
    actor: User | None,
    subject: str = "",
    note: str = "",
    proposal_id: int | None = None,
    meeting_id: int | None = None,
) -> None:
    """Add a notification to the session; it commits with the decision it reports. Nobody to tell, nothing added;
    nor is anyone told of their own decision."""
    if user_id is None or (actor is not None and actor.id == user_id):
        return
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            subject=subject[:120],
            note=note[:NOTE_MAX],
            proposal_id=proposal_id,
            meeting_id=meeting_id,
            actor_id=actor.id if actor is not None else None,
        )
    )


def notifications_mark_read(*, session: Session, user: User, ids: Sequence[int]) -> int:
    """Mark the shown notifications of this user read, in a short write of its own (called from a page that
    shows them, after reading); returns how many changed."""
    if not ids:
        return 0
    expire = session.expire_on_commit
    session.expire_on_commit = False  # what the page has read stays loaded for its rendering
    try:
        session.commit()  # end the read: on SQLite the write then waits for the lock instead of failing
        write_intent(session)
        result = session.exec(
            update(Notification)
            .where(
                notification_clause(user),
                col(Notification.id).in_(list(ids)),
                col(Notification.read_at).is_(None),
            )
            .values(read_at=utcnow())
        )
        session.commit()
    finally:
        session.expire_on_commit = expire
    return int(result.rowcount or 0)
