"""Reading logins: the user behind a session token (and their unread notifications, in the same statement)."""

from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from app.models import LoginSession, Notification, User, utcnow


@cache
def _login_statement() -> Any:
    """Built once (every request runs it): the user of a live login session, with a correlated count of their
    unread notifications on an index (no extra trip)."""
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.user_id) == User.id, col(Notification.read_at).is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    return (
        select(User, unread)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(
            LoginSession.token == bindparam("token"),
            col(LoginSession.expires_at) > bindparam("now"),
            col(User.is_active).is_(True),
        )
    )


def login_session_user_unread(*, session: Session, token: str) -> tuple[User, int] | None:
    """The signed-in user and their unread notification count."""
    row = session.exec(_login_statement(), params={"token": token, "now": utcnow()}).first()
    return None if row is None else (row[0], int(row[1] or 0))


def login_session_user(*, session: Session, token: str) -> User | None:
    row = login_session_user_unread(session=session, token=token)
    return None if row is None else row[0]
