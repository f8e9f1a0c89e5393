"""What waits for each role on the home page: a handful of counts, each with the list behind it."""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.access import DECIDING_ROLES, SUPERVISING_ROLES
from app.graduation.facts import rules_on
from app.i18n import N_
from app.models import ProposalStatus, Role, User
from app.notifications.queries import NotificationLine, notifications_list
from app.worklists import queries as worklists

NOTIFICATIONS_ON_HOME = 5


@dataclass
class HomeItem:
    key: str  # the element id (and a stable name for tests)
    label: str  # msgid
    count: int
    route: str
    query: dict[str, str] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        return self.count > 0


def supervisor_items(*, session: Session, user: User, today: date) -> list[HomeItem]:
    streak = rules_on(session=session, day=today).alpa_streak_warning
    return [
        HomeItem(
            "verifications",
            N_("Usulan menunggu verifikasi"),
            worklists.proposals_waiting_count(session=session, user=user, status=ProposalStatus.DIUSULKAN),
            "proposal_list",
            {"status": ProposalStatus.DIUSULKAN},
        ),
        HomeItem(
            "corrections",
            N_("Koreksi absensi menunggu keputusan"),
            worklists.corrections_waiting_count(session=session, user=user),
            "correction_list",
        ),
        HomeItem(
            "overdue",
            N_("Kelompok tanpa pertemuan ≥ 45 hari"),
            worklists.kelompok_overdue_count(session=session, user=user, today=today),
            "kelompok_list",
            {"terlambat": "true"},
        ),
        HomeItem(
            "alpa",
            N_("KPM alpa 3 kali berturut-turut"),
            worklists.alpa_families_count(session=session, user=user, streak=streak),
            "worklist_alpa",
        ),
        HomeItem(
            "reviews-due",
            N_("Penilaian kualitas jatuh tempo bulan ini"),
            worklists.reviews_due_count(session=session, user=user, today=today),
            "worklist_reviews_due",
        ),
    ]


def peninjau_items(*, session: Session, user: User) -> list[HomeItem]:
    return [
        HomeItem(
            "decisions",
            N_("Usulan menunggu keputusan"),
            worklists.proposals_waiting_count(session=session, user=user, status=ProposalStatus.DIVERIFIKASI),
            "proposal_list",
            {"status": ProposalStatus.DIVERIFIKASI},
        ),
        HomeItem(
            "deferred",
            N_("Usulan ditunda"),
            worklists.proposals_waiting_count(session=session, user=user, status=ProposalStatus.DITUNDA),
            "proposal_list",
            {"status": ProposalStatus.DITUNDA},
        ),
    ]


def admin_items(*, session: Session) -> list[HomeItem]:
    return [
        HomeItem(
            "pendamping-idle",
            N_("Pendamping tanpa kelompok"),
            worklists.pendamping_idle_count(session=session),
            "worklist_pendamping_idle",
        ),
        HomeItem(
            "inactive-assigned",
            N_("Pengguna nonaktif yang masih ditugaskan"),
            worklists.inactive_assigned_count(session=session),
            "worklist_inactive_assigned",
        ),
        HomeItem(
            "failed-imports",
            N_("Impor dan tugas latar yang gagal"),
            worklists.failed_imports_count(session=session),
            "worklist_failed_imports",
        ),
    ]


def home_items(*, session: Session, user: User, today: date) -> list[HomeItem]:
    """The role's waiting work: supervisor (and admin) verifications, corrections, quiet kelompok, alpa families and
    reviews due; peninjau (and admin) decisions; admin the accounts and jobs out of step. A pendamping: none."""
    items: list[HomeItem] = []
    if user.role in SUPERVISING_ROLES:
        items += supervisor_items(session=session, user=user, today=today)
    if user.role in DECIDING_ROLES:
        items += peninjau_items(session=session, user=user)
    if user.role == Role.ADMIN:
        items += admin_items(session=session)
    return items


def home_notifications(*, session: Session, user: User) -> list[NotificationLine]:
    return notifications_list(session=session, user=user, limit=NOTIFICATIONS_ON_HOME)
