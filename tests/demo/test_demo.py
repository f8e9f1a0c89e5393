"""The Kota Cimahi demo, at 3 pendamping instead of 40, in fresh migrated SQLite files."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alembic import command
from app.curriculum.queries import topics_active
from app.db import engine_create
from app.demo.generator import DemoSummary, demo_load
from app.graduation.queries import readiness_evaluate_many
from app.identity.rules import nik_parse
from app.models import (
    ATTENDANCE_CYCLE,
    READINESS_VERDICTS,
    Assessment,
    AssessmentValue,
    Attendance,
    AttendanceStatus,
    Family,
    FamilyReadiness,
    Indicator,
    Kelompok,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Member,
    User,
)
from app.settings import ROOT

TODAY = date(2026, 11, 23)
PENDAMPING = 3


@dataclass
class Demo:
    engine: Engine
    summary: DemoSummary


def migrated_engine(path: Path) -> Engine:
    url = f"sqlite:///{path}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")
    return engine_create(url)


def demo_build(path: Path, *, seed: int = 2026) -> Demo:
    engine = migrated_engine(path)
    with Session(engine) as session:
        summary = demo_load(session=session, password="p2k2demo", seed=seed, today=TODAY, pendamping_count=PENDAMPING)
    return Demo(engine=engine, summary=summary)


def people(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Family.programme_id, Member.name, Member.nik)
            .join(Family, col(Family.id) == col(Member.family_id))
            .order_by(col(Member.id))
        ).all()
    return [(programme_id, name, nik) for programme_id, name, nik in rows]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    built = demo_build(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield built
    built.engine.dispose()


@pytest.fixture
def db(demo: Demo) -> Iterator[Session]:
    with Session(demo.engine) as session:
        yield session


def test_summary_counts_and_logins(demo: Demo, db: Session) -> None:
    summary = demo.summary
    assert summary.users == 4 + PENDAMPING
    assert summary.logins == [
        ("admin", "admin"),
        ("supervisor", "supervisor"),
        ("supervisor_selatan", "supervisor"),
        ("peninjau", "peninjau"),
        *[(f"pendamping{n:02d}", "pendamping") for n in range(1, PENDAMPING + 1)],
    ]
    assert 180 * PENDAMPING <= summary.families <= 230 * PENDAMPING
    assert 3 * summary.families <= summary.members <= 6 * summary.families
    assert summary.attendance > 8 * summary.families
    assert db.exec(select(User.area_code).where(User.username == "supervisor_selatan")).one() == "32.77.01"
    hashes = set(db.exec(select(User.password_hash)).all())
    assert len(hashes) == 1 and next(iter(hashes)).startswith("$argon2")


def test_same_seed_same_people_other_seed_other_people(demo: Demo, tmp_path: Path) -> None:
    again = demo_build(tmp_path / "again.sqlite3")
    other = demo_build(tmp_path / "other.sqlite3", seed=7)
    try:
        assert again.summary == demo.summary
        assert people(again.engine) == people(demo.engine)
        assert people(other.engine) != people(demo.engine)
    finally:
        again.engine.dispose()
        other.engine.dispose()


def test_second_load_does_nothing(demo: Demo, db: Session) -> None:
    assert demo_load(session=db, password="other", today=TODAY + timedelta(days=30)) == demo.summary


def test_kelompok_and_family_shape(db: Session) -> None:
    sizes = db.exec(select(func.count()).select_from(Family).group_by(col(Family.kelompok_id))).all()
    assert min(sizes) >= 15 and max(sizes) <= 30
    member_counts = db.exec(select(func.count()).select_from(Member).group_by(col(Member.family_id))).all()
    assert min(member_counts) >= 3 and max(member_counts) <= 6
    pengurus = db.exec(select(func.count()).select_from(Member).where(col(Member.is_pengurus).is_(True))).one()
    assert pengurus == len(member_counts)
    village_codes = set(db.exec(select(Kelompok.village_code)).all())
    assert all(code.startswith("32.77.0") and len(code) == 13 for code in village_codes)
    kk_numbers = db.exec(select(Family.kk_number, Family.village_code)).all()
    assert all(len(kk) == 16 and kk.isdigit() and kk[:6] == village[:8].replace(".", "") for kk, village in kk_numbers)


def test_niks_encode_birth_date_sex_and_kecamatan(db: Session) -> None:
    rows = db.exec(select(Member, Family.village_code).join(Family, col(Family.id) == col(Member.family_id))).all()
    niks = [member.nik for member, _ in rows if member.nik is not None]
    assert len(niks) == len(set(niks))
    assert 0 < len(rows) - len(niks) < len(rows) * 0.05
    for member, village in rows:
        if member.nik is not None:
            parts = nik_parse(member.nik, today=TODAY)
            assert parts is not None
            assert (parts.area_code, parts.birth_date, parts.sex) == (village[:8], member.birth_date, member.sex)


def test_meetings_of_a_pendamping_never_overlap(db: Session) -> None:
    rows = db.exec(select(Meeting, Kelompok.pendamping_id).join(Kelompok, col(Kelompok.id) == col(Meeting.kelompok_id)))
    by_day: dict[tuple[int | None, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for meeting, pendamping_id in rows.all():
        assert meeting.date.weekday() < 5
        begin = datetime.combine(meeting.date, meeting.start_time)
        by_day[(pendamping_id, meeting.date)].append((begin, begin + timedelta(minutes=meeting.duration_minutes)))
    assert by_day
    for spans in by_day.values():
        spans.sort()
        assert all(end <= next_begin for (_, end), (next_begin, _) in zip(spans, spans[1:], strict=False))


def test_history_and_schedule(db: Session) -> None:
    meetings = db.exec(select(Meeting)).all()
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    scheduled = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
    assert all(TODAY - timedelta(days=620) < m.date < TODAY for m in held)
    # A year of meetings for most kelompok; up to 19 months for those far enough along to finish the curriculum.
    core = {topic.id for topic in topics_active(session=db, core_only=True)}
    held_topics: dict[int, set[int]] = defaultdict(set)
    for m in held:
        held_topics[m.kelompok_id].add(m.topic_id)
    older = {m.kelompok_id for m in held if m.date <= TODAY - timedelta(days=400)}
    assert older and all(held_topics[k] < core for k in held_topics.keys() - older)
    assert any(held_topics[k] == core for k in older)
    assert all(TODAY < m.date <= TODAY + timedelta(days=21) for m in scheduled)
    assert len({m.kelompok_id for m in scheduled}) == len(scheduled)
    kelompok_count = len(db.exec(select(Kelompok.id)).all())
    assert kelompok_count * 0.7 < len(scheduled) <= kelompok_count
    assert any(m.status == MeetingStatus.CANCELLED for m in meetings)

    events = db.exec(select(MeetingEvent.meeting_id, MeetingEvent.kind, MeetingEvent.reason)).all()
    kinds: dict[int, set[str]] = defaultdict(set)
    for meeting_id, kind, reason in events:
        kinds[meeting_id].add(kind)
        assert reason or kind != MeetingStatus.CANCELLED
    for meeting in meetings:
        assert kinds[meeting.id or 0] == {MeetingStatus.SCHEDULED} | {meeting.status}


def test_every_held_meeting_records_every_active_family(db: Session) -> None:
    families: dict[int | None, set[int]] = defaultdict(set)
    for family_id, kelompok_id in db.exec(select(Family.id, Family.kelompok_id).where(Family.status == "aktif")).all():
        families[kelompok_id].add(family_id or 0)
    recorded: dict[int, set[int]] = defaultdict(set)
    for meeting_id, family_id in db.exec(select(Attendance.meeting_id, Attendance.family_id)).all():
        recorded[meeting_id].add(family_id)
    held = db.exec(select(Meeting.id, Meeting.kelompok_id).where(Meeting.status == MeetingStatus.HELD)).all()
    assert held
    for held_id, kelompok_id in held:
        assert families[kelompok_id] <= recorded[held_id or 0]
    not_held = db.exec(select(Meeting.id).where(Meeting.status != MeetingStatus.HELD)).all()
    assert not set(not_held) & recorded.keys()


def test_attendance_mix_and_makeups(db: Session) -> None:
    statuses = dict(db.exec(select(Attendance.status, func.count()).group_by(col(Attendance.status))).all())
    total = sum(statuses.values())
    assert 0.80 < statuses[AttendanceStatus.HADIR] / total < 0.90
    assert all(statuses[status] > 0 for status in ATTENDANCE_CYCLE)
    others = db.exec(select(Attendance.attendee_name).where(Attendance.attendee == "anggota_lain")).all()
    assert others and all(others)
    recorded_at = db.exec(select(Attendance.recorded_at)).first()
    assert recorded_at is not None and recorded_at.utcoffset() == timedelta(0)
    makeups = db.exec(
        select(Attendance.status, Family.kelompok_id, Meeting.kelompok_id)
        .join(Family, col(Family.id) == col(Attendance.family_id))
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(col(Family.kelompok_id) != col(Meeting.kelompok_id))
    ).all()
    assert makeups and {status for status, *_ in makeups} == {AttendanceStatus.HADIR}


def test_postgresql_sequences_follow_the_demo_ids(session: Session) -> None:
    """In the shared test database (TEST_DATABASE_URL), where the fixture's savepoint undoes the demo's commit."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("explicit ids only leave sequences behind on PostgreSQL")
    summary = demo_load(session=session, password="p2k2demo", today=TODAY, pendamping_count=1)
    assert ("pendamping01", "pendamping") in summary.logins
    extra = User(username="after_demo", full_name="Setelah Demo", password_hash="x", role="peninjau")
    session.add(extra)
    session.flush()
    demo_ids = session.exec(select(col(User.id)).where(User.username != "after_demo")).all()
    assert extra.id is not None and extra.id > max(user_id or 0 for user_id in demo_ids)


