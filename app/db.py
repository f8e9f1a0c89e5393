"""Engine and the request-scoped database session.

One session per request, opened and closed here without a worker thread: FastAPI runs the `def` dependencies and
endpoints in AnyIO's thread pool, and a request must never hold a pooled connection while it waits for a thread (a
burst then leaves every connection idle in a transaction and every thread waiting for one). The pool is sized to
the thread pool (`Settings.threads`, applied at start-up by `app.main`), so a thread never waits for a connection
held by a request that is itself waiting.

On SQLite, an unsafe request (POST, PUT, PATCH, DELETE) starts its transactions with `BEGIN IMMEDIATE`: the writer
takes the lock up front and waits its turn (busy timeout) instead of failing with "database is locked" when a read
transaction tries to become a write transaction. Read-only requests keep a deferred `BEGIN`.
"""

import threading
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine
from sqlmodel.sql.expression import Select

from app.settings import get_settings

T = TypeVar("T")
RowsSelect = Select[*tuple[Any, ...]]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BEGIN_OPTION = "p2k2_begin"
SQLITE_BUSY_SECONDS = 30.0
LOOP_WAIT_SECONDS = 2.0


def normalise_url(url: str) -> str:
    """Let `postgresql://` mean psycopg 3, the driver we ship."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_writer_lock_install(engine: Engine) -> None:
    """One writer at a time per process, queued on a lock instead of SQLite's sleeping busy handler (which polls
    with sleeps of up to 100 ms); the busy timeout still arbitrates between processes."""
    lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        if conn.get_execution_options().get(BEGIN_OPTION) != "IMMEDIATE":
            conn.exec_driver_sql("BEGIN")
            return
        raw = conn.connection.dbapi_connection
        # An `async def` route runs its (sync) database calls on the event loop: there it waits briefly only, since
        # the holder of the lock may itself need the loop to finish (it then answers 503 instead of stalling all).
        if not lock.acquire(timeout=LOOP_WAIT_SECONDS if _on_event_loop() else SQLITE_BUSY_SECONDS):
            import sqlite3

            raise sqlite3.OperationalError("database is locked")
        raw.p2k2_writer_lock = lock
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _writer_release(raw)
            raise


def _on_event_loop() -> bool:
    import asyncio

    return asyncio._get_running_loop() is not None


def _writer_release(raw: Any) -> None:
    lock = getattr(raw, "p2k2_writer_lock", None)
    if lock is not None:
        raw.p2k2_writer_lock = None
        lock.release()


def _sqlite_connection_class() -> type:
    import sqlite3

    class WriterConnection(sqlite3.Connection):
        """Gives the process writer lock back once COMMIT or ROLLBACK has really happened."""

        p2k2_writer_lock: "threading.Lock | None" = None

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                _writer_release(self)

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                _writer_release(self)

        def close(self) -> None:
            try:
                super().close()
            finally:
                _writer_release(self)

    return WriterConnection


def engine_create(url: str, *, pool_size: int | None = None) -> Engine:
    url = normalise_url(url)
    size = pool_size or get_settings().threads
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_SECONDS,
                "factory": _sqlite_connection_class(),
            },
            pool_size=size,
            max_overflow=4,
            pool_timeout=SQLITE_BUSY_SECONDS,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling defeats SAVEPOINTs; let SQLAlchemy emit BEGIN itself.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        _sqlite_writer_lock_install(engine)
        return engine
    # pool_pre_ping: a connection the server dropped (restart, failover) is replaced at checkout, so the app recovers
    # by itself when the database comes back.
    return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=4, pool_timeout=30)


def rows_select(*columns: Any) -> RowsSelect:
    """The builder for selects of many columns, or of none yet (`add_columns` later): sqlmodel's `select` is typed
    for at most four columns, with model attributes typed as their python values. It builds the very statement
    `select` builds for two or more columns; `session.exec` returns its rows as tuples (`tuple[Any, ...]`)."""
    return Select(*columns)


@lru_cache
def get_engine() -> Engine:
    return engine_create(get_settings().database_url)


@lru_cache
def _writer_engine(engine: Engine) -> Engine:
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


class RequestSession(Session):
    """The request's session. On SQLite, a transaction armed by `write_intent` begins IMMEDIATE; once it commits,
    the next transactions (the page rendered after the change) read with a deferred BEGIN again."""

    reader: Engine | None = None

    def commit(self) -> None:
        super().commit()
        if self.reader is not None:
            self.bind = self.reader

    def rollback(self) -> None:
        """A refused write rolled back: the form re-rendered after it reads without holding the write lock (an
        async route's response is sent on the event loop, where another request may be waiting for the lock)."""
        super().rollback()
        if self.reader is not None:
            self.bind = self.reader


def write_intent(session: Session) -> None:
    """The session's next transaction writes: on SQLite it takes the write lock when it begins (no-op elsewhere,
    and for sessions not opened by `session_open`, e.g. a test's joined to an outer transaction)."""
    if isinstance(session, RequestSession) and session.reader is not None and not session.in_transaction():
        session.bind = _writer_engine(session.reader)


def session_open(*, write: bool) -> Session:
    """A session on the app's engine; `write` arms its first transaction to write (see `write_intent`)."""
    engine = get_engine()
    session = RequestSession(engine)
    if engine.dialect.name == "sqlite":
        session.reader = engine
        if write:
            write_intent(session)
    return session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, opened and closed on the event loop (no thread is needed for either)."""
    session = session_open(write=request.method in UNSAFE_METHODS)
    try:
        yield session
    finally:
        session.close()


def session_read_apart(session: Session, read: Callable[[], T]) -> T:
    """Run `read` in a transaction of its own (a deferred BEGIN on SQLite, even in a POST) that ends at once,
    keeping the object it returns loaded: the request then holds no connection, nor SQLite's write lock, while it
    waits for its next thread. Other sessions (a test's, joined to an outer transaction) just run it."""
    if not isinstance(session, RequestSession) or session.in_transaction():
        return read()
    armed = session.bind
    if session.reader is not None:
        session.bind = session.reader
    try:
        result = read()
        if session.in_transaction():
            if result is not None:
                session.expunge(result)
            session.rollback()
            if result is not None:
                session.add(result)
    finally:
        session.bind = armed
    return result


SessionDep = Annotated[Session, Depends(get_session)]
