"""Reading logins: the user behind a session token (and their unread notifications, in the same statement)."""

from sqlmodel import Session, col, func, select

from app.models import LoginSession, Notification, User, utcnow


def login_session_user_unread(*, session: Session, token: str) -> tuple[User, int] | None:
    """The signed-in user and their unread notification count (a correlated count on an index: no extra trip)."""
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.user_id) == User.id, col(Notification.read_at).is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    row = session.exec(
        select(User, unread)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(LoginSession.token == token, col(LoginSession.expires_at) > utcnow(), col(User.is_active).is_(True))
    ).first()
    return None if row is None else (row[0], int(row[1] or 0))


def login_session_user(*, session: Session, token: str) -> User | None:
    row = login_session_user_unread(session=session, token=token)
    return None if row is None else row[0]
