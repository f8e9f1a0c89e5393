"""The dashboard cache: reused within its TTL per viewer and filter, rebuilt on refresh, on expiry, once at a time."""

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.dashboard import cache, queries
from app.dashboard.forms import period_default
from app.dashboard.queries import Dashboard, Scope, Tally
from app.models import Role, User
from app.settings import get_settings
from tests.conftest import Browser, text_of
from tests.dashboard.fixtures import fixed_make


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The cache turned on (60 s) with a fresh store read on a clock the test moves."""
    fake = Clock()
    monkeypatch.setattr(get_settings(), "dashboard_cache_seconds", 60)
    monkeypatch.setattr(cache, "DASHBOARDS", cache.TtlCache(clock=fake))
    return fake


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """Every call of `dashboard_build`, by (user id, area code, period start, period end)."""
    calls: list[tuple[Any, ...]] = []
    real = queries.dashboard_build

    def counted(*, session: Session, scope: Scope, today: date, completion: bool = False) -> Dashboard:
        calls.append((scope.user.id, scope.area.code if scope.area else None, scope.period.start, scope.period.end))
        return real(session=session, scope=scope, today=today, completion=completion)

    monkeypatch.setattr(queries, "dashboard_build", counted)
    yield calls


def test_a_second_view_within_the_ttl_does_not_rebuild(
    session: Session, web: Browser, clock: Clock, builds: list[tuple[Any, ...]]
) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    first = web.get("/dasbor?wilayah=32.77")
    assert first.status_code == 200 and len(builds) == 1
    assert "Data per" in text_of(first.text) and "WIB" in text_of(first.text) and "segarkan=1" in first.text
    clock.now += 59
    second = web.get("/dasbor?wilayah=32.77")
    assert second.status_code == 200 and len(builds) == 1
    assert "78 %" in text_of(second.text)  # the same figures, from the cache
    assert web.get("/dasbor/penyelesaian?wilayah=32.77").status_code == 200 and len(builds) == 1  # same figures


def test_refresh_rebuilds_and_stores_its_result(
    session: Session, web: Browser, clock: Clock, builds: list[tuple[Any, ...]]
) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    web.get("/dasbor?wilayah=32.77")
    clock.now += 1
    refreshed = web.get(
        "/dasbor?wilayah=32.77&segarkan=1", headers={"HX-Request": "true", "HX-Target": "dashboard-body"}
    )
    assert refreshed.status_code == 200 and len(builds) == 2
    assert "<html" not in refreshed.text and "Data per" in refreshed.text  # the body only, swapped in place
    clock.now += 30
    web.get("/dasbor?wilayah=32.77")
    assert len(builds) == 2  # the refreshed figures were stored
    assert web.get("/dasbor/penyelesaian?wilayah=32.77&segarkan=1").status_code == 200 and len(builds) == 3


def test_viewers_areas_and_periods_do_not_share_entries(
    session: Session, web: Browser, clock: Clock, builds: list[tuple[Any, ...]]
) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    for url in ("/dasbor", "/dasbor?wilayah=32.77.01", "/dasbor?dari=2026-01&sampai=2026-03", "/dasbor"):
        assert web.get(url).status_code == 200, url
    assert len(builds) == 3
    web.login(fx.world.supervisor_utara.username)
    page = web.get("/dasbor")
    assert page.status_code == 200 and len(builds) == 4
    text = text_of(page.text)
    assert "Kelompok Utara" in text and "Cimahi Selatan" not in text  # not the kota supervisor's entry
    assert web.get("/dasbor?wilayah=32.77.01").status_code == 404 and len(builds) == 4  # access checked first
    assert {b[0] for b in builds} == {fx.world.supervisor.id, fx.world.supervisor_utara.id}


def test_expiry_rebuilds(session: Session, web: Browser, clock: Clock, builds: list[tuple[Any, ...]]) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    web.get("/dasbor")
    clock.now += 60
    web.get("/dasbor")
    assert len(builds) == 2


def test_ttl_zero_always_builds(
    session: Session, web: Browser, clock: Clock, builds: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "dashboard_cache_seconds", 0)
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    web.get("/dasbor")
    web.get("/dasbor")
    assert len(builds) == 2 and len(cache.DASHBOARDS) == 0


def board_of(scope: Scope) -> Dashboard:
    return Dashboard(scope=scope, total=Tally(), months=[], children=[], pendamping=[], overdue=[])


def test_concurrent_requests_for_one_key_build_once(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight viewers at once: one builds, the others wait for it and get the same figures."""
    today = date(2026, 11, 30)
    scope = Scope(
        user=User(id=7, username="s", full_name="S", role=Role.SUPERVISOR, area_code="32.77"),
        area=None,
        period=period_default(today),
    )
    calls: list[int] = []
    started = threading.Barrier(8)

    def slow_build(*, session: Session, scope: Scope, today: date, completion: bool = False) -> Dashboard:
        calls.append(1)
        threading.Event().wait(0.5)  # long enough for the seven others to queue behind this build
        return board_of(scope)

    monkeypatch.setattr(queries, "dashboard_build", slow_build)
    results: list[Dashboard] = []

    def view() -> None:
        started.wait()
        got = cache.dashboard_cached(session=None, scope=scope, today=today, completion=True)  # type: ignore[arg-type]
        results.append(got.value)

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 1 and len(results) == 8
    assert all(r is results[0] for r in results)


def test_a_failed_build_is_not_stored_and_the_next_viewer_builds() -> None:
    store: cache.TtlCache[str, int] = cache.TtlCache(clock=Clock())

    def broken() -> int:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        store.get("k", broken, ttl=60)
    assert store.get("k", lambda: 3, ttl=60).value == 3
    assert store.get("k", lambda: 4, ttl=60).value == 3


def test_the_store_is_bounded_least_recently_used_first() -> None:
    clock = Clock()
    store: cache.TtlCache[int, int] = cache.TtlCache(max_entries=3, clock=clock)
    for key in range(3):
        store.get(key, lambda key=key: key, ttl=60)  # type: ignore[misc]
    store.get(0, lambda: -1, ttl=60)  # 0 used again: 1 is now the oldest
    store.get(3, lambda: 3, ttl=60)
    assert len(store) == 3
    assert store.get(1, lambda: 10, ttl=60).value == 10  # evicted, rebuilt
    assert store.get(0, lambda: -1, ttl=60).value == 0  # kept
    clock.now += 60
    assert store.get(0, lambda: 5, ttl=60).value == 5  # expired
