"""The facts the readiness rules need, for many families at once: a fixed handful of aggregate queries."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, true
from sqlmodel import Session, col, select

from app.db import rows_select
from app.graduation.rules import (
    EconomicProfile,
    FamilyFacts,
    LineUsed,
    MemberFacts,
    ParameterValue,
    PovertyLineRef,
    RuleSet,
    add_months,
    poverty_line_pick,
    rules_effective,
)
from app.models import (
    Area,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentValue,
    Attendance,
    AttendanceStatus,
    CurriculumModule,
    Family,
    FamilyStatus,
    GraduationProposal,
    Indicator,
    Kelompok,
    Meeting,
    MeetingStatus,
    Member,
    PovertyLine,
    ProposalStatus,
    RuleParameter,
    Topic,
)

FEW = 500


def rules_on(*, session: Session, day: date) -> RuleSet:
    """The thresholds in force on `day` (RuleParameter rows with the latest effective date up to it)."""
    rows = session.exec(rows_select(RuleParameter.key, RuleParameter.value, RuleParameter.effective_from)).all()
    return rules_effective([ParameterValue(k, v, d) for k, v, d in rows], day=day)


def poverty_lines_load(*, session: Session) -> list[PovertyLineRef]:
    rows = session.exec(
        rows_select(PovertyLine.area_code, PovertyLine.kind, PovertyLine.year, PovertyLine.amount, PovertyLine.source)
    ).all()
    return [PovertyLineRef(a, k, y, amt, src) for a, k, y, amt, src in rows]


def kabkota_names(*, session: Session) -> dict[str, str]:
    return dict(session.exec(select(Area.code, Area.name).where(Area.level == 2)).all())


def _only(column: Any, family_ids: Sequence[int] | None) -> ColumnElement[bool]:
    """Rows of the given families: all (None), an id range (BETWEEN, for workers), or a list."""
    if family_ids is None:
        return true()
    if isinstance(family_ids, range) and family_ids.step == 1:
        return col(column).between(family_ids.start, family_ids.stop - 1)
    return col(column).in_(family_ids)


@dataclass
class FamilyRow:
    id: int
    village_code: str
    kelompok_id: int | None
    status: str
    enrolled_on: date
    exited_on: date | None
    desil: int | None
    sessions_done: int
    alpa_streak: int


def families_load(*, session: Session, family_ids: Sequence[int] | None) -> list[FamilyRow]:
    rows = _fetch(
        session,
        rows_select(
            Family.id,
            Family.village_code,
            Family.kelompok_id,
            Family.status,
            _iso(Family.enrolled_on),
            _iso(Family.exited_on),
            Family.desil,
            Family.sessions_done,
            Family.alpa_streak,
        ).where(_only(Family.id, family_ids)),
    )
    return [
        FamilyRow(i or 0, v, k, s, _day(e) or date.min, _day(x), d, int(m or 0), int(a or 0))
        for i, v, k, s, e, x, d, m, a in rows
    ]


def members_load(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, list[MemberFacts]]:
    """Members as plain facts; identical members share one (hashable) MemberFacts, so rules can memoise."""
    found: dict[int, list[MemberFacts]] = defaultdict(list)
    shared: dict[tuple[object, ...], MemberFacts] = {}
    # The birth date comes as ISO text: parsed by date.fromisoformat, far cheaper than the dialect's processor.
    rows = _fetch(
        session,
        rows_select(
            Member.family_id,
            cast(Member.birth_date, String),
            Member.schooling,
            Member.pregnant,
            Member.severe_disability,
            Member.active,
        ).where(_only(Member.family_id, family_ids)),
    )
    for family_id, *values in rows:
        key = tuple(values)
        facts = shared.get(key)
        if facts is None:
            birth, schooling, pregnant, disability, active = values
            facts = shared[key] = MemberFacts(
                birth_date=date.fromisoformat(str(birth)[:10]),
                schooling=schooling,
                pregnant=bool(pregnant),
                severe_disability=bool(disability),
                active=bool(active),
            )
        found[family_id].append(facts)
    return found


def _fetch(session: Session, statement: Any) -> Any:
    """All rows of a Core select on the session's connection: no ORM row processing for 100,000s of rows."""
    return session.connection().execute(statement).all()


