"""Who may see and who may change what: the one place for roles, scope and edit rights.

Every query that lists or fetches scoped data goes through the `*_clause` / `*_get` functions; every route,
service and template flag that decides whether a user may change something asks a `*_can_*` function here
(or its `*_require_*` twin, which raises Forbidden).
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.models import AccessAction, AccessLog, CaseFile, Family, Kelompok, Meeting, Notification, Role, User

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


def notification_clause(user: User) -> ColumnElement[bool]:
    """Notifications are private: each user sees (and marks read) their own only, whatever their role."""
    return col(Notification.user_id) == user.id


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


def meeting_get(*, session: Session, user: User, meeting_id: int, for_update: bool = False) -> tuple[Meeting, Kelompok]:
    """The meeting and its kelompok, if the user may see them; `for_update` locks the meeting's row (PostgreSQL)
    and reads it afresh, as `meeting_lock` would, for a writer of its marks."""
    statement = (
        select(Meeting, Kelompok)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(Meeting.id == meeting_id, kelompok_clause(user))
    )
    if for_update:
        statement = statement.with_for_update(of=Meeting).execution_options(populate_existing=True)
    row = session.exec(statement).first()
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


# --- the KPM register: adding families, ending memberships, transfers and exits (issue 10) ---


def kelompok_can_register(user: User, kelompok: Kelompok) -> bool:
    """Adding a KPM to a kelompok: its own pendamping, a supervisor of its area, or an admin."""
    if user.role == Role.SUPERVISOR:
        return kelompok_can_see(user, kelompok)
    return kelompok_can_edit(user, kelompok)


def kelompok_require_registrar(user: User, kelompok: Kelompok) -> None:
    if not kelompok_can_register(user, kelompok):
        raise Forbidden(EDITOR_ONLY if user.role == Role.PENDAMPING else ROLE_REFUSED)


def family_can_register(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """Ending a member's membership, an exit from PKH, moving the KPM away: its kelompok's registrars;
    a family with no kelompok, an admin only."""
    if kelompok is None or kelompok.id != family.kelompok_id:
        return user.role == Role.ADMIN
    return kelompok_can_register(user, kelompok)


def family_require_registrar(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not family_can_register(user, family, kelompok):
        raise Forbidden(N_("Hanya pendamping atau supervisor keluarga ini yang dapat mengubah datanya."))


def transfer_can_receive(user: User, kelompok: Kelompok) -> bool:
    """A kelompok a KPM may be moved into by this user: one they may add KPM to (a pendamping, their own)."""
    return kelompok.active and kelompok_can_register(user, kelompok)


def transfer_target_clause(user: User) -> ColumnElement[bool]:
    """The kelompok listed as destinations of a transfer: the SQL twin of transfer_can_receive."""
    if user.role == Role.SUPERVISOR:
        return col(Kelompok.active) & kelompok_clause(user)
    if user.role == Role.ADMIN:
        return col(Kelompok.active) == True  # noqa: E712
    if user.role == Role.PENDAMPING:
        return col(Kelompok.active) & (col(Kelompok.pendamping_id) == user.id)
    return false()


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


# --- cases (issue 11): confidential ones are seen by the assigned worker and the area's supervisors only ---

BREAK_GLASS_MINUTES = 60
"""How long a supervisor of another area may read a confidential case after stating why."""
CASE_NOT_FOUND = N_("Kasus tidak ditemukan.")


def case_area_supervisor(user: User, family: Family) -> bool:
    """A supervisor whose area holds the family: sees and steers every case on it, confidential or not."""
    return user.role == Role.SUPERVISOR and area_visible(user, family.village_code)


def case_clause(user: User) -> ColumnElement[bool]:
    """The cases a user may learn exist (the query joins Family): open ones of the families they see, and
    confidential ones assigned to them or, for a supervisor, in their area. Admins and peninjau see no
    confidential case; nobody learns one exists through a list, count, search or export."""
    visible = and_(col(CaseFile.confidential).is_(false()), family_clause(user))
    mine = col(CaseFile.worker_id) == user.id
    if user.role == Role.SUPERVISOR and user.area_code:
        return or_(visible, mine, area_within(col(Family.village_code), user.area_code))
    return or_(visible, mine)


def case_can_see(user: User, case: CaseFile, family: Family, kelompok: Kelompok | None) -> bool:
    if case.worker_id == user.id or case_area_supervisor(user, family):
        return True
    return not case.confidential and family_can_see(user, family, kelompok)


def case_can_edit(user: User, case: CaseFile, family: Family, kelompok: Kelompok | None) -> bool:
    """Notes, status and referrals: the assigned worker, the area's supervisors and, for a case that is not
    confidential, the family's own editors (its pendamping, an admin)."""
    if case.worker_id == user.id or case_area_supervisor(user, family):
        return True
    return not case.confidential and family_can_edit(user, family, kelompok)


