"""Pure rules of cases and referrals: status transitions, confidentiality by type, overdue referrals."""

from datetime import date, timedelta

from app.i18n import N_
from app.models import CASE_TYPES_CONFIDENTIAL, CASE_URGENCIES, CaseStatus

# baru → ditangani → dirujuk → selesai / ditutup; a referral that comes back puts the case back in hand.
CASE_TRANSITIONS: dict[str, tuple[CaseStatus, ...]] = {
    CaseStatus.BARU: (CaseStatus.DITANGANI, CaseStatus.DIRUJUK, CaseStatus.DITUTUP),
    CaseStatus.DITANGANI: (CaseStatus.DIRUJUK, CaseStatus.SELESAI, CaseStatus.DITUTUP),
    CaseStatus.DIRUJUK: (CaseStatus.DITANGANI, CaseStatus.SELESAI, CaseStatus.DITUTUP),
    CaseStatus.SELESAI: (),
    CaseStatus.DITUTUP: (),
}
CASE_CLOSED = (CaseStatus.SELESAI, CaseStatus.DITUTUP)


def case_next_statuses(current: str) -> tuple[CaseStatus, ...]:
    return CASE_TRANSITIONS.get(current, ())


def case_status_problem(*, current: str, wanted: str, waiting_referrals: int, note: str) -> tuple[str, str] | None:
    """(field, message) when the change is refused, else None."""
    if wanted not in case_next_statuses(current):
        return "status", N_("Status kasus tidak dapat diubah dari %(current)s ke %(wanted)s.")
    if wanted == CaseStatus.SELESAI and waiting_referrals:
        return "status", N_("Masih ada rujukan yang belum ada hasilnya: catat hasilnya dulu, atau tutup kasus.")
    if wanted == CaseStatus.DITUTUP and not note:
        return "status_note", N_("Tulis alasan menutup kasus.")
    return None


def case_confidential(*, case_type: str, ticked: bool) -> bool:
    """Child-protection cases are always confidential; others when the worker says so."""
    return ticked or case_type in CASE_TYPES_CONFIDENTIAL


def urgency_rank(urgency: str) -> int:
    """0 for the most urgent; unknown values last."""
    return CASE_URGENCIES.index(urgency) if urgency in CASE_URGENCIES else len(CASE_URGENCIES)


def referral_overdue(*, referred_on: date, outcome_on: date | None, today: date, days: int) -> bool:
    """No outcome yet, `days` or more days after the referral."""
    return outcome_on is None and (today - referred_on).days >= days


def referral_overdue_before(*, today: date, days: int) -> date:
    """Referrals made on or before this day with no outcome are overdue (the same rule, as a query bound)."""
    return today - timedelta(days=days)
