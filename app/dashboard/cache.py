"""The dashboard's figures kept for `DASHBOARD_CACHE_SECONDS`, per viewer and filter, like a BI tool's extract.

A kabupaten dashboard costs a few hundred ms of CPU; a supervisor refreshing it every few seconds would take a core
from the pendamping's roll calls. So a built `Dashboard` (figures only: the HTML carries CSRF tokens and a locale) is
kept in-process for a while, keyed by everything that determines it; the page says when it was computed and offers
"Perbarui", which rebuilds. Concurrent requests for the same key wait for the one building it (single flight).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar

from sqlmodel import Session

from app.dashboard import queries
from app.dashboard.queries import Dashboard, Scope
from app.settings import get_settings

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
MAX_ENTRIES = 64  # a 100,000-KPM kabupaten's board holds ~0.6 MB (400 pendamping rows): ≤ ~40 MB per process


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    built_at: datetime  # UTC, when the figures were read
    stamp: float  # the cache clock's reading then


class TtlCache(Generic[K, T]):
    """A bounded (LRU) map of values built at most once per `ttl` seconds per key; builds of one key are serialised.

    `clock` gives seconds since the epoch (injected in tests); a failed build is not stored and the next waiter
    builds in turn."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[K, Cached[T]] = OrderedDict()
        self._flights: dict[K, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: K, build: Callable[[], T], *, ttl: float, refresh: bool = False) -> Cached[T]:
        """The value of `key`, built if missing, older than `ttl` or `refresh` asked (`ttl` 0: always built)."""
        if ttl <= 0:
            return self._built(build)
        asked = self.clock()
        with self._lock:
            hit = self._fresh(key, ttl=ttl, since=asked if refresh else None)
            if hit is not None:
                return hit
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:  # whoever held the flight may have just built it
                hit = self._fresh(key, ttl=ttl, since=asked if refresh else None)
            if hit is not None:
                return hit
            try:
                entry = self._built(build)
                with self._lock:
                    self._entries[key] = entry
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
                return entry
            finally:
                with self._lock:
                    if self._flights.get(key) is flight:
                        del self._flights[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _fresh(self, key: K, *, ttl: float, since: float | None) -> Cached[T] | None:
        """The entry if younger than `ttl` (and, on a refresh, started after `since`); caller holds `_lock`."""
        entry = self._entries.get(key)
        if entry is None or self.clock() - entry.stamp >= ttl or (since is not None and entry.stamp <= since):
            return None
        self._entries.move_to_end(key)
        return entry

    def _built(self, build: Callable[[], T]) -> Cached[T]:
        stamp = self.clock()
        return Cached(value=build(), built_at=datetime.fromtimestamp(stamp, UTC), stamp=stamp)


DashboardKey = tuple[int | None, str, str | None, str | None, date, date, bool, date]
DASHBOARDS: TtlCache[DashboardKey, Dashboard] = TtlCache()


def dashboard_key(*, scope: Scope, today: date, completion: bool) -> DashboardKey:
    """Everything a `Dashboard` depends on: the viewer (and the reach of their role), area, period, card, day."""
    user = scope.user
    area = scope.area.code if scope.area else None
    return (user.id, user.role, user.area_code, area, scope.period.start, scope.period.end, completion, today)


def dashboard_cached(
    *, session: Session, scope: Scope, today: date, completion: bool = False, refresh: bool = False
) -> Cached[Dashboard]:
    """`dashboard_build`, kept `DASHBOARD_CACHE_SECONDS` per viewer and filter; `refresh` rebuilds and stores."""
    return DASHBOARDS.get(
        dashboard_key(scope=scope, today=today, completion=completion),
        lambda: queries.dashboard_build(session=session, scope=scope, today=today, completion=completion),
        ttl=get_settings().dashboard_cache_seconds,
        refresh=refresh,
    )
