"""Every table of P2K2 Tracker, in one place (SQLModel)."""

from datetime import UTC, date, datetime, time

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- Roles, statuses and other closed vocabularies (stored as short strings) ---


class Role:
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    PENINJAU = "peninjau"
    PENDAMPING = "pendamping"
    ALL = (ADMIN, SUPERVISOR, PENINJAU, PENDAMPING)


class MeetingStatus:
    SCHEDULED = "dijadwalkan"
    HELD = "terlaksana"
    CANCELLED = "dibatalkan"


class AttendanceStatus:
    HADIR = "hadir"
    IZIN = "izin"
    SAKIT = "sakit"
    ALPA = "alpa"
    CYCLE = (HADIR, IZIN, SAKIT, ALPA)


class FamilyStatus:
    AKTIF = "aktif"
    GRADUASI_ALAMIAH = "graduasi_alamiah"
    GRADUASI_MANDIRI = "graduasi_mandiri"
    KELUAR = "keluar"


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
    role: str = Field(max_length=20, index=True)
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


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    name: str = Field(max_length=120)
    nik: str | None = Field(default=None, max_length=16, index=True)
    birth_date: date
    sex: str = Field(max_length=1)  # L / P
    relationship: str = Field(max_length=24)  # kepala, istri, suami, anak, orang_tua, lainnya
    is_pengurus: bool = False
    # belum, paud, sd, smp, sma, lulus (finished 12 years), tidak (out of school)
    schooling: str = Field(default="belum", max_length=12)
    pregnant: bool = False
    severe_disability: bool = False
    has_birth_certificate: bool | None = None
    active: bool = True


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


class MeetingEvent(SQLModel, table=True):
    """History of a meeting as users see it: scheduled, moved, cancelled, held."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=20)
    detail: str = Field(default="", max_length=300)
    reason: str = Field(default="", sa_type=Text)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class Attendance(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id"),
        Index("ix_attendance_family_status", "family_id", "status"),
        Index("ix_attendance_meeting_status_family", "meeting_id", "status", "family_id"),
        Index("ix_attendance_family_status_meeting", "family_id", "status", "meeting_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    family_id: int = Field(foreign_key="family.id")
    status: str = Field(max_length=8)
    attendee: str = Field(default="pengurus", max_length=16)  # pengurus / anggota_lain
    attendee_name: str = Field(default="", max_length=120)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


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
    kind: str = Field(default="area", max_length=8)  # area / urban / rural
    year: int
    amount: int
    source: str = Field(default="", max_length=200)


class Indicator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=48, unique=True)
    domain: str = Field(max_length=32, index=True)  # module code: PENGASUHAN, EKONOMI, ...
    label: str = Field(max_length=300)
    value_type: str = Field(default="bool", max_length=8)  # bool / number
    target: float | None = None  # for numbers: met when value >= target
    position: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    kind: str = Field(max_length=16)  # baseline / lanjutan / graduasi / pemantauan
    assessed_on: date
    observer_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="draf", max_length=8)  # draf / final
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
    verdict: str = Field(max_length=24, index=True)  # alamiah / mandiri / hampir / belum
    warnings: str = Field(default="", max_length=200)  # comma-separated warning codes
    details: str = Field(default="{}", sa_type=Text)  # JSON: every criterion with its figure
    computed_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """An uploaded file (e.g. the signed surat pernyataan), stored on disk by checksum."""

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    kind: str = Field(max_length=24)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class GraduationProposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    route: str = Field(max_length=12)  # alamiah / mandiri
    # diusulkan → diverifikasi | dikembalikan → disetujui | ditunda | ditolak
    status: str = Field(max_length=16, index=True)
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
    step: str = Field(max_length=16)
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
    requested_status: str = Field(max_length=8)
    reason: str = Field(sa_type=Text)
    status: str = Field(default="menunggu", max_length=12, index=True)  # menunggu / diterima / ditolak
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    decision_note: str = Field(default="", sa_type=Text)
