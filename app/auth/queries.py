"""Reading logins: the user behind a session token."""

from sqlmodel import Session, col, select

from app.models import LoginSession, User, utcnow


def login_session_user(*, session: Session, token: str) -> User | None:
    row = session.exec(
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(LoginSession.token == token, col(LoginSession.expires_at) > utcnow(), col(User.is_active).is_(True))
    ).first()
    return row
