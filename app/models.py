"""Every table of P2K2 Tracker, in one place (SQLModel)."""

import unicodedata
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, event, select, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- Roles, statuses and other closed vocabularies (stored as short strings; members compare equal to them) ---


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    PENINJAU = "peninjau"
    PENDAMPING = "pendamping"


ROLES = tuple(Role)


class MeetingStatus(StrEnum):
    SCHEDULED = "dijadwalkan"
    HELD = "terlaksana"
    CANCELLED = "dibatalkan"


class MeetingEventKind(StrEnum):
    """A line of a meeting's history."""

    SCHEDULED = "dijadwalkan"
    RESCHEDULED = "dijadwal_ulang"
    CANCELLED = "dibatalkan"
    HELD = "terlaksana"


class AttendanceStatus(StrEnum):
    HADIR = "hadir"
    IZIN = "izin"
    SAKIT = "sakit"
    ALPA = "alpa"


# The order a tap on a roll-call row walks through.
ATTENDANCE_CYCLE = (AttendanceStatus.HADIR, AttendanceStatus.IZIN, AttendanceStatus.SAKIT, AttendanceStatus.ALPA)


class Attendee(StrEnum):
    """Who came for the family."""

    PENGURUS = "pengurus"
    ANGGOTA_LAIN = "anggota_lain"


class FamilyStatus(StrEnum):
    AKTIF = "aktif"
    GRADUASI_ALAMIAH = "graduasi_alamiah"
    GRADUASI_MANDIRI = "graduasi_mandiri"
    KELUAR = "keluar"


class ExitReason(StrEnum):
    """Why a family left PKH other than by graduation."""

    TIDAK_LAYAK = "tidak_layak"
    PINDAH = "pindah"
    MENOLAK = "menolak"
    PENGURUS_MENINGGAL = "pengurus_meninggal"
    GANDA = "ganda"
    LAINNYA = "lainnya"


class MemberJoinReason(StrEnum):
    """How a member joined a family already in PKH."""

    LAHIR = "lahir"
    MENIKAH = "menikah"
    PINDAH_MASUK = "pindah_masuk"


class MemberLeaveReason(StrEnum):
    """Why a member's membership ended (the row stays, inactive)."""

    MENINGGAL = "meninggal"
    PINDAH_KELUAR = "pindah_keluar"
    MENIKAH_KELUAR = "menikah_keluar"


class Sex(StrEnum):
    LAKI_LAKI = "L"
    PEREMPUAN = "P"


class Relationship(StrEnum):
    """A member's relationship to the head of the family."""

    KEPALA = "kepala"
    ISTRI = "istri"
    SUAMI = "suami"
    ANAK = "anak"
    ORANG_TUA = "orang_tua"
    LAINNYA = "lainnya"


class Schooling(StrEnum):
    BELUM = "belum"
    PAUD = "paud"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    LULUS = "lulus"  # finished 12 years
    TIDAK = "tidak"  # out of school


class PkhComponent(StrEnum):
    """What makes a member count for PKH (a school child's component is their schooling)."""

    HAMIL = "hamil"
    ANAK_USIA_DINI = "anak_usia_dini"
    SD = "sd"  # the values of the school child's Schooling
    SMP = "smp"
    SMA = "sma"
    DISABILITAS_BERAT = "disabilitas_berat"
    LANSIA = "lansia"


class TopicProgress(StrEnum):
    """A family's state on a core session in a kelompok's progress grid (computed, not stored)."""

    SELESAI = "selesai"
    TERLEWAT = "terlewat"
    BELUM = "belum"


class AssessmentKind(StrEnum):
    BASELINE = "baseline"
    LANJUTAN = "lanjutan"
    GRADUASI = "graduasi"
    PEMANTAUAN = "pemantauan"


class AssessmentStatus(StrEnum):
    DRAF = "draf"
    FINAL = "final"


class IndicatorValueType(StrEnum):
    BOOL = "bool"
    NUMBER = "number"  # met when value >= target


class PovertyLineKind(StrEnum):
    AREA = "area"  # the kab/kota's own line
    URBAN = "urban"  # national lines
    RURAL = "rural"


class ReadinessVerdict(StrEnum):
    ALAMIAH = "alamiah"
    MANDIRI = "mandiri"
    HAMPIR = "hampir"
    BELUM = "belum"


# Best first: the order of lists and counts.
READINESS_VERDICTS = (
    ReadinessVerdict.ALAMIAH,
    ReadinessVerdict.MANDIRI,
    ReadinessVerdict.HAMPIR,
    ReadinessVerdict.BELUM,
)


