"""Light on the wire (issue 12): pages and assets gzipped, vendored assets cached a year, exports still stream."""

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import StreamingResponse

from tests.conftest import Browser
from tests.factories import meeting_make, world_make


def test_roll_call_page_and_assets_are_compressed(web: Browser, session) -> None:  # type: ignore[no-untyped-def]
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    page = web.client.get(f"/pertemuan/{meeting.id}", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["vary"] and "HX-Request" in page.headers["vary"]
    assert page.headers["cache-control"] == "no-store"
    for path in ("/static/vendor/htmx-2.0.11.min.js", "/static/vendor/pico-2.1.1.jade.min.css"):
        asset = web.client.get(path, headers={"Accept-Encoding": "gzip"})
        assert asset.headers["content-encoding"] == "gzip", path
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    app_css = web.client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert app_css.headers["content-encoding"] == "gzip" and "max-age=86400" in app_css.headers["cache-control"]


def test_the_app_compresses_with_gzip() -> None:
    from app.main import app

    gz = [m for m in app.user_middleware if m.cls is GZipMiddleware]
    assert len(gz) == 1 and gz[0].kwargs["minimum_size"] == 500


def test_a_streamed_download_leaves_in_pieces_through_gzip() -> None:
    """Each chunk of a streaming response is flushed on its own, before the generator has produced the rest."""
    produced = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal produced
        for i in range(50):
            produced += 1
            yield (f"{i};KPM nomor {i};hadir\n" * 200).encode()

    async def run() -> list[tuple[int, int]]:
        inner = StreamingResponse(body(), media_type="text/csv")
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip")]}
        seen: list[tuple[int, int]] = []
        chunks: list[bytes] = []

        async def receive():  # type: ignore[no-untyped-def]
            await asyncio.sleep(10)
            return {"type": "http.disconnect"}

        async def send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.body" and message.get("body"):
                seen.append((produced, len(message["body"])))
                chunks.append(message["body"])

        await GZipMiddleware(inner, minimum_size=500)(scope, receive, send)
        assert gzip.decompress(b"".join(chunks)).count(b"\n") == 50 * 200
        return seen

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever runs in this thread
        seen = pool.submit(asyncio.run, run()).result()
    assert len(seen) > 10 and seen[0][0] < 5  # the first bytes left while most rows were still to come
