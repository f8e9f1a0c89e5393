"""Typed settings, read once from the environment."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"
MIN_SECRET_LENGTH = 16  # e.g. `openssl rand -hex 32`; 16 is the floor below which the server will not start


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    environment: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'data' / 'p2k2.sqlite3'}"
    database_replica_url: str | None = None
    secret_key: str = DEV_SECRET
    session_hours: int = 12
    cookie_secure: bool = False
    demo_password: str = "p2k2demo"
    default_locale: str = "id"
    upload_dir: Path = ROOT / "data" / "uploads"
    upload_max_bytes: int = 5 * 1024 * 1024
    roster_max_bytes: int = 40 * 1024 * 1024  # a roster file (CSV/XLSX); 100,000 member rows are ~15 MB as CSV
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_max_failures_per_address: int = 30
    known_device_days: int = 180
    threads: int = 20
    # Overload protection (app.admission): requests served at once per process (0: as many as THREADS), requests
    # that may wait for their turn, and how long each may wait, before the answer is a quick 503 + Retry-After.
    # The queue's length is what answers quickly when the process is overrun; the wait only caps a slow queue
    # (e.g. a burst of logins, each an argon2 hash).
    busy_limit: int = 0
    busy_queue: int = 100
    busy_wait_seconds: float = 10.0
    # Seconds a built supervisor dashboard is reused for the same viewer and filter (app.dashboard.cache); 0: never.
    dashboard_cache_seconds: int = 60
    # Where a roll call's marks on a held meeting refresh the stored verdicts (graduation.service): "inline" in the
    # request that wrote them, or "worker": queued in the same commit for `python -m app.cli worker`, which stores
    # them about a second later in batches (`make run` and the compose file run one and choose it).
    readiness_refresh: Literal["inline", "worker"] = "inline"
    log_format: Literal["json", "text"] = "text"

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> "Settings":
        if self.environment != "development":
            if self.secret_key == DEV_SECRET:
                raise ValueError(f"SECRET_KEY must be set outside development (ENVIRONMENT={self.environment})")
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters outside development")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
