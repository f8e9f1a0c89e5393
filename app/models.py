"""Every table of P2K2 Tracker, in one place (SQLModel)."""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, select, text
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


ACCESS_ACTIONS = tuple(AccessAction)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobKind(StrEnum):
    READINESS_RECOMPUTE = "readiness_recompute"


VOCABULARY: dict[str, object] = {
    "ATTENDANCE_CYCLE": ATTENDANCE_CYCLE,
    "PROPOSAL_DECISIONS": PROPOSAL_DECISIONS,
    "READINESS_VERDICTS": READINESS_VERDICTS,
    "ACCESS_ACTIONS": ACCESS_ACTIONS,
    "JOB_ACTIVE": JOB_ACTIVE,
} | {
    e.__name__: e
    for e in (
        Role,
        MeetingStatus,
        MeetingEventKind,
        AttendanceStatus,
        Attendee,
        FamilyStatus,
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
    desil: int | None = None
    # Kept by app.attendance.service.attendance_summaries_refresh from the marks of held meetings:
    # bit t set when the family was present at a held meeting of topic id t; alpa marks since its last other mark.
    sessions_done: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    alpa_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Bumped by every edit; an edit form sends the version it was made from (no lost updates).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    name: str = Field(max_length=120)
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
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The creating form's one-time token: the same form sent twice adds one member.
    form_token: str | None = Field(default=None, max_length=64, unique=True)


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
