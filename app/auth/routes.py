"""Login and logout pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.auth.deps import CurrentUser, OptionalUser
from app.auth.security import DEVICE_COOKIE, SESSION_COOKIE, device_sign, device_users, token_sign, token_unsign
from app.auth.service import login_attempt, login_session_close, login_session_open, password_change
from app.db import SessionDep
from app.errors import RuleViolation
from app.forms import form_refusal
from app.i18n import gettext
from app.settings import get_settings
from app.web import CSRF_COOKIE, LANG_COOKIE, redirect, render

router = APIRouter()


def safe_next(value: str | None) -> str:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/masuk", name="login_form")
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return render(request, "auth/login.html", {"values": {"next": safe_next(next)}, "errors": {}})


@router.post("/masuk", name="login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    values = {"username": username, "next": safe_next(next)}
    try:
        user = login_attempt(
            session=session,
            username=username.strip(),
            password=password,
            ip=request.client.host if request.client else "",
            known_user_ids=device_users(request.cookies.get(DEVICE_COOKIE)),
        )
    except RuleViolation as exc:
        errors = {exc.field or "username": gettext(exc.message, **exc.params)}
        return render(request, "auth/login.html", {"values": values, "errors": errors}, status=422)
    old = request.cookies.get(SESSION_COOKIE)
    token = login_session_open(session=session, user=user, previous_token=token_unsign(old) if old else None)
    response = redirect(values["next"])
    secure = get_settings().cookie_secure
    response.set_cookie(
        SESSION_COOKIE,
        token_sign(token),
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=get_settings().session_hours * 3600,
    )
    # Read by this form only: sent with its requests alone, not with every tap of the roll call.
    response.delete_cookie(DEVICE_COOKIE)  # the one an older version set for every path
    response.set_cookie(
        DEVICE_COOKIE,
        device_sign(device_users(request.cookies.get(DEVICE_COOKIE)), user.id or 0),
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=get_settings().known_device_days * 86400,
        path=str(request.url_for("login").path),
    )
    response.delete_cookie(CSRF_COOKIE)  # a new CSRF token comes with the next page
    if user.locale and not request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, user.locale, samesite="lax", secure=secure)
    return response


@router.post("/keluar", name="logout")
def logout(request: Request, session: SessionDep) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    token = token_unsign(raw) if raw else None
    if token:
        login_session_close(session=session, token=token)
    response = redirect(request.url_for("login_form"))
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.post("/bahasa", name="set_language")
def set_language(request: Request, lang: Annotated[str, Form()] = "id", next: Annotated[str, Form()] = "/") -> Response:
    response = redirect(safe_next(next))
    response.set_cookie(
        LANG_COOKIE,
        lang if lang in ("id", "en") else "id",
        samesite="lax",
        secure=get_settings().cookie_secure,
        max_age=365 * 24 * 3600,
    )
    return response


# --- the user's own account ---


def _password_page(request: Request, errors: dict[str, str], *, saved: bool = False) -> Response:
    context = {"errors": errors, "saved": saved}
    return render(
        request,
        "auth/password.html",
        context,
        targets={"password-form": "password_form"},
        status=422 if errors else 200,
    )


@router.get("/akun/sandi", name="account_password_form")
def account_password_form(request: Request, user: CurrentUser, tersimpan: str = "") -> Response:
    return _password_page(request, {}, saved=tersimpan == "1")


@router.post("/akun/sandi", name="account_password_change")
def account_password_change(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    # A plain `def`: verifying and hashing the password (argon2) runs in a worker thread, not on the event loop.
    raw = request.cookies.get(SESSION_COOKIE)
    with form_refusal(session=session) as errors:
        password_change(
            session=session,
            user=user,
            current=current_password,
            new=new_password,
            confirm=confirm_password,
            keep_token=token_unsign(raw) if raw else None,
        )
        return redirect(request.url_for("account_password_form").include_query_params(tersimpan="1"), request)
    return _password_page(request, errors.messages)  # passwords are never echoed back