def _held() -> ColumnElement[bool]:
    return col(Meeting.status) == MeetingStatus.HELD


def _iso(column: Any) -> Any:
    """A date column read as ISO text: date.fromisoformat is far cheaper than the dialect's date processor."""
    return cast(column, String)


def _day(raw: object) -> date | None:
    return None if raw is None else date.fromisoformat(str(raw)[:10])


def core_topic_ids(*, session: Session) -> list[int]:
    return [
        i or 0
        for i in session.exec(
            select(Topic.id)
            .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
            .where(
                col(Topic.core).is_(True),
                col(Topic.active).is_(True),
                col(CurriculumModule.core).is_(True),
                col(CurriculumModule.active).is_(True),
            )
        ).all()
    ]


def attendance_window(
    *, session: Session, family_ids: Sequence[int] | None, since: date, until: date
) -> dict[int, tuple[int, int]]:
    """(hadir, marks) of each family at meetings held in the window: from the (meeting, status, family) index,
    meeting by meeting; completed sessions and the alpa streak are kept on the family itself."""
    in_window = (_held(), col(Meeting.date) >= since, col(Meeting.date) <= until)
    query = select(
        Attendance.family_id,
        func.sum(case((col(Attendance.status) == AttendanceStatus.HADIR, 1), else_=0)),
        func.count(),
    ).where(_only(Attendance.family_id, family_ids))
    if _few(family_ids):
        # A few families: their own marks, each joined to its meeting (not a list of every held meeting's id).
        query = query.join(Meeting, col(Meeting.id) == Attendance.meeting_id).where(*in_window)
    else:
        query = query.where(col(Attendance.meeting_id).in_(select(Meeting.id).where(*in_window)))
    rows = _fetch(session, query.group_by(col(Attendance.family_id)))
    return {family_id: (int(hadir or 0), int(marks)) for family_id, hadir, marks in rows}


def _few(ids: Sequence[int] | None) -> bool:
    """An explicit short list of ids (a page, a kelompok), as opposed to everything or a worker's id range."""
    return ids is not None and not isinstance(ids, range) and len(ids) <= FEW


def last_held_by_kelompok(*, session: Session, kelompok_ids: Sequence[int] | None = None) -> dict[int, date]:
    """The stored date of each kelompok's latest held meeting (every kelompok when ids are many or None)."""
    query = select(Kelompok.id, _iso(Kelompok.last_held_on)).where(col(Kelompok.last_held_on).is_not(None))
    if _few(kelompok_ids):
        query = query.where(col(Kelompok.id).in_(kelompok_ids or ()))
    return {k or 0: d for k, raw in session.exec(query).all() if (d := _day(raw)) is not None}


def indicator_met() -> ColumnElement[int]:
    """1 when a stored value meets its indicator: yes, or a number at or above the target."""
    return case(
        (col(AssessmentValue.value_bool).is_(True), 1),
        (
            and_(
                col(AssessmentValue.value_num).is_not(None),
                col(Indicator.target).is_not(None),
                col(AssessmentValue.value_num) >= Indicator.target,
            ),
            1,
        ),
        else_=0,
    )


def indicator_answered() -> ColumnElement[int]:
    """1 when a value counts in a score; a stored row without a value means "not applicable"."""
    return case(
        (col(AssessmentValue.value_bool).is_not(None), 1),
        (and_(col(AssessmentValue.value_num).is_not(None), col(Indicator.target).is_not(None)), 1),
        else_=0,
    )


# The profile's fields that are Assessment columns of the same name, in the profile's order (read positionally).
ECONOMY_FIELDS = tuple(f.name for f in fields(EconomicProfile) if f.name not in ("assessed_on", "kind"))


