"""Overload protection: a process serves at most `limit` requests at once and lets at most `queue` more wait for
their turn, each for at most `wait` seconds. Beyond that a request is answered at once — 503, `Retry-After` and a
short message in the user's language — instead of piling up until every client has given up (a kabupaten's
morning peak above capacity used to end in thousands of 30 s timeouts, and memory growing with the queue). The
offline roll call keeps a tap answered 503 in its queue and sends it again after `Retry-After`.

Static files, the service worker and the health checks are never held back: they cost next to nothing, and a
load balancer must see a busy process as alive.
"""

import asyncio
import html
from collections import deque

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app import i18n
from app.settings import get_settings

EXEMPT_PREFIXES = ("/static/", "/sehat", "/siap", "/sw.js")
RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = i18n.N_("Server sedang sibuk melayani banyak permintaan. Coba lagi dalam beberapa detik.")
BUSY_TITLE = i18n.N_("Server sedang sibuk")
BUSY_AGAIN = i18n.N_("Coba lagi")
BUSY_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>503 · P2K2</title></head>
<body><main><h1>{title}</h1><p>{message}</p><p><a href="">{again}</a></p></main></body></html>
"""
BUSY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Retry-After": str(RETRY_AFTER_SECONDS),
}


class AdmissionLimit:
    """ASGI middleware: at most `limit` requests in the app, at most `queue` waiting (first come, first served)
    for at most `wait` seconds each; the others get `busy_response` without touching the app. Sizes not given
    come from the settings (`BUSY_LIMIT` or `THREADS`, `BUSY_QUEUE`, `BUSY_WAIT_SECONDS`) at the first request."""

    def __init__(
        self, app: ASGIApp, *, limit: int | None = None, queue: int | None = None, wait: float | None = None
    ) -> None:
        self.app = app
        self.sizes = (limit, queue, wait)
        self.limit, self.queue, self.wait = 1, 0, 0.0
        self.configured = False
        self.running = 0
        self.waiters: deque[asyncio.Future[bool]] = deque()
        self.refused = 0  # since start, for the logs and the benchmark

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self.configured:
            self._configure()
        if not await self._enter():
            self.refused += 1
            await busy_response(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()

    def _configure(self) -> None:
        settings = get_settings()
        limit, queue, wait = self.sizes
        self.limit = max(1, limit if limit is not None else settings.busy_limit or settings.threads)
        self.queue = max(0, queue if queue is not None else settings.busy_queue)
        self.wait = wait if wait is not None else settings.busy_wait_seconds
        self.configured = True

    async def _enter(self) -> bool:
        if self.running < self.limit and not self.waiters:
            self.running += 1
            return True
        if len(self.waiters) >= self.queue:
            return False
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[bool] = loop.create_future()
        self.waiters.append(turn)
        timer = loop.call_later(self.wait, _turn_refuse, turn)
        try:
            admitted = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.result():
                self._leave()  # the slot handed over to this request goes to the next one
            elif turn in self.waiters:
                self.waiters.remove(turn)
            raise
        finally:
            timer.cancel()
        if not admitted:
            if turn in self.waiters:
                self.waiters.remove(turn)
            return False
        return True  # the slot of the request that finished was handed over: `running` is unchanged

    def _leave(self) -> None:
        while self.waiters:
            turn = self.waiters.popleft()
            if not turn.done():
                turn.set_result(True)
                return
        self.running -= 1


def _turn_refuse(turn: "asyncio.Future[bool]") -> None:
    if not turn.done():
        turn.set_result(False)


def _locale(scope: Scope) -> str:
    from app.web import LANG_COOKIE

    lang = HTTPConnection(scope).cookies.get(LANG_COOKIE, "id")
    return lang if lang in i18n.LOCALES else "id"


async def busy_response(scope: Scope, send: Send) -> None:
    """503 at once, in the user's language: for htmx (a tap, a boosted link) the message alone, which the page
    shows in its flash area; otherwise a page of its own. Nothing is rendered from templates, nothing is read."""
    lang = _locale(scope)
    token = i18n.current_locale.set(lang)
    try:
        message = html.escape(i18n.gettext(BUSY_MESSAGE))
        if Headers(scope=scope).get("hx-request") == "true":
            body = f'<p class="alert error" role="alert">{message}</p>'
        else:
            title, again = html.escape(i18n.gettext(BUSY_TITLE)), html.escape(i18n.gettext(BUSY_AGAIN))
            body = BUSY_PAGE.format(lang=lang, title=title, message=message, again=again)
    finally:
        i18n.current_locale.reset(token)
    payload = body.encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in BUSY_HEADERS.items()]
    headers += [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
