"""Password hashing and signed session tokens."""

import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.settings import get_settings

SESSION_COOKIE = "p2k2_session"
DEVICE_COOKIE = "p2k2_device"
DEVICE_USERS_MAX = 8
# OWASP's argon2id configuration (19 MiB, 2 passes, 1 lane): ~18 ms of one core per hash. The library's default
# (64 MiB, 3 passes, 4 lanes) took ~150 ms of CPU on both cores of a 2-core server: at a kabupaten's morning logins
# it took the CPU the roll calls needed (issue 9). Hashes made with other settings are re-made at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Each argon2 hash takes 19 MiB (64 MiB for hashes made before) for its duration: one at a time per process, so a
# burst of logins (a kabupaten's pendamping signing in at 8 o'clock) costs time in turn, not hundreds of MB at once.
_hashing = threading.Semaphore(1)
# Verified when a name does not exist, so an unknown name costs the same time as a wrong password.
DUMMY_HASH = _hasher.hash("p2k2-no-such-user")


def password_hash(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def password_verify(password_hash_value: str, password: str) -> bool:
    try:
        with _hashing:
            return _hasher.verify(password_hash_value, password)
    except (VerificationError, InvalidHashError):
        return False


def password_outdated(password_hash_value: str) -> bool:
    """Made with other argon2 settings than today's: re-made at the next successful login."""
    try:
        return _hasher.check_needs_rehash(password_hash_value)
    except InvalidHashError:
        return True


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


@lru_cache
def _device_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="p2k2-known-device")


def device_users(value: str | None) -> frozenset[int]:
    """The accounts that signed in before from this browser (signed long-lived cookie); empty when absent or forged."""
    if not value:
        return frozenset()
    settings = get_settings()
    try:
        ids = _device_serializer(settings.secret_key).loads(value, max_age=settings.known_device_days * 86400)
    except BadSignature:
        return frozenset()
    if not isinstance(ids, list):
        return frozenset()
    return frozenset(i for i in ids if isinstance(i, int))


def device_sign(previous: frozenset[int], user_id: int) -> str:
    ids = [user_id, *sorted(i for i in previous if i != user_id)][:DEVICE_USERS_MAX]
    return _device_serializer(get_settings().secret_key).dumps(ids)
