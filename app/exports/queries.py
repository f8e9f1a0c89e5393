"""Rows of the exports, read in batches (yield_per) so a whole kabupaten never sits in memory."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col

from app.curriculum.queries import TopicRef
from app.dashboard.queries import Dashboard
from app.db import rows_select
from app.i18n import gettext
from app.models import Area, Attendance, Family, FamilyStatus, Kelompok, Meeting, Topic, User

BATCH = 5000


def _batched(session: Session, query: Any) -> Iterator[Any]:
    yield from session.execute(query.execution_options(yield_per=BATCH))


def attendance_rows(*, session: Session, conditions: list[ColumnElement[bool]], month: date) -> Iterator[list[Any]]:
    """The absensi list: one row per KPM mark of the month's meetings, by kelompok, date and name."""
    end = (month + timedelta(days=32)).replace(day=1)
    query = (
        rows_select(
            Area.name,
            Kelompok.name,
            func.coalesce(User.full_name, ""),
            Meeting.date,
            Topic.no,
            Topic.title,
            Meeting.status,
            Family.programme_id,
            Family.head_name,
            Attendance.status,
            Attendance.attendee,
            Attendance.attendee_name,
        )
        .select_from(Meeting)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        # The year lets PostgreSQL read the month's partition only (app.partitions).
        .join(Attendance, (col(Attendance.meeting_id) == Meeting.id) & (col(Attendance.year) == month.year))
        .join(Family, col(Family.id) == Attendance.family_id)
        .where(*conditions, col(Meeting.date) >= month, col(Meeting.date) < end)
        .order_by(col(Area.name), col(Kelompok.name), col(Meeting.date), col(Family.head_name), col(Family.id))
    )
    for village, kelompok, pendamping, day, no, title, m_status, pid, name, status, attendee, who in _batched(
        session, query
    ):
        yield [village, kelompok, pendamping, day.isoformat(), no, title, m_status, pid, name, status, attendee, who]


def attendance_header() -> list[str]:
    return [
        gettext("Kelurahan"),
        gettext("Kelompok"),
        gettext("Pendamping"),
        gettext("Tanggal"),
        gettext("Sesi"),
        gettext("Judul sesi"),
        gettext("Status pertemuan"),
        gettext("ID PKH"),
        gettext("Nama KPM"),
        gettext("Kehadiran"),
        gettext("Yang hadir"),
        gettext("Nama yang hadir"),
    ]


def completion_rows(
    *, session: Session, conditions: list[ColumnElement[bool]], topics: list[TopicRef]
) -> Iterator[list[Any]]:
    """The completion matrix: one row per active KPM, 1/0 per core session, and the count."""
    query = (
        rows_select(Area.name, Kelompok.name, Family.programme_id, Family.head_name, Family.sessions_done)
        .select_from(Family)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .where(*conditions, Family.status == FamilyStatus.AKTIF)
        .order_by(col(Area.name), col(Kelompok.name), col(Family.head_name), col(Family.id))
    )
    for village, kelompok, pid, name, mask in _batched(session, query):
        bits = [int(mask) >> t.id & 1 for t in topics]
        yield [village, kelompok, pid, name, *bits, sum(bits)]


def completion_header(topics: list[TopicRef]) -> list[str]:
    return [
        gettext("Kelurahan"),
        gettext("Kelompok"),
        gettext("ID PKH"),
        gettext("Nama KPM"),
        *[f"{gettext('Sesi')} {t.no}" for t in topics],
        gettext("Jumlah sesi selesai"),
    ]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def dashboard_tables(board: Dashboard) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The dashboard's three tables as plain rows (percentages as numbers 0–100)."""
    common = [
        gettext("Kelompok"),
        gettext("KPM"),
        gettext("Direncanakan"),
        gettext("Terlaksana"),
        gettext("Kehadiran %"),
        gettext("Tanpa pertemuan ≥ 45 hari"),
        gettext("Penilaian kualitas"),
        gettext("Skor kualitas rata-rata"),
        gettext("Usulan graduasi"),
        gettext("Selesai 14 sesi %"),
    ]

    def figures(t: Any) -> list[Any]:
        quality = None if t.quality is None else round(t.quality, 1)
        return [
            t.kelompok,
            t.kpm,
            t.planned,
            t.held,
            _share(t.attendance_rate),
            t.overdue,
            t.reviews,
            quality,
            t.proposals,
            _share(t.completion(t.all_done)),
        ]

    return {
        "wilayah": (
            [gettext("Kode"), gettext("Wilayah / kelompok"), *common],
            [[c.key, c.name, *figures(c.tally)] for c in board.children],
        ),
        "pendamping": ([gettext("Pendamping"), *common], [[p.name, *figures(p.tally)] for p in board.pendamping]),
        "bulan": (
            [
                gettext("Bulan"),
                gettext("Direncanakan"),
                gettext("Terlaksana"),
                gettext("Dibatalkan"),
                gettext("Kehadiran %"),
            ],
            [[m.strftime("%Y-%m"), t.planned, t.held, t.cancelled, _share(t.attendance_rate)] for m, t in board.months],
        ),
    }
