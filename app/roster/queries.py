"""Reads for the roster import: what the file's rows are checked against, and the list of imports."""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.access import area_clause, kelompok_clause
from app.db import rows_select
from app.errors import NotFound
from app.i18n import N_
from app.models import Area, Family, Kelompok, Member, Role, RosterImport, RosterImportRefusal, User

CHUNK = 900  # identifiers per IN (...): under SQLite's bound-parameter limit with room to spare
PAGE = 20


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@dataclass(frozen=True)
class KelompokRef:
    id: int
    name: str
    village_code: str
    pendamping_names: tuple[str, ...]  # full name and username, as a file may write either


def area_codes(*, session: Session) -> set[str]:
    """Every stored Kemendagri code (NIK prefixes are checked against kecamatan, rows against villages)."""
    return set(session.exec(select(Area.code)).all())


def kelompok_in_scope(*, session: Session, user: User) -> list[KelompokRef]:
    rows = session.exec(
        rows_select(Kelompok.id, Kelompok.name, Kelompok.village_code, User.full_name, User.username)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .where(kelompok_clause(user), col(Kelompok.active).is_(True))
    ).all()
    return [
        KelompokRef(id=r[0], name=r[1], village_code=r[2], pendamping_names=tuple(n for n in (r[3], r[4]) if n))
        for r in rows
    ]


def pendamping_names_in_scope(*, session: Session, user: User) -> set[str]:
    """Names and usernames of pendamping working in the user's area."""
    rows = session.exec(
        select(User.full_name, User.username).where(
            User.role == Role.PENDAMPING, area_clause(user, col(User.area_code)) if user.role != Role.ADMIN else True
        )
    ).all()
    return {name for row in rows for name in row}


FAMILY_FIELDS = (
    Family.id,
    Family.kk_number,
    Family.programme_id,
    Family.head_name,
    Family.address,
    Family.village_code,
    Family.kelompok_id,
    Family.desil,
    Family.enrolled_on,
    Family.version,
)
MEMBER_FIELDS = (
    Member.id,
    Member.family_id,
    Member.nik,
    Member.name,
    Member.birth_date,
    Member.sex,
    Member.relationship,
    Member.is_pengurus,
    Member.schooling,
    Member.pregnant,
    Member.severe_disability,
    Member.has_birth_certificate,
    Member.version,
)
FAMILY_KEYS = tuple(str(c).split(".")[-1] for c in FAMILY_FIELDS)  # "family.kk_number" → "kk_number"
MEMBER_KEYS = tuple(str(c).split(".")[-1] for c in MEMBER_FIELDS)


def families_by_kk(*, session: Session, kk_numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in _chunks(sorted(set(kk_numbers))):
        for row in session.exec(rows_select(*FAMILY_FIELDS).where(col(Family.kk_number).in_(part))).all():
            found.setdefault(row[1], dict(zip(FAMILY_KEYS, row, strict=True)))
    return found


def families_by_programme_id(*, session: Session, programme_ids: Iterable[str]) -> dict[str, str]:
    """programme id → the No. KK of the family holding it."""
    found: dict[str, str] = {}
    for part in _chunks(sorted(set(programme_ids))):
        for pid, kk in session.exec(
            select(Family.programme_id, Family.kk_number).where(col(Family.programme_id).in_(part))
        ).all():
            found[pid] = kk
    return found


def members_by_nik(*, session: Session, niks: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in _chunks(sorted(set(niks))):
        for row in session.exec(rows_select(*MEMBER_FIELDS).where(col(Member.nik).in_(part))).all():
            found.setdefault(row[2], dict(zip(MEMBER_KEYS, row, strict=True)))
    return found


def members_of_families(*, session: Session, family_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for part in _chunks(sorted(set(family_ids))):
        for row in session.exec(
            rows_select(*MEMBER_FIELDS).where(col(Member.family_id).in_(part), col(Member.active).is_(True))
        ).all():
            found.setdefault(row[1], []).append(dict(zip(MEMBER_KEYS, row, strict=True)))
    return found


def kk_of_families(*, session: Session, family_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in _chunks(sorted(set(family_ids))):
        for fid, kk in session.exec(select(Family.id, Family.kk_number).where(col(Family.id).in_(part))).all():
            found[fid or 0] = kk
    return found


# --- the imports as users see them ---


def import_clause(user: User) -> Any:
    """An admin sees every import; a supervisor those made within their area."""
    return area_clause(user, col(RosterImport.area_code))


def import_get(*, session: Session, user: User, import_id: int) -> RosterImport:
    statement = select(RosterImport).where(RosterImport.id == import_id, import_clause(user))
    # The worker changes the row with Core UPDATEs: never the copy a session already holds.
    row = session.exec(statement.execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound(N_("Impor tidak ditemukan."))
    return row


@dataclass(frozen=True)
class ImportListed:
    record: RosterImport
    by: str


def imports_list(*, session: Session, user: User, page: int = 1) -> tuple[list[ImportListed], int]:
    rows = session.exec(
        select(RosterImport, User.full_name)
        .join(User, col(User.id) == RosterImport.created_by_id)
        .where(import_clause(user))
        .execution_options(populate_existing=True)
        .order_by(col(RosterImport.id).desc())
        .offset((page - 1) * PAGE)
        .limit(PAGE + 1)
    ).all()
    listed = [ImportListed(record=r, by=name) for r, name in rows[:PAGE]]
    return listed, len(rows)


@dataclass(frozen=True)
class RefusalView:
    position: int
    sheet: str
    row_no: int
    cells: list[str]
    problems: list[tuple[str, str]]


def refusals_of(*, session: Session, import_id: int, limit: int | None = None) -> list[RefusalView]:
    statement = (
        select(RosterImportRefusal)
        .where(RosterImportRefusal.import_id == import_id)
        .order_by(col(RosterImportRefusal.position))
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [
        RefusalView(
            position=r.position,
            sheet=r.sheet,
            row_no=r.row_no,
            cells=json.loads(r.cells),
            problems=[(c, m) for c, m in json.loads(r.problems)],
        )
        for r in session.exec(statement).all()
    ]


def refused_positions(*, session: Session, import_id: int) -> set[int]:
    return set(
        session.exec(select(RosterImportRefusal.position).where(RosterImportRefusal.import_id == import_id)).all()
    )