def final_assessments(
    *, session: Session, family_ids: Sequence[int] | None
) -> dict[int, tuple[float | None, float | None, EconomicProfile]]:
    """Per family, from its final assessments (one row each, the score counts stored on them): the latest
    score, the baseline score (None without a later one) and the economic profile of the latest."""
    rows = _fetch(
        session,
        rows_select(
            Assessment.family_id,
            _iso(Assessment.assessed_on),
            Assessment.id,
            Assessment.kind,
            Assessment.score_met,
            Assessment.score_answered,
            *(getattr(Assessment, f) for f in ECONOMY_FIELDS),
        )
        .where(Assessment.status == AssessmentStatus.FINAL, _only(Assessment.family_id, family_ids))
        .order_by(col(Assessment.family_id), col(Assessment.assessed_on), col(Assessment.id)),
    )
    result: dict[int, tuple[float | None, float | None, EconomicProfile]] = {}
    start = 0
    while start < len(rows):
        family_id = rows[start][0]
        end = start
        while end < len(rows) and rows[end][0] == family_id:
            end += 1
        items = rows[start:end]
        latest = items[-1]
        baseline = next((row for row in items if row[3] == AssessmentKind.BASELINE), items[0])
        economy = EconomicProfile(
            **dict(zip(ECONOMY_FIELDS, latest[6:], strict=True)), assessed_on=_day(latest[1]), kind=latest[3]
        )
        result[family_id] = (_score(latest), None if baseline is latest else _score(baseline), economy)
        start = end
    return result


def _score(row: Any) -> float | None:
    met, answered = row[4], row[5]
    return int(met or 0) / int(answered) if answered else None


def monitor_until_by_family(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, date]:
    rows = session.exec(
        select(GraduationProposal.family_id, func.max(GraduationProposal.monitor_until))
        .where(GraduationProposal.status == ProposalStatus.DISETUJUI, _only(GraduationProposal.family_id, family_ids))
        .group_by(col(GraduationProposal.family_id))
    ).all()
    return {f: d for f, d in rows if d is not None}


def facts_load(
    *, session: Session, family_ids: Sequence[int] | None, today: date, rules: RuleSet
) -> dict[int, FamilyFacts]:
    """Facts for the given families (None = all), with no query per family."""
    families = families_load(session=session, family_ids=family_ids)
    if not families:
        return {}
    members = members_load(session=session, family_ids=family_ids)
    core_ids = core_topic_ids(session=session)
    core_mask = sum(1 << i for i in core_ids)
    window = attendance_window(
        session=session, family_ids=family_ids, since=add_months(today, -rules.attendance_window_months), until=today
    )
    last_held = last_held_by_kelompok(
        session=session, kelompok_ids=sorted({r.kelompok_id for r in families if r.kelompok_id is not None})
    )
    assessed = final_assessments(session=session, family_ids=family_ids)
    monitor = monitor_until_by_family(session=session, family_ids=family_ids)
    lines = poverty_lines_load(session=session)
    names = kabkota_names(session=session)
    line_cache: dict[str, LineUsed | None] = {}
    facts: dict[int, FamilyFacts] = {}
    nothing = (None, None, EconomicProfile())
    for row in families:
        latest, baseline, eco = assessed.get(row.id, nothing)
        if eco.desil is None and row.desil is not None:
            eco = replace(eco, desil=row.desil)
        line_key = row.village_code
        if line_key not in line_cache:
            kabkota = ".".join(row.village_code.split(".")[:2])
            line_cache[line_key] = poverty_line_pick(
                lines, village_code=row.village_code, kabkota_name=names.get(kabkota, kabkota), year=today.year
            )
        hadir, marks = window.get(row.id, (0, 0))
        graduated = row.status in (FamilyStatus.GRADUASI_ALAMIAH, FamilyStatus.GRADUASI_MANDIRI)
        facts[row.id] = FamilyFacts(
            members=tuple(members.get(row.id, ())),
            enrolled_on=row.enrolled_on,
            core_done=(row.sessions_done & core_mask).bit_count(),
            core_total=len(core_ids),
            marks_hadir=hadir,
            marks_total=marks,
            latest_score=latest,
            baseline_score=baseline,
            economy=eco,
            line=line_cache[line_key],
            alpa_streak=row.alpa_streak,
            has_kelompok=row.kelompok_id is not None,
            last_held=last_held.get(row.kelompok_id) if row.kelompok_id is not None else None,
            graduated_on=row.exited_on if graduated else None,
            monitor_until=monitor.get(row.id),
        )
    return facts
