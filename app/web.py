"""Server-rendered pages: templates, fragments, CSRF, security headers and the one error translator."""

import hmac
import html
import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment, FileSystemLoader
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.datastructures import MutableHeaders, URLPath
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.clock import today_local
from app.errors import CsrfFailed, DomainError, LoginRequired
from app.labels import label, status_label
from app.models import VOCABULARY
from app.settings import ROOT, get_settings

log = logging.getLogger("p2k2")

CSRF_COOKIE = "p2k2_csrf"
LANG_COOKIE = "p2k2_lang"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

templates = Jinja2Blocks(
    env=Environment(
        loader=FileSystemLoader(ROOT / "templates"), autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"]
    )
)
# Added to the Environment at runtime by jinja2.ext.i18n; jinja2's annotations cannot know it.
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
)
templates.env.globals.update(
    fmt_number=i18n.fmt_number,
    fmt_rupiah=i18n.fmt_rupiah,
    fmt_percent=i18n.fmt_percent,
    fmt_date=i18n.fmt_date,
    fmt_datetime=i18n.fmt_datetime,
    fmt_time=i18n.fmt_time,
    fmt_clock=i18n.fmt_clock,
    label=label,
    status_label=status_label,
)
templates.env.globals.update(VOCABULARY)
# Form and label macros are globals, so a block rendered on its own (a fragment) can use them too.
_macros = templates.env.get_template("macros.html").make_module()
templates.env.globals.update({name: getattr(_macros, name) for name in _macros.__dict__ if not name.startswith("_")})


def templates_compile() -> int:
    """Compile every template once at start-up, so the first requests after a restart do not queue behind it."""
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)


def is_htmx(request: HTTPConnection) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def hx_target(request: Request) -> str | None:
    """The id of the element that asked, so a handler returns just that element's block."""
    return request.headers.get("HX-Target") if is_htmx(request) else None


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    blocks: list[str] | None = None,
    targets: Mapping[str, str | Sequence[str]] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The template, or only its named block(s): `block`/`blocks` always, or `targets` mapping the id of the
    element that asked (HX-Target) to its block(s) — the whole page when another element (or no htmx) asked."""
    chosen = targets.get(hx_target(request) or "") if targets else None
    if isinstance(chosen, str):
        block, blocks = chosen, None
    elif chosen:
        block, blocks = None, list(chosen)
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf", ""),
        "locale": i18n.current_locale.get(),
        "unread": getattr(request.state, "unread", 0),
        **(context or {}),
    }
    if blocks:
        response = templates.TemplateResponse(request, template, ctx, block_names=blocks, status_code=status)
    elif block:
        response = templates.TemplateResponse(request, template, ctx, block_name=block, status_code=status)
    else:
        response = templates.TemplateResponse(request, template, ctx, status_code=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def redirect(url: str | Any, request: Request | None = None) -> Response:
    """303 after a successful POST; htmx follows it as a full navigation."""
    url = str(url)
    if request is not None and is_htmx(request):
        return Response(status_code=204, headers={"HX-Location": url})
    return RedirectResponse(url, status_code=303)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: an unsafe request must echo the CSRF cookie (header or form field)."""
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token", "")
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed(i18n.N_("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."))


