"""What users read for the codes of cases and referrals (msgids; translated when shown)."""

from app.i18n import N_
from app.models import AccessAction, CaseStatus, CaseType, CaseUrgency, ReferralService

CASE_TYPE_LABELS: dict[str, str] = {
    CaseType.KEKERASAN_ANAK: N_("Kekerasan terhadap anak"),
    CaseType.PENELANTARAN: N_("Penelantaran"),
    CaseType.AKSES_KESEHATAN: N_("Akses kesehatan"),
    CaseType.PENDIDIKAN: N_("Pendidikan"),
    CaseType.DISABILITAS: N_("Disabilitas"),
    CaseType.LANSIA_TERLANTAR: N_("Lansia terlantar"),
    CaseType.ADMINDUK: N_("Adminduk"),
    CaseType.EKONOMI: N_("Ekonomi"),
    CaseType.LAINNYA: N_("Lainnya"),
}
URGENCY_LABELS: dict[str, str] = {
    CaseUrgency.DARURAT: N_("Darurat"),
    CaseUrgency.TINGGI: N_("Tinggi"),
    CaseUrgency.SEDANG: N_("Sedang"),
    CaseUrgency.RENDAH: N_("Rendah"),
}
STATUS_LABELS: dict[str, str] = {
    CaseStatus.BARU: N_("Baru"),
    CaseStatus.DITANGANI: N_("Ditangani"),
    CaseStatus.DIRUJUK: N_("Dirujuk"),
    CaseStatus.SELESAI: N_("Selesai"),
    CaseStatus.DITUTUP: N_("Ditutup"),
}
SERVICE_LABELS: dict[str, str] = {
    ReferralService.PUSKESMAS: N_("Puskesmas"),
    ReferralService.RUMAH_SAKIT: N_("Rumah sakit"),
    ReferralService.SEKOLAH: N_("Sekolah"),
    ReferralService.DUKCAPIL: N_("Dukcapil"),
    ReferralService.UPTD_PPA: N_("UPTD PPA"),
    ReferralService.DINAS_SOSIAL: N_("Dinas Sosial"),
    ReferralService.DINAS_KESEHATAN: N_("Dinas Kesehatan"),
    ReferralService.DINAS_PENDIDIKAN: N_("Dinas Pendidikan"),
    ReferralService.KEPOLISIAN: N_("Kepolisian (PPA)"),
    ReferralService.LAINNYA: N_("Lainnya"),
}
ACCESS_LABELS: dict[str, str] = {
    AccessAction.CASE_VIEW: N_("Membaca kasus rahasia"),
    AccessAction.CASE_BREAK_GLASS: N_("Membuka darurat (alasan dicatat)"),
}
LABELS: dict[str, dict[str, str]] = {
    "access": ACCESS_LABELS,
    "types": CASE_TYPE_LABELS,
    "urgencies": URGENCY_LABELS,
    "statuses": STATUS_LABELS,
    "services": SERVICE_LABELS,
}