def test_assessments_follow_the_families(db: Session) -> None:
    families = {f.id: f for f in db.exec(select(Family)).all()}
    pendamping = dict(
        db.exec(
            select(Family.id, Kelompok.pendamping_id).join(Kelompok, col(Kelompok.id) == col(Family.kelompok_id))
        ).all()
    )
    assessments = db.exec(select(Assessment)).all()
    finals = [a for a in assessments if a.status == "final"]
    kinds: dict[str, int] = defaultdict(int)
    for a in finals:
        kinds[a.kind] += 1
    assert 0.8 * len(families) < kinds["baseline"] <= len(families)
    assert kinds["lanjutan"] > kinds["baseline"] * 0.5 and 0 < kinds["graduasi"] < kinds["baseline"] * 0.1
    assert 0 < sum(1 for a in assessments if a.status == "draf") < len(families) * 0.1
    for a in assessments:
        assert a.observer_id == pendamping[a.family_id] and a.assessed_on < TODAY
        assert a.assessed_on > families[a.family_id].enrolled_on
        assert (a.module_id is not None) == (a.kind == "lanjutan")
    for a in finals:
        assert a.household_size and a.monthly_income and a.monthly_spending and a.income_sources
        assert None not in (a.has_savings, a.roof_ok, a.wall_ok, a.floor_ok, a.safe_water, a.healthy_latrine)
        assert a.score_answered is not None and 0 <= (a.score_met or 0) <= a.score_answered
    baselines = [a.assessed_on for a in finals if a.kind == "baseline"]
    assert (
        sum(TODAY - timedelta(days=731) <= day <= TODAY - timedelta(days=540) for day in baselines) > len(baselines) / 2
    )

    indicators = {i.id: i for i in db.exec(select(Indicator)).all()}
    modules = dict(db.exec(select(Assessment.id, Assessment.module_id)).all())
    module_codes = {t.module_id: t.module_code for t in topics_active(session=db, core_only=True)}
    by_id = {a.id: a for a in assessments}
    values = db.exec(select(AssessmentValue)).all()
    asked: dict[int, int] = defaultdict(int)
    for v in values:
        a = by_id[v.assessment_id]
        asked[v.assessment_id] += 1
        assert (v.observed_on, v.observer_id) == (a.assessed_on, a.observer_id)
        if modules[v.assessment_id] is not None:
            assert indicators[v.indicator_id].domain == module_codes[modules[v.assessment_id] or 0]
        if indicators[v.indicator_id].value_type == "number":
            assert v.value_bool is None
        else:
            assert v.value_num is None
    # A final baseline or graduation assessment answers every indicator, some as not applicable (no value).
    whole = [a for a in finals if a.kind != "lanjutan"]
    assert all(asked[a.id or 0] == len(indicators) for a in whole)
    assert any(v.value_bool is None and v.value_num is None for v in values)


def test_verdicts_stored_and_mixed(db: Session) -> None:
    stored = dict(db.exec(select(FamilyReadiness.family_id, FamilyReadiness.verdict)).all())
    assert len(stored) == db.exec(select(func.count()).select_from(Family)).one()
    counts = {verdict: sum(1 for v in stored.values() if v == verdict) for verdict in READINESS_VERDICTS}
    # Some ready by each route, several almost ready, most not yet.
    assert all(counts.values()), counts
    assert counts["mandiri"] < counts["hampir"] < counts["belum"] and counts["belum"] > 0.9 * len(stored)
    fresh = readiness_evaluate_many(session=db, family_ids=None, today=TODAY)
    assert {family_id: verdict.verdict for family_id, verdict in fresh.items()} == stored


def test_derived_columns_match_a_recount(db: Session) -> None:
    from app.check import derived_check

    assert [(d.column, d.count, d.first) for d in derived_check(session=db) if d.count] == []
