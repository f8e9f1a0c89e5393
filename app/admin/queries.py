"""Administration reads: users and kelompok lists, and the choices offered by the admin forms."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access import area_within
from app.db import rows_select
from app.errors import RuleViolation
from app.i18n import N_
from app.models import ACCESS_ACTIONS, AccessLog, Area, Family, FamilyStatus, Kelompok, Role, User

# Kota Cimahi, the seed deployment: offered when the administrator has no area of their own.
DEFAULT_AREA = "32.77"


@dataclass(frozen=True)
class UserRow:
    user: User
    area_name: str | None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def users_list(
    *, session: Session, role: str = "", search: str = "", limit: int = 50, offset: int = 0, user_id: int | None = None
) -> list[UserRow]:
    """Accounts with their area's name, filtered by role and by a piece of username or name."""
    query = select(User, Area.name).outerjoin(Area, col(Area.code) == User.area_code)
    if role:
        query = query.where(User.role == role)
    if search:
        pattern = _like(search.lower())
        query = query.where(
            or_(col(User.username).like(pattern, escape="\\"), func.lower(User.full_name).like(pattern, escape="\\"))
        )
    if user_id is not None:
        query = query.where(User.id == user_id)
    query = query.order_by(col(User.role), col(User.username)).limit(limit).offset(offset)
    return [UserRow(user=u, area_name=name) for u, name in session.exec(query).all()]


def user_row(*, session: Session, user_id: int) -> UserRow | None:
    rows = users_list(session=session, user_id=user_id, limit=1)
    return rows[0] if rows else None


def _home_area(actor: User) -> str:
    """The kab/kota (or province) the administrator works in; Cimahi when they have none."""
    if not actor.area_code:
        return DEFAULT_AREA
    return ".".join(actor.area_code.split(".")[:2])


def user_area_options(*, session: Session, actor: User) -> list[Area]:
    """Kab/kota and kecamatan of the administrator's home area, plus every area already given to a user."""
    used = select(User.area_code).where(col(User.area_code).is_not(None)).distinct()
    query = (
        select(Area)
        .where(
            or_(
                col(Area.level).in_((2, 3)) & area_within(col(Area.code), _home_area(actor)),
                col(Area.code).in_(used),
            )
        )
        .order_by(col(Area.code))
    )
    return list(session.exec(query).all())


def village_options(*, session: Session, actor: User) -> list[Area]:
    """Kelurahan/desa where a new kelompok may meet: inside the administrator's area, if they have one."""
    query = select(Area).where(Area.level == 4)
    if actor.area_code:
        query = query.where(area_within(col(Area.code), actor.area_code))
    else:
        with_kelompok = select(Kelompok.village_code).distinct()
        query = query.where(or_(col(Area.code).in_(with_kelompok), area_within(col(Area.code), DEFAULT_AREA)))
    return list(session.exec(query.order_by(col(Area.code))).all())


def pendamping_options(*, session: Session, actor: User) -> list[User]:
    """Active pendamping an administrator may hand a kelompok to (those of their area, or without one)."""
    query = select(User).where(User.role == Role.PENDAMPING, col(User.is_active).is_(True))
    if actor.area_code:
        query = query.where(or_(col(User.area_code).is_(None), area_within(col(User.area_code), actor.area_code)))
    return list(session.exec(query.order_by(col(User.full_name), col(User.username))).all())


@dataclass(frozen=True)
class KelompokRow:
    kelompok: Kelompok
    village_name: str
    kecamatan_name: str
    pendamping: User | None
    families: int


def kelompok_rows(
    *, session: Session, search: str = "", limit: int = 50, offset: int = 0, kelompok_id: int | None = None
) -> list[KelompokRow]:
    """Every kelompok with its kelurahan, kecamatan, pendamping and active KPM count, in one query."""
    families = (
        select(Family.kelompok_id, func.count().label("n"))
        .where(Family.status == FamilyStatus.AKTIF)
        .group_by(col(Family.kelompok_id))
        .subquery()
    )
    kecamatan = aliased(Area)
    query = (
        rows_select(Kelompok, Area.name, kecamatan.name, User, families.c.n)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(kecamatan, col(kecamatan.code) == Area.parent_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .outerjoin(families, families.c.kelompok_id == Kelompok.id)
    )
    if search:
        pattern = _like(search.lower())
        query = query.where(
            or_(
                func.lower(Kelompok.name).like(pattern, escape="\\"),
                func.lower(Area.name).like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    if kelompok_id is not None:
        query = query.where(Kelompok.id == kelompok_id)
    query = query.order_by(col(Area.name), col(Kelompok.name), col(Kelompok.id)).limit(limit).offset(offset)
    return [
        KelompokRow(kelompok=k, village_name=v, kecamatan_name=kec or "", pendamping=p, families=n or 0)
        for k, v, kec, p, n in session.exec(query).all()
    ]


def kelompok_row(*, session: Session, kelompok_id: int) -> KelompokRow | None:
    rows = kelompok_rows(session=session, kelompok_id=kelompok_id, limit=1)
    return rows[0] if rows else None


def pendamping_by_username(*, session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise RuleViolation(N_("Pengguna %(username)s tidak ditemukan."), field="pendamping_id", username=username)
    return user


@dataclass(frozen=True)
class AccessRow:
    entry: AccessLog
    username: str | None
    full_name: str | None


def access_log_list(
    *,
    session: Session,
    username: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AccessRow]:
    """Views of full identity numbers and exports of personal data, newest first, with who did it."""
    query = select(AccessLog, User.username, User.full_name).outerjoin(User, col(User.id) == AccessLog.user_id)
    # Reads of confidential cases are the area supervisors' to see (app.cases), not a trace for everyone else.
    query = query.where(col(AccessLog.action).in_(ACCESS_ACTIONS))
    if username:
        query = query.where(User.username == username)
    if action:
        query = query.where(AccessLog.action == action)
    if since is not None:
        query = query.where(col(AccessLog.at) >= since)
    if until is not None:
        query = query.where(col(AccessLog.at) <= until)
    query = query.order_by(col(AccessLog.at).desc(), col(AccessLog.id).desc()).limit(limit).offset(offset)
    return [AccessRow(entry=e, username=u, full_name=n) for e, u, n in session.exec(query).all()]


def kelompok_held(*, session: Session, user_id: int) -> list[Kelompok]:
    """The active kelompok a user is the pendamping of (what a deactivation must hand over)."""
    return list(
        session.exec(
            select(Kelompok)
            .where(col(Kelompok.pendamping_id) == user_id, col(Kelompok.active).is_(True))
            .order_by(col(Kelompok.name), col(Kelompok.id))
        ).all()
    )


def kelompok_held_count(*, session: Session, user_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Kelompok)
            .where(col(Kelompok.pendamping_id) == user_id, col(Kelompok.active).is_(True))
        ).one()
    )
