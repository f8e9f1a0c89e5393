"""Searching the register within the user's scope: a bounded number of rows read whatever the database's size."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, column, func, table
from sqlmodel import Session, col, select

from app.access import family_clause, kelompok_clause, mask_number, nik_visible
from app.db import rows_select
from app.models import Area, Family, Kelompok, Member, Role, User
from app.search.rules import LIKE_ESCAPE, SearchQuery, like_pattern

FAMILIES_MAX = 20
KELOMPOK_MAX = 10
# Matching members read for FAMILIES_MAX families: several members of one family may match.
MEMBERS_READ = 60
# SQLite's FTS5 trigram index over member.name_key (made by migration 0011); PostgreSQL uses a pg_trgm index on
# the column itself. The trigram index answers LIKE for fragments of 3 characters or more, without ESCAPE.
SQLITE_NAME_INDEX = "member_name_fts"
TRIGRAM = 3
LIKE_SPECIALS = ("%", "_", LIKE_ESCAPE)


@dataclass
class FamilyHit:
    family: Family
    kelompok: Kelompok | None
    village: str
    member_name: str  # the member whose name or NIK matched (the head for a No. KK)
    nik: str  # as the user may see it: full, or masked
    kk: str
    full_numbers: bool


@dataclass
class SearchResults:
    families: list[FamilyHit]
    kelompok: list[tuple[Kelompok, str]]
    more: bool  # more families matched than are shown


def _matches(session: Session, user: User, query: SearchQuery) -> list[tuple[int, str, str | None]]:
    """(family id, member name, member NIK) of matching members (or heads, for a No. KK), in scope."""
    scope = family_clause(user)
    if query.number is not None:
        by_nik = session.exec(
            select(Member.family_id, Member.name, Member.nik)
            .join(Family, col(Family.id) == Member.family_id)
            .where(Member.nik == query.number, scope)
            .limit(MEMBERS_READ)
        ).all()
        by_kk = session.exec(
            select(Family.id, Family.head_name).where(Family.kk_number == query.number, scope).limit(FAMILIES_MAX + 1)
        ).all()
        return [(f, n, k) for f, n, k in by_nik] + [(f or 0, n, None) for f, n in by_kk]
    if query.key is None:
        return []
    statement = select(Member.family_id, Member.name, Member.nik)
    if _trigram_indexed(session, user, query.key):
        # The trigram index drives the loop (matches stream out of it until MEMBERS_READ are in scope).
        names = table(SQLITE_NAME_INDEX, column("rowid"), column("name_key"))
        statement = (
            statement.select_from(names)
            .join(Member, col(Member.id) == names.c.rowid)
            .where(names.c.name_key.like(f"%{query.key}%"))
        )
    else:
        statement = statement.where(_name_like(query.key))
    rows = session.exec(
        statement.join(Family, col(Family.id) == Member.family_id).where(scope).limit(MEMBERS_READ)
    ).all()
    return [(f, n, k) for f, n, k in rows]


def _trigram_indexed(session: Session, user: User, key: str) -> bool:
    """Whether SQLite's trigram index should answer: not for a pendamping (their few hundred members are read
    faster through their kelompok), nor for fragments it cannot match (too short, or with LIKE wildcards)."""
    return (
        session.get_bind().dialect.name == "sqlite"
        and user.role != Role.PENDAMPING
        and len(key) >= TRIGRAM
        and not any(c in key for c in LIKE_SPECIALS)
    )


def _name_like(key: str) -> ColumnElement[bool]:
    return col(Member.name_key).like(like_pattern(key), escape=LIKE_ESCAPE)


def search_run(*, session: Session, user: User, query: SearchQuery) -> SearchResults:
    """Families whose member's name contains the fragment, or whose member NIK / No. KK is the number; kelompok
    whose name contains it. NIKs shown as the user may see them (searching by a full NIK works either way)."""
    matches = _matches(session, user, query)
    first: dict[int, tuple[str, str | None]] = {}
    for family_id, name, nik in matches:
        first.setdefault(family_id, (name, nik))
    ids = list(first)[:FAMILIES_MAX]
    rows = (
        session.exec(
            rows_select(Family, Kelompok, Area.name)
            .join(Kelompok, col(Kelompok.id) == Family.kelompok_id, isouter=True)
            .join(Area, col(Area.code) == Family.village_code, isouter=True)
            .where(col(Family.id).in_(ids))
        ).all()
        if ids
        else []
    )
    families = []
    for family, kelompok, village in rows:
        name, nik = first[family.id or 0]
        full = nik_visible(user, kelompok)
        families.append(
            FamilyHit(
                family=family,
                kelompok=kelompok,
                village=village or family.village_code,
                member_name=name,
                nik=(nik or "–") if full else mask_number(nik),
                kk=family.kk_number if full else mask_number(family.kk_number),
                full_numbers=full,
            )
        )
    families.sort(key=lambda hit: (hit.family.head_name.casefold(), hit.family.id or 0))
    return SearchResults(families=families, kelompok=_kelompok(session, user, query), more=len(first) > FAMILIES_MAX)


def _kelompok(session: Session, user: User, query: SearchQuery) -> list[tuple[Kelompok, str]]:
    if query.key is None:
        return []
    rows = session.exec(
        rows_select(Kelompok, Area.name)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .where(func.lower(Kelompok.name).like(like_pattern(query.key), escape=LIKE_ESCAPE), kelompok_clause(user))
        .order_by(col(Kelompok.name))
        .limit(KELOMPOK_MAX)
    ).all()
    return [(k, village) for k, village in rows]
