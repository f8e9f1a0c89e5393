"""Who may see and change what. Every query that lists or fetches scoped data goes through here."""

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.models import Family, Kelompok, Meeting, Role, User


def area_within(column: Mapped[str] | ColumnElement[str], code: str) -> ColumnElement[bool]:
    """Codes nest by prefix: 32.77.01.1001 lies within 32.77.01 and 32.77."""
    return or_(column == code, column.like(code + ".%"))


def area_clause(user: User, column: Mapped[str] | ColumnElement[str]) -> ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return true()
    if user.role in (Role.SUPERVISOR, Role.PENINJAU) and user.area_code:
        return area_within(column, user.area_code)
    return false()


def kelompok_clause(user: User) -> ColumnElement[bool]:
    """The kelompok a user may see: a pendamping their own, a supervisor those in their area."""
    if user.role == Role.PENDAMPING:
        return Kelompok.pendamping_id == user.id
    return area_clause(user, Kelompok.village_code)


def family_clause(user: User) -> ColumnElement[bool]:
    if user.role == Role.PENDAMPING:
        own = select(Kelompok.id).where(Kelompok.pendamping_id == user.id)
        return col(Family.kelompok_id).in_(own)
    return area_clause(user, Family.village_code)


def area_visible(user: User, code: str) -> bool:
    if user.role == Role.ADMIN:
        return True
    scope = user.area_code or ""
    if user.role == Role.PENDAMPING or not scope:
        return False
    return code == scope or code.startswith(scope + ".")


def kelompok_get(*, session: Session, user: User, kelompok_id: int) -> Kelompok:
    row = session.exec(select(Kelompok).where(Kelompok.id == kelompok_id, kelompok_clause(user))).first()
    if row is None:
        raise NotFound(N_("Kelompok tidak ditemukan."))
    return row


def family_get(*, session: Session, user: User, family_id: int) -> Family:
    row = session.exec(select(Family).where(Family.id == family_id, family_clause(user))).first()
    if row is None:
        raise NotFound(N_("Keluarga (KPM) tidak ditemukan."))
    return row


def meeting_get(*, session: Session, user: User, meeting_id: int) -> tuple[Meeting, Kelompok]:
    row = session.exec(
        select(Meeting, Kelompok)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(Meeting.id == meeting_id, kelompok_clause(user))
    ).first()
    if row is None:
        raise NotFound(N_("Pertemuan tidak ditemukan."))
    return row[0], row[1]


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden(N_("Peran Anda tidak berwenang melakukan tindakan ini."))


def kelompok_require_editor(user: User, kelompok: Kelompok) -> None:
    """Only the group's own pendamping (or an admin) schedules meetings and takes the roll."""
    if user.role == Role.ADMIN:
        return
    if user.role == Role.PENDAMPING and kelompok.pendamping_id == user.id:
        return
    raise Forbidden(N_("Hanya pendamping kelompok ini yang dapat mengubah datanya."))


def nik_visible(user: User, kelompok: Kelompok | None) -> bool:
    """Full NIK / No. KK only for the family's own pendamping and admins; others see it masked."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PENDAMPING and kelompok is not None and kelompok.pendamping_id == user.id


def mask_number(number: str | None) -> str:
    if not number:
        return "–"
    return number[:4] + "•" * max(0, len(number) - 8) + number[-4:]
