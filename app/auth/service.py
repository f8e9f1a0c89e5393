"""Sign-in rules: verify, throttle, open and close login sessions; create users."""

import secrets
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from app.audit import audit_record, snapshot
from app.auth.security import password_hash, password_verify
from app.errors import RuleViolation
from app.i18n import N_
from app.models import ROLES, LoginFailure, LoginSession, User, utcnow
from app.settings import get_settings


def login_attempt(*, session: Session, username: str, password: str, ip: str) -> User:
    """Return the user or raise RuleViolation; repeated failures lock the name out for a while."""
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = session.exec(
        select(func.count()).where(LoginFailure.username == username.lower(), col(LoginFailure.at) >= since)
    ).one()
    if failures >= settings.login_max_failures:
        raise RuleViolation(
            N_("Terlalu banyak percobaan gagal. Coba lagi dalam %(minutes)s menit."),
            field="username",
            minutes=settings.login_window_minutes,
        )
    user = session.exec(select(User).where(User.username == username.lower())).first()
    if user is None or not user.is_active or not password_verify(user.password_hash, password):
        session.add(LoginFailure(username=username.lower()[:64], ip=ip[:64]))
        session.commit()
        raise RuleViolation(N_("Nama pengguna atau kata sandi salah."), field="password")
    session.exec(delete(LoginFailure).where(col(LoginFailure.username) == user.username))
    return user


def login_session_open(*, session: Session, user: User, previous_token: str | None) -> str:
    """A fresh token at every login, so a token planted before login is worthless afterwards."""
    if previous_token:
        session.exec(delete(LoginSession).where(col(LoginSession.token) == previous_token))
    now = utcnow()
    session.exec(delete(LoginSession).where(col(LoginSession.expires_at) < now))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(token=token, user_id=user.id or 0, expires_at=now + timedelta(hours=get_settings().session_hours))
    )
    user.last_login_at = now
    session.add(user)
    session.commit()
    return token


def login_session_close(*, session: Session, token: str) -> None:
    session.exec(delete(LoginSession).where(col(LoginSession.token) == token))
    session.commit()


def user_create(
    *,
    session: Session,
    actor: User | None,
    username: str,
    full_name: str,
    password: str,
    role: str,
    area_code: str | None = None,
) -> User:
    username = username.strip().lower()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise RuleViolation(N_("Nama pengguna hanya boleh huruf, angka, titik dan garis bawah."), field="username")
    if role not in ROLES:
        raise RuleViolation(N_("Peran tidak dikenal."), field="role")
    if len(password) < 8:
        raise RuleViolation(N_("Kata sandi minimal 8 karakter."), field="password")
    if session.exec(select(User).where(User.username == username)).first():
        raise RuleViolation(N_("Nama pengguna sudah dipakai."), field="username")
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        password_hash=password_hash(password),
        role=role,
        area_code=area_code or None,
    )
    session.add(user)
    session.flush()
    after = snapshot(user) or {}
    after.pop("password_hash", None)
    audit_record(session=session, user=actor, entity="user", entity_id=user.id, action="create", after=after)
    session.commit()
    return user
