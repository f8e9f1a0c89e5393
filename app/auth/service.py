"""Sign-in rules: verify, throttle, open and close login sessions; create users."""

import secrets
from datetime import timedelta

from sqlalchemy import and_, case, or_, text
from sqlmodel import Session, col, delete, func, select

from app.audit import audit_record, snapshot
from app.auth.security import DUMMY_HASH, password_hash, password_outdated, password_verify
from app.db import write_intent
from app.errors import RuleViolation
from app.i18n import N_
from app.models import ROLES, LoginFailure, LoginSession, User, utcnow
from app.settings import get_settings

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256
LOGIN_LOCK_KEY = 0x5032_4B32  # "P2K2": PostgreSQL advisory lock serialising the login bookkeeping


def _login_bookkeeping_lock(session: Session) -> None:
    """Attempts are checked and recorded one at a time (on SQLite the POST's BEGIN IMMEDIATE does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOGIN_LOCK_KEY})


def login_refused(*, session: Session, username: str, ip: str, known_device: bool) -> bool:
    """The throttle, over the failures of the last window (LOGIN_WINDOW_MINUTES):

    - an account with `login_max_failures` failures is closed to every browser it has not signed in from before;
    - a browser it has signed in from (the signed device cookie) is refused only after as many failures from its
      own address, so guessing from elsewhere never locks the owner out of their usual phone or office PC;
    - an address with `login_max_failures_per_address` failures (any accounts) is refused for strangers.
    """
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    by_account = case((col(LoginFailure.username) == username, 1), else_=0)
    by_address = case((col(LoginFailure.ip) == ip, 1), else_=0)
    by_both = case((and_(col(LoginFailure.username) == username, col(LoginFailure.ip) == ip), 1), else_=0)
    account, address, both = session.exec(
        select(
            func.coalesce(func.sum(by_account), 0),
            func.coalesce(func.sum(by_address), 0),
            func.coalesce(func.sum(by_both), 0),
        ).where(col(LoginFailure.at) >= since, or_(col(LoginFailure.username) == username, col(LoginFailure.ip) == ip))
    ).one()
    if known_device:
        return int(both) >= settings.login_max_failures
    return int(account) >= settings.login_max_failures or int(address) >= settings.login_max_failures_per_address


def login_attempt(*, session: Session, username: str, password: str, ip: str, known_user_ids: frozenset[int]) -> User:
    """Return the user or raise RuleViolation.

    The attempt is first recorded as a failure in a short transaction of its own, checked against the throttle
    under a lock, and committed before the password is verified: parallel guesses each see the ones before them.
    A right password then removes its own row. Unknown names do the same work (a dummy hash is verified), so the
    answer and its time do not tell whether a name exists.
    """
    settings = get_settings()
    name = username.strip().lower()[:64]
    _login_bookkeeping_lock(session)
    user = session.exec(select(User).where(User.username == name)).first()
    known_device = user is not None and user.id in known_user_ids
    refused = login_refused(session=session, username=name, ip=ip[:64], known_device=known_device)
    attempt = LoginFailure(username=name, ip=ip[:64])
    session.add(attempt)
    session.flush()
    attempt_id, password_hash_value = attempt.id, user.password_hash if user is not None else DUMMY_HASH
    active = user is not None and user.is_active
    session.commit()
    if refused:
        raise RuleViolation(
            N_("Terlalu banyak percobaan gagal. Coba lagi dalam %(minutes)s menit."),
            field="username",
            minutes=settings.login_window_minutes,
        )
    if not password_verify(password_hash_value, password) or not active or user is None:
        raise RuleViolation(N_("Nama pengguna atau kata sandi salah."), field="password")
    renewed = password_hash(password) if password_outdated(password_hash_value) else None
    write_intent(session)  # removing the attempt and opening the login session are one write
    session.exec(delete(LoginFailure).where(col(LoginFailure.id) == attempt_id))
    if renewed is not None:  # the same password, hashed with today's settings (not a change: not audited)
        user.password_hash = renewed
        session.add(user)
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


def password_change(
    *, session: Session, user: User, current: str, new: str, confirm: str, keep_token: str | None
) -> User:
    """A user changes their own password: the current one is required; every other signed-in browser of theirs is
    signed out (the one asking stays); audited without either password."""
    session.refresh(user, with_for_update=True)
    if not password_verify(user.password_hash, current[:PASSWORD_MAX_LENGTH]):
        raise RuleViolation(N_("Kata sandi sekarang salah."), field="current_password")
    if len(new) < PASSWORD_MIN_LENGTH:
        raise RuleViolation(N_("Kata sandi minimal 8 karakter."), field="new_password")
    if len(new) > PASSWORD_MAX_LENGTH:
        raise RuleViolation(
            N_("Terlalu panjang (maksimal %(max)s karakter)."), field="new_password", max=PASSWORD_MAX_LENGTH
        )
    if new != confirm:
        raise RuleViolation(N_("Ulangi kata sandi baru dengan sama persis."), field="confirm_password")
    if new == current:
        raise RuleViolation(N_("Kata sandi baru harus berbeda dari yang sekarang."), field="new_password")
    user.password_hash = password_hash(new)
    session.add(user)
    others = delete(LoginSession).where(col(LoginSession.user_id) == user.id)
    if keep_token:
        others = others.where(col(LoginSession.token) != keep_token)
    session.exec(others)
    audit_record(
        session=session,
        user=user,
        entity="user",
        entity_id=user.id,
        action="password_change",
        after={"password_changed_at": utcnow().isoformat()},
    )
    session.commit()
    return user
