"""Limits every request's parameters share, in one place: IDs and page numbers within range, no control
characters in query strings or form bodies, query-string text of bounded length."""

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request

from app.errors import NotFound
from app.i18n import N_

ID_MAX = 2**31 - 1
"""The largest value an INTEGER column holds on PostgreSQL (every ID, count and amount column is one)."""
PAGE_MAX = 100_000
PAGE_KEYS = frozenset({"halaman"})
TEXT_KEYS = frozenset({"q"})
"""Free text that may be all digits (a NIK typed into the search box): never read as an id."""
QUERY_VALUE_MAX = 500
"""Longer query-string values (a pasted search) are cut to this many characters."""

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ENCODED = re.compile(rb"%(?:0[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def text_clean(value: str) -> str:
    """The text without control characters (NUL and the like: PostgreSQL refuses NUL in text)."""
    return CONTROL.sub("", value)


def _integer_beyond(value: str, maximum: int) -> bool:
    return bool(_INTEGER.fullmatch(value)) and not -ID_MAX <= int(value) <= maximum


async def params_check(request: Request) -> None:
    """App-wide dependency: an integer path or query value beyond what an INTEGER column holds, or a page beyond
    PAGE_MAX, names nothing that exists (404) instead of overflowing the database's integers."""
    values = [*request.path_params.items(), *request.query_params.multi_items()]
    for key, value in values:
        if key in TEXT_KEYS:
            continue
        if isinstance(value, str) and _integer_beyond(value, PAGE_MAX if key in PAGE_KEYS else ID_MAX):
            raise NotFound(N_("Halaman tidak ditemukan."))


def _query_clean(raw: bytes) -> bytes:
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    return urlencode([(text_clean(k), text_clean(v)[:QUERY_VALUE_MAX]) for k, v in pairs]).encode("latin-1")


class InputClean:
    """ASGI middleware: strips control characters from the query string and from url-encoded form bodies, and
    cuts overlong query values, before any route (or FastAPI's own parameter parsing) reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if _CONTROL_ENCODED.search(query) or len(query) > QUERY_VALUE_MAX:
            scope = {**scope, "query_string": _query_clean(query)}
        headers = dict(scope.get("headers", []))
        if scope.get("method") == "POST" and headers.get(b"content-type", b"").startswith(
            b"application/x-www-form-urlencoded"
        ):
            body = bytearray()
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    await self.app(scope, receive, send)
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
            cleaned = bytes(body)
            if _CONTROL_ENCODED.search(cleaned):
                pairs = parse_qsl(cleaned.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
                cleaned = urlencode([(text_clean(k), text_clean(v)) for k, v in pairs]).encode("latin-1")
                scope = {
                    **scope,
                    "headers": [
                        (k, str(len(cleaned)).encode() if k == b"content-length" else v)
                        for k, v in scope.get("headers", [])
                    ],
                }
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": cleaned, "more_body": False}

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)