class ReadinessCriterion(StrEnum):
    ALAMIAH = "alamiah"
    SESI_INTI = "sesi_inti"
    KEHADIRAN = "kehadiran"
    SKOR = "skor"
    EKONOMI = "ekonomi"
    ASET = "aset"


class CriterionState(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class ReadinessWarning(StrEnum):
    ALPA_BERUNTUN = "alpa_beruntun"
    KELOMPOK_TIDAK_BERTEMU = "kelompok_tidak_bertemu"
    LAMA_DI_PKH = "lama_di_pkh"
    TINJAU_ULANG = "tinjau_ulang"


class GraduationRoute(StrEnum):
    ALAMIAH = "alamiah"
    MANDIRI = "mandiri"
    # Exits the readiness rules do not flag, proposed with a reason and evidence (issue 13).
    SUKARELA = "sukarela"  # mengundurkan diri: the family withdraws of its own will
    MUSYAWARAH = "musyawarah"  # decided by a musyawarah desa/kelurahan


# Routes that end in FamilyStatus.KELUAR rather than a graduation (no post-graduation monitoring).
EXIT_ROUTES = (GraduationRoute.SUKARELA, GraduationRoute.MUSYAWARAH)


class ProposalStatus(StrEnum):
    """Also the steps of a proposal's history (GraduationEvent.step)."""

    DIUSULKAN = "diusulkan"
    DIVERIFIKASI = "diverifikasi"
    DIKEMBALIKAN = "dikembalikan"
    DISETUJUI = "disetujui"
    DITUNDA = "ditunda"
    DITOLAK = "ditolak"


PROPOSAL_STATUSES = tuple(ProposalStatus)
# A family has at most one proposal in these.
PROPOSAL_OPEN = (ProposalStatus.DIUSULKAN, ProposalStatus.DIVERIFIKASI, ProposalStatus.DITUNDA)
# The decisions a peninjau may take on a verified proposal.
PROPOSAL_DECISIONS = (ProposalStatus.DISETUJUI, ProposalStatus.DITUNDA, ProposalStatus.DITOLAK)


class DocumentKind(StrEnum):
    SURAT_PERNYATAAN = "surat_pernyataan"
    BUKTI_KELUAR = "bukti_keluar"  # evidence of an exit: letter of withdrawal, minutes of the musyawarah


class CorrectionStatus(StrEnum):
    MENUNGGU = "menunggu"
    DITERIMA = "diterima"
    DITOLAK = "ditolak"


# Handed to templates as globals (app/web.py): `{% if p.status == ProposalStatus.DIUSULKAN %}`.
class AccessAction(StrEnum):
    """What the personal-data access log records."""

    NIK_VIEW = "nik_view"
    EXPORT = "export"
    PRINT = "print"
    CASE_VIEW = "case_view"  # a read of a confidential case
    CASE_BREAK_GLASS = "break_glass"  # a supervisor of another area opened one, stating a reason


# The admin's personal-data log; reads of confidential cases are shown to the area's supervisors only.
ACCESS_ACTIONS = (AccessAction.NIK_VIEW, AccessAction.EXPORT, AccessAction.PRINT)
CASE_ACCESS_ACTIONS = (AccessAction.CASE_VIEW, AccessAction.CASE_BREAK_GLASS)


class CaseType(StrEnum):
    KEKERASAN_ANAK = "kekerasan_anak"
    PENELANTARAN = "penelantaran"
    AKSES_KESEHATAN = "akses_kesehatan"
    PENDIDIKAN = "pendidikan"
    DISABILITAS = "disabilitas"
    LANSIA_TERLANTAR = "lansia_terlantar"
    ADMINDUK = "adminduk"
    EKONOMI = "ekonomi"
    LAINNYA = "lainnya"


# Confidential whatever the worker ticks: child protection.
CASE_TYPES_CONFIDENTIAL = (CaseType.KEKERASAN_ANAK,)


class CaseUrgency(StrEnum):
    DARURAT = "darurat"
    TINGGI = "tinggi"
    SEDANG = "sedang"
    RENDAH = "rendah"


# Most urgent first: the order of work queues.
CASE_URGENCIES = (CaseUrgency.DARURAT, CaseUrgency.TINGGI, CaseUrgency.SEDANG, CaseUrgency.RENDAH)


class CaseStatus(StrEnum):
    BARU = "baru"
    DITANGANI = "ditangani"
    DIRUJUK = "dirujuk"
    SELESAI = "selesai"
    DITUTUP = "ditutup"


CASE_OPEN = (CaseStatus.BARU, CaseStatus.DITANGANI, CaseStatus.DIRUJUK)


class ReferralService(StrEnum):
    PUSKESMAS = "puskesmas"
    RUMAH_SAKIT = "rumah_sakit"
    SEKOLAH = "sekolah"
    DUKCAPIL = "dukcapil"
    UPTD_PPA = "uptd_ppa"
    DINAS_SOSIAL = "dinas_sosial"
    DINAS_KESEHATAN = "dinas_kesehatan"
    DINAS_PENDIDIKAN = "dinas_pendidikan"
    KEPOLISIAN = "kepolisian"
    LAINNYA = "lainnya"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobKind(StrEnum):
    READINESS_RECOMPUTE = "readiness_recompute"
    ROSTER_IMPORT = "roster_import"


class RosterImportStatus(StrEnum):
    """A roster import's steps: checked (dry run) by the worker, then applied on request."""

    ANTRE_UJI = "antre_uji"
    MENGUJI = "menguji"
    SIAP = "siap"  # dry run done: the preview waits for the user
    ANTRE_TERAP = "antre_terap"
    MENERAPKAN = "menerapkan"
    DITERAPKAN = "diterapkan"
    GAGAL = "gagal"


ROSTER_IMPORT_ACTIVE = (
    RosterImportStatus.ANTRE_UJI,
    RosterImportStatus.MENGUJI,
    RosterImportStatus.ANTRE_TERAP,
    RosterImportStatus.MENERAPKAN,
)


class NotificationKind(StrEnum):
    """What a pendamping is told about their proposals and correction requests."""

    PROPOSAL_SENT_BACK = "usulan_dikembalikan"
    PROPOSAL_DEFERRED = "usulan_ditunda"
    PROPOSAL_APPROVED = "usulan_disetujui"
    PROPOSAL_REJECTED = "usulan_ditolak"
    CORRECTION_ACCEPTED = "koreksi_diterima"
    CORRECTION_REFUSED = "koreksi_ditolak"


class AidTarget(StrEnum):
    """Who a complementary programme is given to: the whole family or one member."""

    KELUARGA = "keluarga"
    ANGGOTA = "anggota"


class AidGap(StrEnum):
    """A complementarity gap (p2k2.md B): what a family or member should receive and does not."""

    PIP = "pip"  # school-age child without PIP/KIP
    JKN = "jkn"  # member without JKN (PBI-JK/KIS)
    SEMBAKO = "sembako"  # family without Program Sembako/BPNT
    RUTILAHU = "rutilahu"  # house marked not livable without Rutilahu
    ADMINDUK = "adminduk"  # member without NIK, or child without birth certificate


AID_GAPS = tuple(AidGap)


class AidApplicationStatus(StrEnum):
    DIAJUKAN = "diajukan"
    DIKABULKAN = "dikabulkan"
    DITOLAK = "ditolak"


# The decisions a supervisor may take on a submitted application.
AID_DECISIONS = (AidApplicationStatus.DIKABULKAN, AidApplicationStatus.DITOLAK)

# The default programme catalogue (p2k2.md A, "Complementary programmes"): code, name, target, the gap it closes.
AID_PROGRAMMES_DEFAULT: tuple[tuple[str, str, AidTarget, AidGap | None], ...] = (
    ("PBI_JK", "PBI-JK / KIS", AidTarget.ANGGOTA, AidGap.JKN),
    ("PIP", "PIP / KIP", AidTarget.ANGGOTA, AidGap.PIP),
    ("SEMBAKO", "Program Sembako / BPNT", AidTarget.KELUARGA, AidGap.SEMBAKO),
    ("RUTILAHU", "Rutilahu", AidTarget.KELUARGA, AidGap.RUTILAHU),
    ("KUBE", "KUBE", AidTarget.KELUARGA, None),
    ("PENA_PPSE", "PENA / PPSE", AidTarget.KELUARGA, None),
    ("JAMKESDA", "Jaminan kesehatan daerah (mis. Gakinda)", AidTarget.ANGGOTA, None),
    ("SERTIFIKAT_TANAH", "Sertifikat tanah", AidTarget.KELUARGA, None),
    ("LAINNYA", "Bantuan lainnya", AidTarget.KELUARGA, None),
)


VOCABULARY: dict[str, object] = {
    "ATTENDANCE_CYCLE": ATTENDANCE_CYCLE,
    "PROPOSAL_DECISIONS": PROPOSAL_DECISIONS,
    "READINESS_VERDICTS": READINESS_VERDICTS,
    "ACCESS_ACTIONS": ACCESS_ACTIONS,
    "JOB_ACTIVE": JOB_ACTIVE,
    "CASE_URGENCIES": CASE_URGENCIES,
    "CASE_OPEN": CASE_OPEN,
    "EXIT_ROUTES": EXIT_ROUTES,
    "AID_GAPS": AID_GAPS,
    "AID_DECISIONS": AID_DECISIONS,
    "ROSTER_IMPORT_ACTIVE": ROSTER_IMPORT_ACTIVE,
} | {
    e.__name__: e
    for e in (
        Role,
        MeetingStatus,
        MeetingEventKind,
        AttendanceStatus,
        Attendee,
        FamilyStatus,
        ExitReason,
        MemberJoinReason,
        MemberLeaveReason,
        Sex,
        Relationship,
        Schooling,
        PkhComponent,
        TopicProgress,
        AssessmentKind,
        AssessmentStatus,
        IndicatorValueType,
        PovertyLineKind,
        ReadinessVerdict,
        ReadinessCriterion,
        CriterionState,
        ReadinessWarning,
        GraduationRoute,
        ProposalStatus,
        DocumentKind,
        CorrectionStatus,
        AccessAction,
        JobStatus,
        JobKind,
        CaseType,
        CaseUrgency,
        CaseStatus,
        ReferralService,
        NotificationKind,
        AidTarget,
        AidGap,
        AidApplicationStatus,
        RosterImportStatus,
    )
}


# --- Areas and people ---


class Area(SQLModel, table=True):
    """A Kemendagri area: level 1 province, 2 kab/kota, 3 kecamatan, 4 kelurahan/desa."""

    code: str = Field(primary_key=True, max_length=13)
    name: str = Field(max_length=120)
    level: int = Field(index=True)
    parent_code: str | None = Field(default=None, foreign_key="area.code", index=True, max_length=13)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)  # Role
    # Supervisor / peninjau: the area they oversee. Pendamping: their working area (scope is their kelompok).
    area_code: str | None = Field(default=None, foreign_key="area.code", max_length=13)
    phone: str | None = Field(default=None, max_length=32)
    locale: str = Field(default="id", max_length=5)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Bumped by every edit of name, role or area: an admin's edit form sends the version it was made from.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class LoginSession(SQLModel, table=True):
    """A signed-in browser; the cookie carries a signed copy of `token`."""

    token: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class LoginFailure(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    ip: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)


