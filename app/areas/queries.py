"""Reads over the Kemendagri area tree."""

from sqlmodel import Session, col, select

from app.models import Area


def area_get(*, session: Session, code: str) -> Area | None:
    """The area with this code, if any."""
    return session.get(Area, code)


def area_children(*, session: Session, code: str) -> list[Area]:
    """Areas directly under `code`, in code order."""
    statement = select(Area).where(Area.parent_code == code).order_by(col(Area.code))
    return list(session.exec(statement).all())


def area_exists(*, session: Session, code: str) -> bool:
    """Whether an area with this code is stored."""
    return session.exec(select(Area.code).where(Area.code == code)).first() is not None


def code_prefixes(*, code: str) -> list[str]:
    """The code of every level from the province down: 32.77.01 -> 32, 32.77, 32.77.01."""
    parts = code.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def area_path(*, session: Session, code: str) -> list[Area]:
    """Province down to this area in one query; empty when the code is unknown."""
    statement = select(Area).where(col(Area.code).in_(code_prefixes(code=code))).order_by(col(Area.level))
    path = list(session.exec(statement).all())
    return path if path and path[-1].code == code else []


def stored_areas(*, session: Session) -> dict[str, tuple[str, int, str | None]]:
    """Name, level and parent of every stored area, by code."""
    rows = session.exec(select(Area.code, Area.name, Area.level, Area.parent_code)).all()
    return {code: (name, level, parent) for code, name, level, parent in rows}
