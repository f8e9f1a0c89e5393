"""Notification reads: the unread count for the header, a user's latest notifications."""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.access import notification_clause
from app.models import Notification, User


@dataclass
class NotificationLine:
    notification: Notification
    actor_name: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def unread_count(*, session: Session, user_id: int) -> int:
    """One indexed count (user_id, read_at)."""
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
    ).one()


def notifications_list(*, session: Session, user: User, limit: int, offset: int = 0) -> list[NotificationLine]:
    """The user's own notifications, newest first (unread ones first on the first page)."""
    rows = session.exec(
        select(Notification, User.full_name)
        .outerjoin(User, col(User.id) == Notification.actor_id)
        .where(notification_clause(user))
        .order_by(col(Notification.read_at).is_not(None), col(Notification.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [NotificationLine(n, name or "–") for n, name in rows]