def case_require_editor(user: User, case: CaseFile, family: Family, kelompok: Kelompok | None) -> None:
    if not case_can_edit(user, case, family, kelompok):
        raise Forbidden(N_("Hanya petugas kasus ini atau supervisor wilayahnya yang dapat mengubahnya."))


def case_can_create(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """A case is opened by the family's editors (its pendamping, an admin) or a supervisor of its area."""
    return family_can_edit(user, family, kelompok) or case_area_supervisor(user, family)


def case_require_creator(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not case_can_create(user, family, kelompok):
        raise Forbidden(ROLE_REFUSED)


def case_can_break_glass(user: User, case: CaseFile, family: Family, kelompok: Kelompok | None) -> bool:
    """A supervisor of another area (or an admin) may read a confidential case they may not see, giving a reason."""
    return case.confidential and user.role in SUPERVISING_ROLES and not case_can_see(user, case, family, kelompok)


def case_may_break_glass(user: User) -> bool:
    """Whether to offer the break-the-glass form at all: the same answer for every case id, existing or not."""
    return user.role in SUPERVISING_ROLES


def case_log_can_view(user: User) -> bool:
    """The log of reads of confidential cases: the supervisors, each for their own area."""
    return user.role == Role.SUPERVISOR and bool(user.area_code)


def case_glass_open(*, session: Session, user: User, case_id: int, since: datetime) -> bool:
    """A break-the-glass by this user on this case, stated since `since`."""
    found = session.exec(
        select(AccessLog.id).where(
            AccessLog.user_id == user.id,
            AccessLog.action == AccessAction.CASE_BREAK_GLASS,
            AccessLog.entity == "case",
            AccessLog.entity_id == str(case_id),
            col(AccessLog.at) >= since,
        )
    ).first()
    return found is not None


def case_get(*, session: Session, user: User, case_id: int, now: datetime) -> tuple[CaseFile, Family, bool]:
    """The case, its family, and whether it is read through a break-the-glass (read only); NotFound, the same
    answer as for an id that does not exist, for anyone else."""
    row = session.exec(
        select(CaseFile, Family)
        .join(Family, col(Family.id) == CaseFile.family_id)
        .where(CaseFile.id == case_id, case_clause(user))
    ).first()
    if row is not None:
        return row[0], row[1], False
    since = now - timedelta(minutes=BREAK_GLASS_MINUTES)
    if case_may_break_glass(user) and case_glass_open(session=session, user=user, case_id=case_id, since=since):
        found = session.exec(
            select(CaseFile, Family).join(Family, col(Family.id) == CaseFile.family_id).where(CaseFile.id == case_id)
        ).first()
        if found is not None:
            return found[0], found[1], True
    raise NotFound(CASE_NOT_FOUND)


# --- complementary aid (issue 11) ---


def aid_can_edit(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """Programmes received, the house's livability and aid applications: the family's editors, or a supervisor
    (a social worker) of its area."""
    if family_can_edit(user, family, kelompok):
        return True
    return user.role == Role.SUPERVISOR and family_can_see(user, family, kelompok)


def aid_require_editor(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not aid_can_edit(user, family, kelompok):
        raise Forbidden(ROLE_REFUSED if user.role == Role.PENINJAU else EDITOR_ONLY)


def aid_can_decide(user: User, family: Family, kelompok: Kelompok | None) -> bool:
    """An aid application is decided by a supervisor of the family's area (or an admin)."""
    return user.role in SUPERVISING_ROLES and family_can_see(user, family, kelompok)


def aid_require_decider(user: User, family: Family, kelompok: Kelompok | None) -> None:
    if not aid_can_decide(user, family, kelompok):
        raise Forbidden(ROLE_REFUSED)
