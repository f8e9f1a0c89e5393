"""What a person reads instead of a stored code: Indonesian labels (msgids) of enum values and record fields."""

from enum import StrEnum

from app.i18n import N_, gettext
from app.models import (
    AttendanceStatus,
    Attendee,
    CorrectionStatus,
    ExitReason,
    FamilyStatus,
    MeetingEventKind,
    MeetingStatus,
    MemberJoinReason,
    MemberLeaveReason,
    Relationship,
    Role,
    RosterImportStatus,
    Schooling,
    Sex,
)

ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    ExitReason: {
        ExitReason.TIDAK_LAYAK: N_("Tidak lagi memenuhi syarat"),
        ExitReason.PINDAH: N_("Pindah domisili"),
        ExitReason.MENOLAK: N_("Menolak / mengundurkan diri"),
        ExitReason.PENGURUS_MENINGGAL: N_("Pengurus / kepala keluarga meninggal"),
        ExitReason.GANDA: N_("Data ganda"),
        ExitReason.LAINNYA: N_("Lainnya"),
    },
    MemberJoinReason: {
        MemberJoinReason.LAHIR: N_("Kelahiran"),
        MemberJoinReason.MENIKAH: N_("Pernikahan"),
        MemberJoinReason.PINDAH_MASUK: N_("Pindah masuk"),
    },
    MemberLeaveReason: {
        MemberLeaveReason.MENINGGAL: N_("Meninggal"),
        MemberLeaveReason.PINDAH_KELUAR: N_("Pindah keluar"),
        MemberLeaveReason.MENIKAH_KELUAR: N_("Menikah keluar"),
    },
    RosterImportStatus: {
        RosterImportStatus.ANTRE_UJI: N_("Menunggu uji coba"),
        RosterImportStatus.MENGUJI: N_("Sedang diuji coba"),
        RosterImportStatus.SIAP: N_("Uji coba selesai"),
        RosterImportStatus.ANTRE_TERAP: N_("Menunggu diterapkan"),
        RosterImportStatus.MENERAPKAN: N_("Sedang diterapkan"),
        RosterImportStatus.DITERAPKAN: N_("Diterapkan"),
        RosterImportStatus.GAGAL: N_("Gagal"),
    },
    Role: {
        Role.ADMIN: N_("Admin"),
        Role.SUPERVISOR: N_("Supervisor"),
        Role.PENINJAU: N_("Peninjau"),
        Role.PENDAMPING: N_("Pendamping"),
    },
    AttendanceStatus: {
        AttendanceStatus.HADIR: N_("Hadir"),
        AttendanceStatus.IZIN: N_("Izin"),
        AttendanceStatus.SAKIT: N_("Sakit"),
        AttendanceStatus.ALPA: N_("Alpa"),
    },
    MeetingStatus: {
        MeetingStatus.SCHEDULED: N_("Dijadwalkan"),
        MeetingStatus.HELD: N_("Terlaksana"),
        MeetingStatus.CANCELLED: N_("Dibatalkan"),
    },
    MeetingEventKind: {
        MeetingEventKind.SCHEDULED: N_("Dijadwalkan"),
        MeetingEventKind.RESCHEDULED: N_("Dijadwal ulang"),
        MeetingEventKind.CANCELLED: N_("Dibatalkan"),
        MeetingEventKind.HELD: N_("Terlaksana"),
    },
    Attendee: {Attendee.PENGURUS: N_("Pengurus"), Attendee.ANGGOTA_LAIN: N_("Anggota keluarga lain")},
    FamilyStatus: {
        FamilyStatus.AKTIF: N_("Aktif"),
        FamilyStatus.GRADUASI_ALAMIAH: N_("Graduasi alamiah"),
        FamilyStatus.GRADUASI_MANDIRI: N_("Graduasi sejahtera mandiri"),
        FamilyStatus.KELUAR: N_("Keluar dari PKH"),
    },
    Sex: {Sex.LAKI_LAKI: N_("Laki-laki"), Sex.PEREMPUAN: N_("Perempuan")},
    Relationship: {
        Relationship.KEPALA: N_("Kepala keluarga"),
        Relationship.ISTRI: N_("Istri"),
        Relationship.SUAMI: N_("Suami"),
        Relationship.ANAK: N_("Anak"),
        Relationship.ORANG_TUA: N_("Orang tua"),
        Relationship.LAINNYA: N_("Lainnya"),
    },
    Schooling: {
        Schooling.BELUM: N_("Belum sekolah"),
        Schooling.PAUD: N_("PAUD"),
        Schooling.SD: N_("SD"),
        Schooling.SMP: N_("SMP"),
        Schooling.SMA: N_("SMA"),
        Schooling.LULUS: N_("Lulus 12 tahun"),
        Schooling.TIDAK: N_("Tidak sekolah"),
    },
    CorrectionStatus: {
        CorrectionStatus.MENUNGGU: N_("Menunggu"),
        CorrectionStatus.DITERIMA: N_("Diterima"),
        CorrectionStatus.DITOLAK: N_("Ditolak"),
    },
}


def label(enum: type[StrEnum], value: str | None) -> str:
    """The translated label of a stored code; a value the enum does not know is shown as it is."""
    if value is None or value == "":
        return "–"
    msgid = ENUM_LABELS.get(enum, {}).get(value)
    return gettext(msgid) if msgid else str(value)


# Meeting and mark statuses share one label function in templates (a roll row names several).
STATUS_LABELS: dict[str, str] = {
    **ENUM_LABELS[AttendanceStatus],
    **ENUM_LABELS[MeetingStatus],
    MeetingEventKind.RESCHEDULED: ENUM_LABELS[MeetingEventKind][MeetingEventKind.RESCHEDULED],
}


def status_label(status: str | None) -> str | None:
    """The label of a mark's or a meeting's status (`status_label` in templates); unknown values as they are."""
    msgid = STATUS_LABELS.get(status or "")
    return gettext(msgid) if msgid else status
