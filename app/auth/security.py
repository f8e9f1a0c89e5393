"""Password hashing and signed session tokens."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.settings import get_settings

SESSION_COOKIE = "p2k2_session"
_hasher = PasswordHasher()


def password_hash(password: str) -> str:
    return _hasher.hash(password)


def password_verify(password_hash_value: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash_value, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="p2k2-session")


def token_sign(token: str) -> str:
    return _serializer(get_settings().secret_key).dumps(token)


def token_unsign(value: str) -> str | None:
    settings = get_settings()
    try:
        token = _serializer(settings.secret_key).loads(value, max_age=settings.session_hours * 3600)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None