# --- Curriculum ---


class CurriculumModule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    no: int = Field(unique=True)
    code: str = Field(max_length=32, unique=True)
    title: str = Field(max_length=200)
    core: bool = True
    active: bool = True


class Topic(SQLModel, table=True):
    """A curriculum session (sesi): core sessions are numbered 1–14 straight through."""

    __table_args__ = (UniqueConstraint("module_id", "no"),)
    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="curriculummodule.id", index=True)
    no: int
    title: str = Field(max_length=300)
    core: bool = True
    confirmed: bool = True
    duration_minutes: int = 120
    active: bool = True
    notes: str = Field(default="", sa_type=Text)


# --- Groups, families, members ---


class Kelompok(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    village_code: str = Field(foreign_key="area.code", index=True, max_length=13)
    pendamping_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    default_place: str = Field(default="", max_length=200)
    active: bool = True
    # Kept by app.meetings.service.kelompok_last_held_refresh: the date of its latest held meeting.
    last_held_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Family(SQLModel, table=True):
    """A KPM (Keluarga Penerima Manfaat)."""

    # Covering the gap counts' scan (app.aid.queries): families of an area grouped by kelompok, without the rows.
    __table_args__ = (
        Index("ix_family_aid_scan", "village_code", "kelompok_id", "status", "house_livable", "aid_held"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: str = Field(max_length=64, unique=True)  # e-PKH / DTSEN ID, opaque
    kk_number: str = Field(max_length=16, index=True)
    head_name: str = Field(max_length=120)
    address: str = Field(default="", max_length=300)
    village_code: str = Field(foreign_key="area.code", index=True, max_length=13)
    kelompok_id: int | None = Field(default=None, foreign_key="kelompok.id", index=True)
    status: str = Field(default=FamilyStatus.AKTIF, max_length=24, index=True)
    enrolled_on: date
    exited_on: date | None = None
    exit_reason: str | None = Field(default=None, max_length=24)  # ExitReason (graduation sets none)
    exit_note: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    desil: int | None = None
    # The house is livable (layak huni): False marks it for Rutilahu (p2k2.md B); None not yet known.
    house_livable: bool | None = None
    # Kept by app.aid.service: bit p set while the family (as a whole) receives programme id p (open AidReceipt).
    aid_held: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # Kept by app.attendance.service.attendance_summaries_refresh from the marks of held meetings:
    # bit t set when the family was present at a held meeting of topic id t; alpa marks since its last other mark.
    sessions_done: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    alpa_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Bumped by every edit; an edit form sends the version it was made from (no lost updates).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The add-KPM form's one-time token: the same form sent twice adds one family.
    form_token: str | None = Field(default=None, max_length=64, unique=True)


def name_key_of(name: str) -> str:
    """A name as search compares it: accents dropped, case folded, spaces single (`Siti  Ásih` → `siti asih`)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


class Member(SQLModel, table=True):
    __table_args__ = (Index("ix_member_name_key_family", "name_key", "family_id"),)
    # Covering the gap counts' scan (app.aid.queries): every column a member gap reads, by family.
    __table_args__ = (
        Index(
            "ix_member_aid_scan",
            "family_id",
            "active",
            "birth_date",
            "schooling",
            "has_birth_certificate",
            "nik",
            "aid_held",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    name: str = Field(max_length=120)
    # Kept from `name` by name_key_of on every ORM insert and update (bulk writers set it themselves).
    name_key: str | None = Field(default=None, max_length=160)
    nik: str | None = Field(default=None, max_length=16, index=True)
    birth_date: date
    sex: str = Field(max_length=1)  # Sex
    relationship: str = Field(max_length=24)  # Relationship
    is_pengurus: bool = False
    schooling: str = Field(default=Schooling.BELUM, max_length=12)
    pregnant: bool = False
    severe_disability: bool = False
    has_birth_certificate: bool | None = None
    active: bool = True
    # A member added after enrolment (birth, marriage, moved in) and a membership ended: dates and reasons.
    joined_on: date | None = None
    join_reason: str | None = Field(default=None, max_length=16)  # MemberJoinReason
    left_on: date | None = None
    leave_reason: str | None = Field(default=None, max_length=16)  # MemberLeaveReason
    # Kept by app.aid.service: bit p set while the member receives programme id p (open AidReceipt).
    aid_held: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The creating form's one-time token: the same form sent twice adds one member.
    form_token: str | None = Field(default=None, max_length=64, unique=True)


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _member_name_key(_mapper: Any, _connection: Any, member: Member) -> None:
    member.name_key = name_key_of(member.name)


class FamilyTransfer(SQLModel, table=True):
    """A KPM moved from one kelompok (and so pendamping) to another: both pendamping read it on the family."""

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    from_kelompok_id: int | None = Field(default=None, foreign_key="kelompok.id", index=True)
    to_kelompok_id: int = Field(foreign_key="kelompok.id", index=True)
    transferred_on: date
    reason: str = Field(default="", max_length=300)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


# --- Meetings and attendance ---


class Meeting(SQLModel, table=True):
    """One scheduled P2K2 occurrence of a curriculum session for a kelompok."""

    __table_args__ = (
        Index("ix_meeting_kelompok_date", "kelompok_id", "date"),
        Index("ix_meeting_kelompok_status_date", "kelompok_id", "status", "date", "topic_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kelompok_id: int = Field(foreign_key="kelompok.id")
    topic_id: int = Field(foreign_key="topic.id", index=True)
    date: date
    start_time: time
    duration_minutes: int = 120
    place: str = Field(default="", max_length=200)
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16, index=True)
    is_makeup: bool = False
    notes: str = Field(default="", sa_type=Text)
    # Kept by app.attendance.service.attendance_summaries_refresh: marks on this meeting, and those hadir.
    marks_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    present_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The scheduling form's one-time token: the same form sent twice schedules one meeting.
    form_token: str | None = Field(default=None, max_length=64, unique=True)


class MeetingEvent(SQLModel, table=True):
    """History of a meeting as users see it: scheduled, moved, cancelled, held."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=20)  # MeetingEventKind
    detail: str = Field(default="", max_length=300)
    reason: str = Field(default="", sa_type=Text)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


def meeting_year_default(context: Any) -> int:
    """`Attendance.year` when the writer left it unset: the year of the meeting's date (one look-up)."""
    meeting_id = context.get_current_parameters()["meeting_id"]
    meeting = Meeting.metadata.tables["meeting"]
    day = context.connection.scalar(select(meeting.c.date).where(meeting.c.id == meeting_id))
    return int(day.year)


class Attendance(SQLModel, table=True):
    """A KPM's mark on a meeting. On PostgreSQL the table is partitioned by `year` (app.partitions), so the year
    is in the primary key and in the unique constraint there; a meeting has one date, so (meeting, family) stays
    unique (SQLite's plain table keeps that two-column unique, migration 0016)."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id", "year"),
        Index("ix_attendance_family_status", "family_id", "status"),
        Index("ix_attendance_meeting_status_family", "meeting_id", "status", "family_id"),
        Index("ix_attendance_family_status_meeting", "family_id", "status", "meeting_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    family_id: int = Field(foreign_key="family.id")
    status: str = Field(max_length=8)  # AttendanceStatus
    attendee: str = Field(default=Attendee.PENGURUS, max_length=16)
    attendee_name: str = Field(default="", max_length=120)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)
    # The mark as first taken, kept when a supervisor accepts a correction (None: never corrected).
    corrected_from: str | None = Field(default=None, max_length=8)  # AttendanceStatus
    # The meeting's year (the partition key); app.check compares it with the meeting's date.
    year: int | None = Field(default=None, nullable=False, sa_column_kwargs={"default": meeting_year_default})


class AttendanceChange(SQLModel, table=True):
    """A roll-call change sent from a phone's offline queue, by the id the phone made: a resend is a no-op."""

    client_id: str = Field(primary_key=True, max_length=64)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    family_id: int = Field(foreign_key="family.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class MeetingPhoto(SQLModel, table=True):
    """A photo of a held meeting taken on the pendamping's phone: evidence for the supervisor."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    client_id: str | None = Field(default=None, max_length=64, unique=True)
    stored_name: str = Field(max_length=64)  # generated; never the uploader's file name
    content_type: str = Field(max_length=20)
    size: int
    taken_at: datetime | None = None
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Who changed what, when. On PostgreSQL the table is partitioned by year of `at` (app.partitions)."""

    __table_args__ = (Index("ix_auditlog_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    action: str = Field(max_length=40)
    before: str | None = Field(default=None, sa_type=Text)  # JSON
    after: str | None = Field(default=None, sa_type=Text)  # JSON


# --- Behaviour change and graduation (issue 3) ---


class RuleParameter(SQLModel, table=True):
    """A configurable threshold with the date it takes effect (old verdicts keep old rules)."""

    __table_args__ = (UniqueConstraint("key", "effective_from"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    value: str = Field(max_length=64)
    effective_from: date
    note: str = Field(default="", max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class PovertyLine(SQLModel, table=True):
    """Rupiah per capita per month; area_code NULL = national line of `kind` (urban/rural)."""

    __table_args__ = (UniqueConstraint("area_code", "kind", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    area_code: str | None = Field(default=None, foreign_key="area.code", max_length=13)
    kind: str = Field(default=PovertyLineKind.AREA, max_length=8)
    year: int
    amount: int
    source: str = Field(default="", max_length=200)


class Indicator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=48, unique=True)
    domain: str = Field(max_length=32, index=True)  # module code: PENGASUHAN, EKONOMI, ...
    label: str = Field(max_length=300)
    value_type: str = Field(default=IndicatorValueType.BOOL, max_length=8)
    target: float | None = None  # for numbers: met when value >= target
    position: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    kind: str = Field(max_length=16)  # AssessmentKind
    assessed_on: date
    observer_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default=AssessmentStatus.DRAF, max_length=8)
    module_id: int | None = Field(default=None, foreign_key="curriculummodule.id")
    household_size: int | None = None
    monthly_income: int | None = None
    monthly_spending: int | None = None
    income_sources: int | None = None
    has_savings: bool | None = None
    roof_ok: bool | None = None
    wall_ok: bool | None = None
    floor_ok: bool | None = None
    safe_water: bool | None = None
    healthy_latrine: bool | None = None
    desil: int | None = None
    # Kept by app.assessments.service.assessment_scores_refresh: indicators met and answered (the score's parts).
    score_met: int | None = None
    score_answered: int | None = None
    notes: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AssessmentValue(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    value_bool: bool | None = None
    value_num: float | None = None
    observed_on: date
    observer_id: int | None = Field(default=None, foreign_key="user.id")


class FamilyReadiness(SQLModel, table=True):
    """The latest readiness verdict of a family, recomputed when its data changes."""

    family_id: int = Field(primary_key=True, foreign_key="family.id")
    verdict: str = Field(max_length=24, index=True)  # ReadinessVerdict
    warnings: str = Field(default="", max_length=200)  # comma-separated ReadinessWarning codes
    details: str = Field(default="{}", sa_type=Text)  # JSON: every criterion with its figure
    computed_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """An uploaded file (e.g. the signed surat pernyataan), stored on disk by checksum."""

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    kind: str = Field(max_length=24)  # DocumentKind
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class GraduationProposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    route: str = Field(max_length=12)  # GraduationRoute
    # diusulkan → diverifikasi | dikembalikan → disetujui | ditunda | ditolak
    status: str = Field(max_length=16, index=True)  # ProposalStatus
    statement_document_id: int | None = Field(default=None, foreign_key="document.id")
    readiness_snapshot: str = Field(default="{}", sa_type=Text)
    proposed_by_id: int | None = Field(default=None, foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow)
    verified_by_id: int | None = Field(default=None, foreign_key="user.id")
    verified_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", sa_type=Text)
    monitor_until: date | None = None


class GraduationEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="graduationproposal.id", index=True)
    step: str = Field(max_length=16)  # ProposalStatus
    reason: str = Field(default="", sa_type=Text)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


# --- Supervision (issue 4) ---


class QualityReview(SQLModel, table=True):
    """A supervisor's checklist for a meeting they attended."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    supervisor_id: int = Field(foreign_key="user.id", index=True)
    checklist: str = Field(default="{}", sa_type=Text)  # JSON item -> 0..2
    score: int  # 0..100
    notes: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class MonthLock(SQLModel, table=True):
    """A kelompok's month verified by a supervisor; its attendance is then read-only."""

    __table_args__ = (UniqueConstraint("kelompok_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    kelompok_id: int = Field(foreign_key="kelompok.id", index=True)
    month: date  # first day of the month
    verified_by_id: int = Field(foreign_key="user.id")
    verified_at: datetime = Field(default_factory=utcnow)


class CorrectionRequest(SQLModel, table=True):
    __table_args__ = (Index("ix_correctionrequest_status_meeting", "status", "meeting_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    family_id: int = Field(foreign_key="family.id")
    requested_status: str = Field(max_length=8)  # AttendanceStatus
    # The mark when the correction was asked for (and, once accepted, the one it replaced); None: no mark.
    original_status: str | None = Field(default=None, max_length=8)  # AttendanceStatus
    reason: str = Field(sa_type=Text)
    status: str = Field(default=CorrectionStatus.MENUNGGU, max_length=12, index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    decision_note: str = Field(default="", sa_type=Text)


# --- Personal data access (issue 15) ---


class AccessLog(SQLModel, table=True):
    """Who viewed full identity numbers or took personal data out (export, print), and when."""

    __table_args__ = (Index("ix_accesslog_user_at", "user_id", "at"), Index("ix_accesslog_action_at", "action", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=24)
    entity: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=40)
    detail: str = Field(default="", max_length=300)


# --- Background jobs (issue 9) ---


class Job(SQLModel, table=True):
    """Heavy work queued by the web process and run by `python -m app.cli worker`, committed chunk by chunk:
    `checkpoint` is the last item done (for families: the last family id), so a killed job resumes after it."""

    __table_args__ = (
        Index("ix_job_status_kind", "status", "kind"),
        # At most one queued job per kind: a second rule change while one waits adds nothing.
        Index(
            "uq_job_queued_kind",
            "kind",
            unique=True,
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    params: str = Field(default="{}", sa_type=Text)  # JSON
    status: str = Field(default=JobStatus.QUEUED, max_length=12)
    progress_done: int = 0
    progress_total: int = 0
    checkpoint: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat: datetime | None = None
    error: str = Field(default="", sa_type=Text)


class ReadinessPending(SQLModel, table=True):
    """A family whose stored verdict waits for the worker (READINESS_REFRESH=worker): written in the commit of the
    roll-call marks that changed its facts, deleted by the worker once it has stored the verdict computed from
    them. `changes` counts the changes since it was queued, so a change made while the worker computed keeps the
    row (the worker deletes only the count it saw)."""

    __tablename__ = "readiness_pending"
    __table_args__ = (Index("ix_readiness_pending_queued_at", "queued_at"),)  # the worker takes the oldest first
    family_id: int = Field(primary_key=True)
    changes: int = 1
    queued_at: datetime = Field(default_factory=utcnow)


# --- Cases and referrals (issue 11) ---


class CaseFile(SQLModel, table=True):
    """A social worker's case on a family or one of its members; confidential ones are seen by few (app.access)."""

    __table_args__ = (
        Index("ix_casefile_worker_status", "worker_id", "status"),
        Index("ix_casefile_status_urgency", "status", "urgency"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    case_type: str = Field(max_length=24)  # CaseType
    urgency: str = Field(max_length=12)  # CaseUrgency
    description: str = Field(sa_type=Text)
    confidential: bool = False
    status: str = Field(default=CaseStatus.BARU, max_length=12)  # CaseStatus
    worker_id: int = Field(foreign_key="user.id")  # the assigned worker
    opened_on: date
    closed_on: date | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    form_token: str | None = Field(default=None, max_length=64, unique=True)


class CaseNote(SQLModel, table=True):
    """A dated follow-up note of a case (a status change writes one too)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", index=True)
    noted_on: date
    text: str = Field(sa_type=Text)
    status_to: str | None = Field(default=None, max_length=12)  # CaseStatus, when the note changed it
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    """A rujukan of a case to a service, and what came back."""

    __table_args__ = (Index("ix_referral_waiting", "outcome_on", "referred_on"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", index=True)
    service: str = Field(max_length=24)  # ReferralService
    service_name: str = Field(default="", max_length=120)  # e.g. "Puskesmas Melong"
    referred_on: date
    request: str = Field(sa_type=Text)  # what was asked
    outcome: str = Field(default="", sa_type=Text)
    outcome_on: date | None = None
    referred_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


# --- Notifications (issue 13) ---


class Notification(SQLModel, table=True):
    """A line telling a user what happened to their proposal or correction request; written in the same
    transaction as the decision it reports."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=24)  # NotificationKind
    subject: str = Field(default="", max_length=120)  # the family's head, as a person reads it
    note: str = Field(default="", sa_type=Text)  # the reviewer's reason
    proposal_id: int | None = Field(default=None, foreign_key="graduationproposal.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


# --- Complementary aid and aid applications (issue 11) ---


class AidProgramme(SQLModel, table=True):
    """A programme of the complementarity catalogue, in force from `effective_from` to `effective_until` (inclusive)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    target: str = Field(max_length=12)  # AidTarget
    gap: str | None = Field(default=None, max_length=12)  # AidGap that receiving it closes
    effective_from: date
    effective_until: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class AidReceipt(SQLModel, table=True):
    """A family (member_id NULL) or a member receives a programme since a date, from a source; ended when stopped."""

    __table_args__ = (
        Index("ix_aidreceipt_member_programme", "member_id", "programme_id", "ended_on"),
        # member_id second: the family's own receipts (member_id NULL) are found by family, not among all NULLs.
        Index("ix_aidreceipt_family_programme", "family_id", "member_id", "programme_id", "ended_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    programme_id: int = Field(foreign_key="aidprogramme.id", index=True)
    since: date
    source: str = Field(default="", max_length=120)
    ended_on: date | None = None
    end_note: str = Field(default="", max_length=300)
    # "<programme>:<family>:<member or 0>" while open, NULL once ended: one open receipt per holder and programme.
    open_key: str | None = Field(default=None, max_length=64, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    ended_by_id: int | None = Field(default=None, foreign_key="user.id")
    ended_at: datetime | None = None


class AidApplication(SQLModel, table=True):
    """A permohonan bantuan for a family or a member: diajukan → dikabulkan (adds the programme) | ditolak."""

    __table_args__ = (Index("ix_aidapplication_status_family", "status", "family_id"),)
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    programme_id: int = Field(foreign_key="aidprogramme.id")
    submitted_on: date
    note: str = Field(default="", sa_type=Text)
    status: str = Field(default=AidApplicationStatus.DIAJUKAN, max_length=12)
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    decided_on: date | None = None
    decision_note: str = Field(default="", sa_type=Text)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    receipt_id: int | None = Field(default=None, foreign_key="aidreceipt.id")
    # The filing form's one-time token: the same form sent twice files one application.
    form_token: str | None = Field(default=None, max_length=64, unique=True)


# --- Roster import (issue 10) ---


class RosterImport(SQLModel, table=True):
    """An uploaded roster file: who sent it, when, what its dry run found and what applying it changed."""

    __table_args__ = (Index("ix_rosterimport_area_created", "area_code", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    stored_name: str = Field(max_length=64)  # generated; the file waits under upload_dir/roster
    file_kind: str = Field(max_length=8)  # csv | xlsx
    size: int
    sha256: str = Field(max_length=64, index=True)
    status: str = Field(default=RosterImportStatus.ANTRE_UJI, max_length=16, index=True)
    created_by_id: int = Field(foreign_key="user.id", index=True)
    # The creator's area when it was made: who else may list it (an admin's may be empty).
    area_code: str | None = Field(default=None, max_length=13)
    created_at: datetime = Field(default_factory=utcnow)
    checked_at: datetime | None = None
    applied_by_id: int | None = Field(default=None, foreign_key="user.id")
    applied_at: datetime | None = None
    rows_total: int = 0
    rows_done: int = 0
    new_families: int = 0
    new_members: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    sheets: str = Field(default="", max_length=300)  # the sheets read, comma-separated
    error: str = Field(default="", sa_type=Text)


class RosterImportRefusal(SQLModel, table=True):
    """A row the dry run refused: its cells (in template order) and every problem, per column."""

    __table_args__ = (Index("ix_rosterimportrefusal_import_row", "import_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="rosterimport.id")
    position: int  # the order rows were read in, across sheets
    sheet: str = Field(default="", max_length=64)
    row_no: int
    cells: str = Field(default="[]", sa_type=Text)  # JSON list of the row's text in template column order
    problems: str = Field(default="[]", sa_type=Text)  # JSON list of [column label, message]
