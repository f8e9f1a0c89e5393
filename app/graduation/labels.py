"""Indonesian labels (msgids) of verdict states, proposal statuses and warnings, shared by pages and exports."""

from app.graduation.rules import VERDICT_LABELS, WARNING_LABELS
from app.i18n import N_
from app.models import CriterionState, GraduationRoute, ProposalStatus

STATE_LABELS: dict[str, str] = {
    CriterionState.MET: N_("terpenuhi"),
    CriterionState.NOT_MET: N_("tidak terpenuhi"),
    CriterionState.UNKNOWN: N_("belum diketahui"),
}
STATUS_LABELS: dict[str, str] = {
    ProposalStatus.DIUSULKAN: N_("Diusulkan"),
    ProposalStatus.DIVERIFIKASI: N_("Diverifikasi"),
    ProposalStatus.DIKEMBALIKAN: N_("Dikembalikan"),
    ProposalStatus.DISETUJUI: N_("Disetujui"),
    ProposalStatus.DITUNDA: N_("Ditunda"),
    ProposalStatus.DITOLAK: N_("Ditolak"),
}
ROUTE_LABELS: dict[str, str] = {
    GraduationRoute.ALAMIAH: N_("graduasi alamiah"),
    GraduationRoute.MANDIRI: N_("graduasi sejahtera mandiri"),
    GraduationRoute.SUKARELA: N_("keluar: mengundurkan diri"),
    GraduationRoute.MUSYAWARAH: N_("keluar: keputusan musyawarah"),
}
LABELS = {
    "verdicts": VERDICT_LABELS,
    "states": STATE_LABELS,
    "statuses": STATUS_LABELS,
    "warnings": WARNING_LABELS,
    "routes": ROUTE_LABELS,
}
