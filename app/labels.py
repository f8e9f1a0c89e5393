"""What a person reads instead of a stored code: Indonesian labels (msgids) of enum values and record fields."""

from enum import StrEnum

from app.i18n import N_, gettext
from app.models import (
    AttendanceStatus,
    Attendee,
    CorrectionStatus,
    FamilyStatus,
    MeetingEventKind,
    MeetingStatus,
    Relationship,
    Role,
    Schooling,
    Sex,
)

ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
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
