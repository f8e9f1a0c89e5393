"""Who may see and who may change what: the one place for roles, scope and edit rights.

Every query that lists or fetches scoped data goes through the `*_clause` / `*_get` functions; every route,
service and template flag that decides whether a user may change something asks a `*_can_*` function here
(or its `*_require_*` twin, which raises Forbidden).
"""

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.models import Family, Kelompok, Meeting, Role, User

# Role groups: who supervises (quality reviews, month locks, deciding corrections, verifying proposals), who reads
# the dashboards, who decides graduation, who proposes it, whose scope is an area (and so must have one).
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)
DASHBOARD_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PENINJAU)
DECIDING_ROLES = (Role.PENINJAU, Role.ADMIN)
PROPOSING_ROLES = (Role.PENDAMPING, Role.ADMIN)
REPORTING_ROLES = (Role.PENINJAU, Role.SUPERVISOR, Role.ADMIN)
AREA_SCOPED_ROLES = (Role.SUPERVISOR, Role.PENINJAU)
# An area code column: a model attribute under `col()` (nullable or not) or a column expression.
AreaColumn = Mapped[str] | Mapped[str | None] | ColumnElement[str]

EDITOR_ONLY = N_("Hanya pendamping kelompok ini yang dapat mengubah datanya.")
ROLE_REFUSED = N_("Peran Anda tidak berwenang melakukan tindakan ini.")


def area_within(column: AreaColumn, code: str) -> ColumnElement[bool]:
    """Codes nest by prefix: 32.77.01.1001 lies within 32.77.01 and 32.77."""
    return or_(column == code, column.like(code + ".%"))


def area_clause(user: User, column: AreaColumn) -> ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return true()
    if user.role in AREA_SCOPED_ROLES and user.area_code:
        return area_within(column, user.area_code)
    return false()


def kelompok_clause(user: User) -> ColumnElement[bool]:
    """The kelompok a user may see: a pendamping their own, a supervisor those in their area."""
    if user.role == Role.PENDAMPING:
        return col(Kelompok.pendamping_id) == user.id
    return area_clause(user, col(Kelompok.village_code))


def family_clause(user: User) -> ColumnElement[bool]:
    if user.role == Role.PENDAMPING:
        own = select(Kelompok.id).where(Kelompok.pendamping_id == user.id)
        return col(Family.kelompok_id).in_(own)
    return area_clause(user, col(Family.village_code))


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


def role_is(user: User, *roles: str) -> bool:
    return user.role in roles


def require_role(user: User, *roles: str) -> None:
    if not role_is(user, *roles):
        raise Forbidden(ROLE_REFUSED)


def user_is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


# --- who may see (pure mirrors of the clauses above, for one row already in hand) ---


def kelompok_can_see(user: User, kelompok: Kelompok) -> bool:
    if user.role == Role.PENDAMPING:
        return kelompok.pendamping_id == user.id
    return area_visible(user, kelompok.village_code)


def family_can_see(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    if user.role == Role.PENDAMPING:
        return kelompok is not None and kelompok.id == family.kelompok_id and kelompok.pendamping_id == user.id
    return area_visible(user, family.village_code)


# --- who may edit ---


def kelompok_can_edit(user: User, kelompok: Kelompok) -> bool:
    """Only the group's own pendamping (or an admin) schedules meetings, takes the roll and edits its families."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PENDAMPING and kelompok.pendamping_id == user.id


def kelompok_require_editor(user: User, kelompok: Kelompok) -> None:
    if not kelompok_can_edit(user, kelompok):
        raise Forbidden(EDITOR_ONLY)


def family_can_edit(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """A family is edited (data, members, assessments) by its kelompok's editors; with no kelompok, by an admin only."""
    if kelompok is None or kelompok.id != family.kelompok_id:
        return user.role == Role.ADMIN
    return kelompok_can_edit(user, kelompok)


def family_require_editor(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not family_can_edit(user, family, kelompok):
        raise Forbidden(N_("Hanya pendamping keluarga ini yang dapat mengubah datanya."))


def family_kelompok(*, session: Session, family: Family) -> Kelompok | None:
    return session.get(Kelompok, family.kelompok_id) if family.kelompok_id else None


def meeting_can_edit(user: User, meeting: Meeting, kelompok: Kelompok) -> bool:
    """A meeting (schedule, reschedule, cancel, mark held, roll call) belongs to its kelompok's editors."""
    return kelompok.id == meeting.kelompok_id and kelompok_can_edit(user, kelompok)


def meeting_require_editor(user: User, meeting: Meeting, kelompok: Kelompok) -> None:
    if not meeting_can_edit(user, meeting, kelompok):
        raise Forbidden(EDITOR_ONLY)


# --- supervision and graduation steps: a role, within the user's scope ---


def kelompok_can_supervise(user: User, kelompok: Kelompok) -> bool:
    """Quality reviews, month locks and correction decisions: a supervisor of the area, or an admin."""
    return user.role in SUPERVISING_ROLES and kelompok_can_see(user, kelompok)


def kelompok_require_supervisor(user: User, kelompok: Kelompok) -> None:
    if not kelompok_can_supervise(user, kelompok):
        raise Forbidden(ROLE_REFUSED)


def correction_can_request(user: User, kelompok: Kelompok) -> bool:
    """Only the kelompok's own pendamping asks to correct a locked month; an admin decides corrections instead."""
    return user.role == Role.PENDAMPING and kelompok_can_edit(user, kelompok)


def correction_require_requester(user: User, kelompok: Kelompok) -> None:
    if not correction_can_request(user, kelompok):
        raise Forbidden(EDITOR_ONLY)


def proposal_can_create(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """Graduation is proposed by the family's own pendamping (or an admin), and only for a family in a kelompok."""
    return user.role in PROPOSING_ROLES and kelompok is not None and family_can_edit(user, family, kelompok)


def proposal_require_creator(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not proposal_can_create(user, family, kelompok):
        if user.role in PROPOSING_ROLES and kelompok is None:
            raise Forbidden(N_("KPM tanpa kelompok tidak dapat diusulkan."))
        raise Forbidden(EDITOR_ONLY if user.role in PROPOSING_ROLES else ROLE_REFUSED)


def proposal_can_verify(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    return user.role in SUPERVISING_ROLES and family_can_see(user, family, kelompok)


def proposal_require_verifier(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not proposal_can_verify(user, family, kelompok):
        raise Forbidden(ROLE_REFUSED)


def proposal_can_decide(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    return user.role in DECIDING_ROLES and family_can_see(user, family, kelompok)


def proposal_require_decider(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not proposal_can_decide(user, family, kelompok):
        raise Forbidden(ROLE_REFUSED)


def nik_visible(user: User, kelompok: Kelompok | None) -> bool:
    """Full NIK / No. KK only for the family's own pendamping and admins; others see it masked."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PENDAMPING and kelompok is not None and kelompok.pendamping_id == user.id


# --- roster import (issue 10) ---

IMPORTING_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def roster_can_import(user: User) -> bool:
    """Admins import anywhere; a supervisor imports only into their own area (each row's area is checked with
    `area_visible`), so a supervisor without an area imports nothing."""
    return user.role == Role.ADMIN or (user.role == Role.SUPERVISOR and bool(user.area_code))


def roster_require_importer(user: User) -> None:
    if not roster_can_import(user):
        raise Forbidden(ROLE_REFUSED)


def mask_number(number: str | None) -> str:
    if not number:
        return "–"
    return number[:4] + "•" * max(0, len(number) - 8) + number[-4:]
