"""Request IDs, one structured log line per request, and the readiness check (`/siap`)."""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TextIO

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("p2k2.access")


def current_request_id() -> str | None:
    """The request ID of the request being served, for error pages and log lines."""
    return request_id_var.get()


def request_id_choose(incoming: str | None) -> str:
    """A proxy's or client's ID when it is a safe token of at most 64 characters, otherwise a fresh one."""
    if incoming and _SAFE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request fields and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            line.update(fields)
        elif (request_id := current_request_id()) is not None:
            line["request_id"] = request_id
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")


class _OwnedHandler(logging.StreamHandler[TextIO]):
    """A handler `logging_configure` installed (and replaces when called again)."""

    p2k2_owned = True


def logging_configure(*, log_format: str) -> None:
    """The app's loggers (`p2k2`, `p2k2.access`) write to stderr in the chosen format; set once per process."""
    logger = logging.getLogger("p2k2")
    for handler in [h for h in logger.handlers if getattr(h, "p2k2_owned", False)]:
        logger.removeHandler(handler)
    handler = _OwnedHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class RequestLogMiddleware:
    """Outermost ASGI layer: gives every request an ID (header `X-Request-ID`, also on 500 pages) and logs one line
    when it ends: request ID, user ID, method, route template, status, duration in milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id_choose(incoming)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            fields = {
                "request_id": request_id,
                "user_id": state.get("user_id"),
                "method": scope["method"],
                "route": getattr(route, "path", None),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            access_log.info(
                "%s %s %s %sms",
                fields["method"],
                fields["route"] or "-",
                status,
                fields["duration_ms"],
                extra={"request": fields},
            )
            request_id_var.reset(token)


@lru_cache
def _migration_head() -> str | None:
    from app.cli import migration_head

    return migration_head()


def readiness_check(*, session: Session) -> tuple[int, dict[str, Any]]:
    """200 when the database answers and its schema is at the newest migration, otherwise 503 with the reason."""
    try:
        session.execute(text("SELECT 1")).one()
    except SQLAlchemyError as exc:
        session.rollback()
        return 503, {"status": "unavailable", "reason": "database unreachable", "error": type(exc).__name__}
    head = _migration_head()
    try:
        with session.begin_nested():
            stored = list(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        stored = []
    if head is None or stored != [head]:
        return 503, {"status": "unavailable", "reason": "migrations not at head", "revision": stored, "head": head}
    return 200, {"status": "ok", "revision": head}


def install(app: FastAPI) -> None:
    """The request-ID middleware outside everything else (so even the 500 page the server-error layer writes
    carries the header), and `request_id()` for templates. The log format is set at start-up (app.main)."""
    from app.web import templates

    templates.env.globals["request_id"] = current_request_id
    build = app.build_middleware_stack

    def build_with_request_log() -> ASGIApp:
        return RequestLogMiddleware(build())

    # Wrapping Starlette's method on this instance: mypy forbids assigning to a method.
    app.build_middleware_stack = build_with_request_log  # type: ignore[method-assign]
