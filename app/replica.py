"""Heavy reads (dashboard, lists, exports) from a streaming replica (`DATABASE_REPLICA_URL`), falling back to the
primary when no replica is configured or it does not answer."""

import logging
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from app.db import SessionDep, normalise_url
from app.settings import get_settings

RETRY_AFTER_SECONDS = 30.0
log = logging.getLogger("p2k2.replica")


class ReplicaState:
    """When the replica last failed: requests skip it (no connect timeout each) until RETRY_AFTER_SECONDS pass."""

    down_until: float = 0.0


@lru_cache
def replica_engine() -> Engine | None:
    url = get_settings().database_replica_url
    if not url:
        return None
    return create_engine(
        normalise_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"connect_timeout": 2}
    )


def replica_session_open() -> Session | None:
    """A session on the replica, already connected; None when there is none or it is down."""
    if time.monotonic() < ReplicaState.down_until:
        return None
    engine = replica_engine()
    if engine is None:
        return None
    session = Session(engine)
    try:
        session.connection()
    except SQLAlchemyError as exc:
        session.close()
        ReplicaState.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        log.warning(
            "replica unreachable (%s); reading from the primary for %s s", type(exc).__name__, RETRY_AFTER_SECONDS
        )
        return None
    return session


def get_read_session(primary: SessionDep) -> Iterator[Session]:
    """Request-scoped session for pages that only read: the replica's, or the primary's one."""
    replica = replica_session_open()
    if replica is None:
        yield primary
        return
    try:
        yield replica
    finally:
        replica.close()


ReadSessionDep = Annotated[Session, Depends(get_read_session)]