class PageContext:
    """ASGI middleware (plain, not `BaseHTTPMiddleware`, which costs a task and a stream per request): the
    request's language and CSRF token, the CSRF cookie when the browser has none, `Vary` and the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = HTTPConnection(scope).cookies
        lang = cookies.get(LANG_COOKIE, get_settings().default_locale)
        token = i18n.current_locale.set(lang if lang in i18n.LOCALES else "id")
        state = scope.setdefault("state", {})
        state["csrf"] = cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        path = scope["path"]
        fragment = is_htmx(HTTPConnection(scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if cookies.get(CSRF_COOKIE) != state["csrf"]:
                    cookie = Response()
                    cookie.set_cookie(
                        CSRF_COOKIE, state["csrf"], httponly=True, samesite="lax", secure=get_settings().cookie_secure
                    )
                    headers.append("set-cookie", cookie.headers["set-cookie"])
                headers.setdefault("Vary", "HX-Request, HX-Target")
                headers_secure(headers, path, fragment=fragment)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.current_locale.reset(token)


URL_SENTINEL = 9_000_000_001  # beyond any id (INTEGER columns): marks where a parameter lands in a route's path


def url_index_install(app: FastAPI) -> None:
    """`url_for` without walking the routes: Starlette (and FastAPI's included routers) try every route in turn,
    each miss raising and catching an exception — more CPU than the rest of a roll-call row's rendering. The path
    of each (route name, parameter names) is found once with placeholder ids; calls whose parameters are all
    non-negative ints (ids: what an int converter and a plain one both write as `str(value)`) fill it in.
    Anything else (text parameters, a route not found) takes Starlette's own walk, errors included."""
    router = app.router
    walk = router.url_path_for
    shapes: dict[tuple[str, tuple[str, ...]], tuple[list[str], list[str], URLPath] | None] = {}

    def shape_of(name: str, keys: tuple[str, ...]) -> tuple[list[str], list[str], URLPath] | None:
        marks = {key: str(URL_SENTINEL + i) for i, key in enumerate(keys)}
        try:
            sample = walk(name, **{key: int(mark) for key, mark in marks.items()})
        except Exception:
            return None
        path, pieces, order = str(sample), [], []
        for key in sorted(keys, key=lambda k: path.find(marks[k])):
            head, found, path = path.partition(marks[key])
            if not found or marks[key] in path:
                return None
            pieces.append(head)
            order.append(key)
        pieces.append(path)
        return pieces, order, sample

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        if not all(type(v) is int and v >= 0 for v in path_params.values()):
            return walk(name, **path_params)
        key = (name, tuple(sorted(path_params)))
        if key not in shapes:
            shapes[key] = shape_of(*key)
        shape = shapes[key]
        if shape is None:
            return walk(name, **path_params)
        pieces, order, sample = shape
        path = pieces[0] + "".join(str(path_params[k]) + piece for k, piece in zip(order, pieces[1:], strict=True))
        return URLPath(path=path, protocol=sample.protocol, host=sample.host)

    router.url_path_for = url_path_for  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Middleware and exception handlers shared by every route."""

    app.add_middleware(PageContext)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, LoginRequired):
            target = str(request.url_for("login_form").include_query_params(next=request.url.path))
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)
        return error_page(request, exc.status_code, _message(exc.message, **exc.params))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 404, _message("Halaman tidak ditemukan."))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, _message("Halaman tidak ditemukan."))
        if exc.status_code == 405:
            return error_page(request, 405, _message("Metode tidak diizinkan."))
        return error_page(request, exc.status_code, _message("Permintaan tidak dapat diproses."))

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        request.state.user = None  # the page must not touch the database again
        return error_page(request, 503, _message(DATABASE_DOWN), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    for error_class in DATABASE_ERRORS:
        app.add_exception_handler(error_class, database_unavailable)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette answers this one outside every middleware: the headers are set here too.
        if is_database_unavailable(exc):
            return await database_unavailable(request, exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_page(request, 500, _message("Terjadi kesalahan pada server. Coba lagi sebentar lagi."))


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
DOCUMENT_HEADERS = frozenset({"Content-Security-Policy", "Referrer-Policy", "X-Frame-Options"})
RETRY_AFTER_SECONDS = 5
DATABASE_DOWN = i18n.N_("Basis data sedang tidak dapat dihubungi. Coba lagi dalam beberapa detik.")
FALLBACK_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} · P2K2</title></head>
<body><main><h1>{title}</h1><p>{message}</p><p><a href="/">Kembali ke Beranda</a></p></main></body></html>
"""
FALLBACK_TITLES = {503: "Layanan sedang tidak tersedia", 500: "Terjadi kesalahan pada server"}


def _database_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    import sqlalchemy.exc

    errors: list[type[Exception]] = [
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.DisconnectionError,
        sqlalchemy.exc.TimeoutError,
        sqlite3.OperationalError,
    ]
    try:
        import psycopg

        errors.append(psycopg.OperationalError)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


DATABASE_ERRORS = _database_errors()


def is_database_unavailable(exc: BaseException) -> bool:
    """A lost or busy database: the request may be retried as is (503), nothing is wrong with it."""
    import sqlalchemy.exc

    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, DATABASE_ERRORS)


def security_headers(response: Response, path: str) -> Response:
    headers_secure(response.headers, path)
    return response


def headers_secure(headers: MutableHeaders, path: str, *, fragment: bool = False) -> None:
    """The security headers and caching of a response. A `fragment` (the answer to an htmx request, swapped into
    a page that already has them) carries only those that act on a fetched response: the ones for documents
    (CSP, framing, referrer) would be ~250 bytes more on every roll-call tap for nothing."""
    for key, value in SECURITY_HEADERS.items():
        if not (fragment and key in DOCUMENT_HEADERS):
            headers.setdefault(key, value)
    if path.startswith("/static/vendor/"):  # the version is in the file name
        headers.setdefault("Cache-Control", "public, max-age=31536000, immutable")
    elif path.startswith("/static/"):
        headers.setdefault("Cache-Control", "public, max-age=86400")
    else:
        headers.setdefault("Cache-Control", "no-store")


def _message(message: str, **params: Any) -> str:
    try:
        return i18n.gettext(message, **params)
    except Exception:  # a broken catalogue or parameters must not break the error page
        return message


def error_page(request: Request, status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    """The error page; if even rendering it fails (template, database, locale), a static page in Indonesian."""
    try:
        if is_htmx(request):
            response = render(
                request, "errors/page.html", {"message": message, "status": status}, block="flash", status=status
            )
        else:
            response = render(request, "errors/page.html", {"message": message, "status": status}, status=status)
    except Exception:
        log.exception("error page failed for %s %s", request.method, request.url.path)
        title = FALLBACK_TITLES.get(status, "Permintaan tidak dapat diproses")
        response = HTMLResponse(
            FALLBACK_PAGE.format(status=status, title=title, message=html.escape(message)), status_code=status
        )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return security_headers(response, request.url.path)


async def today_request() -> date:
    """`today_local` as a dependency, run on the event loop (a plain `def` would cost a trip to the thread pool)."""
    return today_local()


Today = Annotated[date, Depends(today_request)]
