"""Overload protection (app.admission): beyond what a process serves at once and lets wait, a request gets a
quick 503 with Retry-After and a message in the user's language instead of waiting until the client gives up."""

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from fastapi.testclient import TestClient

from app.admission import RETRY_AFTER_SECONDS, AdmissionLimit
from app.main import create_app


class SlowApp:
    """An ASGI app that answers 200 once `release` is set, counting the requests inside it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.most_inside = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            if scope["path"] != "/sehat":
                await self.release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            self.inside -= 1


async def call(app: Any, path: str = "/", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or [], "query_string": b""}
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def run(scenario: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread of its own: a browser test of the same session keeps a loop running in this one."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(scenario)
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_beyond_the_limit_and_the_queue_requests_get_a_quick_503() -> None:
    async def scenario() -> None:
        inner = SlowApp()
        app = AdmissionLimit(inner, limit=2, queue=2, wait=5.0)
        admitted = [asyncio.create_task(call(app)) for _ in range(4)]  # 2 inside, 2 waiting
        await asyncio.sleep(0.05)
        started = asyncio.get_running_loop().time()
        refused = await call(app, headers=[(b"hx-request", b"true")])
        assert asyncio.get_running_loop().time() - started < 0.5  # at once, not after the others
        assert refused["status"] == 503
        assert refused["headers"]["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert refused["body"].decode().startswith('<p class="alert error"')  # htmx: the flash message only
        assert "Server sedang sibuk" in refused["body"].decode()
        page = await call(app, headers=[(b"cookie", b"p2k2_lang=en")])
        assert page["status"] == 503 and "The server is busy" in page["body"].decode()
        assert (await call(app, "/sehat"))["status"] == 200  # health checks are never held back
        inner.release.set()
        answers = await asyncio.gather(*admitted)
        assert [a["status"] for a in answers] == [200] * 4  # the waiting ones were served in turn
        assert inner.most_inside == 3  # 2 + the health check
        assert app.running == 0 and not app.waiters and app.refused == 2

    run(scenario())


def test_a_request_waits_at_most_the_configured_time() -> None:
    async def scenario() -> None:
        inner = SlowApp()
        app = AdmissionLimit(inner, limit=1, queue=5, wait=0.1)
        first = asyncio.create_task(call(app))
        await asyncio.sleep(0.01)
        waited = await call(app)
        assert waited["status"] == 503
        inner.release.set()
        assert (await first)["status"] == 200
        assert (await call(app))["status"] == 200  # the slot is free again, nothing leaked
        assert app.running == 0 and not app.waiters

    run(scenario())


def test_the_app_is_wrapped_and_serves_normally() -> None:
    app = create_app()
    with TestClient(app) as client:
        response = client.get("/masuk")
        assert response.status_code == 200
    assert any(m.cls is AdmissionLimit for m in app.user_middleware)
