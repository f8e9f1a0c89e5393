"""Indonesian labels (msgids) of verdict states, proposal statuses and warnings, shared by pages and exports."""

from app.graduation.rules import MET, NOT_MET, UNKNOWN, VERDICT_LABELS, WARNING_LABELS, ProposalStatus
from app.i18n import N_

STATE_LABELS = {MET: N_("terpenuhi"), NOT_MET: N_("tidak terpenuhi"), UNKNOWN: N_("belum diketahui")}
STATUS_LABELS = {
    ProposalStatus.DIUSULKAN: N_("Diusulkan"),
    ProposalStatus.DIVERIFIKASI: N_("Diverifikasi"),
    ProposalStatus.DIKEMBALIKAN: N_("Dikembalikan"),
    ProposalStatus.DISETUJUI: N_("Disetujui"),
    ProposalStatus.DITUNDA: N_("Ditunda"),
    ProposalStatus.DITOLAK: N_("Ditolak"),
}
LABELS = {"verdicts": VERDICT_LABELS, "states": STATE_LABELS, "statuses": STATUS_LABELS, "warnings": WARNING_LABELS}
