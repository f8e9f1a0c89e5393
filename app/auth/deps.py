"""The signed-in user as a dependency."""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.auth.queries import login_session_user_unread
from app.auth.security import SESSION_COOKIE, token_unsign
from app.db import SessionDep, session_read_apart
from app.errors import LoginRequired
from app.models import User


def _signed_in(request: Request, session: Session, *, apart: bool) -> User | None:
    """The user of the request's login session (None: not signed in), noted on `request.state` for the page
    and the request log; `apart` reads it in a transaction of its own (see `current_user_optional`)."""
    raw = request.cookies.get(SESSION_COOKIE)
    token = token_unsign(raw) if raw else None
    unread: list[int] = []

    def read() -> User | None:
        row = login_session_user_unread(session=session, token=token) if token else None
        if row is None:
            return None
        unread.append(row[1])
        return row[0]

    user = (session_read_apart(session, read) if apart else read()) if token else None
    request.state.user = user
    request.state.unread = unread[0] if unread else 0
    request.state.user_id = user.id if user is not None else None  # read by the request log after the session
    return user


def current_user_optional(request: Request, session: SessionDep) -> User | None:
    # The endpoint runs in another thread: hold no connection (nor SQLite's write lock) until it starts.
    return _signed_in(request, session, apart=True)


def signed_in_user(request: Request, session: Session) -> User:
    """The signed-in user, read by the endpoint itself as the first statement of its own transaction: for the
    hottest route (the roll-call tap) this saves a thread-pool trip, a transaction and a pooled-connection
    checkout per request. Routes take `CurrentUser` unless they are measured to need this."""
    user = _signed_in(request, session, apart=False)
    if user is None:
        raise LoginRequired()
    return user


async def current_user(user: Annotated[User | None, Depends(current_user_optional)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(current_user_optional)]
