"""The facts the readiness rules need, for many families at once: a fixed handful of aggregate queries."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, true
from sqlmodel import Session, col, select

from app.families.rules import MemberFacts
from app.graduation.rules import (
    EconomicProfile,
    FamilyFacts,
    LineUsed,
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
    AssessmentValue,
    Attendance,
    AttendanceStatus,
    CurriculumModule,
    Family,
    FamilyStatus,
    GraduationProposal,
    Indicator,
    Meeting,
    MeetingStatus,
    Member,
    PovertyLine,
    RuleParameter,
    Topic,
)

FINAL = "final"
APPROVED = "disetujui"


def rules_on(*, session: Session, day: date) -> RuleSet:
    """The thresholds in force on `day` (RuleParameter rows with the latest effective date up to it)."""
    rows = session.exec(select(RuleParameter.key, RuleParameter.value, RuleParameter.effective_from)).all()
    return rules_effective([ParameterValue(k, v, d) for k, v, d in rows], day=day)


def poverty_lines_load(*, session: Session) -> list[PovertyLineRef]:
    rows = session.exec(select(PovertyLine.area_code, PovertyLine.kind, PovertyLine.year, PovertyLine.amount,
                               PovertyLine.source)).all()
    return [PovertyLineRef(a, k, y, amt, src) for a, k, y, amt, src in rows]


def kabkota_names(*, session: Session) -> dict[str, str]:
    return dict(session.exec(select(Area.code, Area.name).where(Area.level == 2)).all())


def _only(column: Any,
          family_ids: Sequence[int] | None) -> ColumnElement[bool]:
    return true() if family_ids is None else col(column).in_(family_ids)


@dataclass
class FamilyRow:
    id: int
    village_code: str
    kelompok_id: int | None
    status: str
    enrolled_on: date
    exited_on: date | None
    desil: int | None


def families_load(*, session: Session, family_ids: Sequence[int] | None) -> list[FamilyRow]:
    rows = session.exec(
        select(Family.id, Family.village_code, Family.kelompok_id, Family.status, _iso(Family.enrolled_on),
               _iso(Family.exited_on), Family.desil).where(_only(Family.id, family_ids))
    ).all()
    return [FamilyRow(i or 0, v, k, s, _day(e) or date.min, _day(x), d) for i, v, k, s, e, x, d in rows]


def members_load(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, list[MemberFacts]]:
    """Members as plain facts; identical members share one (hashable) MemberFacts, so rules can memoise."""
    found: dict[int, list[MemberFacts]] = defaultdict(list)
    shared: dict[tuple[object, ...], MemberFacts] = {}
    # The birth date comes as ISO text: parsed by date.fromisoformat, far cheaper than the dialect's processor.
    rows = session.exec(
        select(Member.family_id, cast(Member.birth_date, String), Member.schooling, Member.pregnant,
               Member.severe_disability, Member.active).where(_only(Member.family_id, family_ids))
    ).all()
    for family_id, *values in rows:
        key = tuple(values)
        facts = shared.get(key)
        if facts is None:
            birth, schooling, pregnant, disability, active = values
            facts = shared[key] = MemberFacts(birth_date=date.fromisoformat(str(birth)[:10]), schooling=schooling,
                                              pregnant=bool(pregnant), severe_disability=bool(disability),
                                              active=bool(active))
        found[family_id].append(facts)
    return found


def _held() -> ColumnElement[bool]:
    return col(Meeting.status) == MeetingStatus.HELD


def _iso(column: Any) -> Any:
    """A date column read as ISO text: date.fromisoformat is far cheaper than the dialect's date processor."""
    return cast(column, String)


def _day(raw: object) -> date | None:
    return None if raw is None else date.fromisoformat(str(raw)[:10])


def core_topic_ids(*, session: Session) -> list[int]:
    return [i or 0 for i in session.exec(
        select(Topic.id).join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(col(Topic.core).is_(True), col(Topic.active).is_(True), col(CurriculumModule.core).is_(True),
               col(CurriculumModule.active).is_(True))
    ).all()]


@dataclass
class AttendanceFigures:
    core_done: int = 0
    window_hadir: int = 0
    window_marked: int = 0
    alpa_streak: int = 0


def attendance_figures(*, session: Session, family_ids: Sequence[int] | None, core_ids: list[int], since: date,
                       until: date) -> dict[int, AttendanceFigures]:
    """One pass over held-meeting marks: core sessions done (make-ups count), window share, last non-alpa day;
    then the alpa marks after that day make the current streak."""
    hadir = col(Attendance.status) == AttendanceStatus.HADIR
    in_window = and_(col(Meeting.date) >= since, col(Meeting.date) <= until)
    rows = session.exec(
        select(Attendance.family_id,
               func.sum(case((and_(in_window, hadir), 1), else_=0)), func.sum(case((in_window, 1), else_=0)),
               _iso(func.max(case((col(Attendance.status) != AttendanceStatus.ALPA, Meeting.date)))))
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(_held(), _only(Attendance.family_id, family_ids))
        .group_by(col(Attendance.family_id))
    ).all()
    figures: dict[int, AttendanceFigures] = {}
    last_ok: dict[int, date | None] = {}
    for family_id, window_hadir, window_marked, last in rows:
        figures[family_id] = AttendanceFigures(0, int(window_hadir or 0), int(window_marked or 0))
        last_ok[family_id] = _day(last)
    # Distinct (family, core session) pairs first: a plain hash aggregate, far cheaper than COUNT(DISTINCT) per group.
    done_pairs = (
        select(Attendance.family_id, Meeting.topic_id).join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(_held(), hadir, col(Meeting.topic_id).in_(core_ids), _only(Attendance.family_id, family_ids))
        .distinct().subquery()
    )
    for family_id, done in session.exec(
        select(done_pairs.c.family_id, func.count()).group_by(done_pairs.c.family_id)
    ).all():
        figures[family_id].core_done = int(done)
    alpa = session.exec(
        select(Attendance.family_id, _iso(Meeting.date)).join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(_held(), col(Attendance.status) == AttendanceStatus.ALPA, _only(Attendance.family_id, family_ids))
    ).all()
    for family_id, raw in alpa:
        ok = last_ok.get(family_id)
        if ok is None or date.fromisoformat(str(raw)[:10]) > ok:
            figures[family_id].alpa_streak += 1
    return figures


def last_held_by_kelompok(*, session: Session) -> dict[int, date]:
    rows = session.exec(
        select(Meeting.kelompok_id, _iso(func.max(Meeting.date))).where(_held()).group_by(col(Meeting.kelompok_id))
    ).all()
    return {k: d for k, raw in rows if (d := _day(raw)) is not None}


def indicator_met() -> ColumnElement[int]:
    """1 when a stored value meets its indicator: yes, or a number at or above the target."""
    return case(
        (col(AssessmentValue.value_bool).is_(True), 1),
        (and_(col(AssessmentValue.value_num).is_not(None), col(Indicator.target).is_not(None),
              col(AssessmentValue.value_num) >= Indicator.target), 1),
        else_=0,
    )


def indicator_answered() -> ColumnElement[int]:
    """1 when a value counts in a score; a stored row without a value means "not applicable"."""
    return case(
        (col(AssessmentValue.value_bool).is_not(None), 1),
        (and_(col(AssessmentValue.value_num).is_not(None), col(Indicator.target).is_not(None)), 1),
        else_=0,
    )


def _score_cases(session: Session) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """indicator_met / indicator_answered with the (few) numeric targets inlined, so the values scan needs no join."""
    targets = session.exec(select(Indicator.id, Indicator.target).where(Indicator.value_type == "number")).all()
    met_whens: list[tuple[ColumnElement[bool], int]] = [(col(AssessmentValue.value_bool).is_(True), 1)]
    answered_whens: list[tuple[ColumnElement[bool], int]] = [(col(AssessmentValue.value_bool).is_not(None), 1)]
    for indicator_id, target in targets:
        if target is None:
            continue
        is_it = col(AssessmentValue.indicator_id) == indicator_id
        met_whens.append((and_(is_it, col(AssessmentValue.value_num) >= target), 1))
        answered_whens.append((and_(is_it, col(AssessmentValue.value_num).is_not(None)), 1))
    return case(*met_whens, else_=0), case(*answered_whens, else_=0)


def final_scores(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, tuple[float | None, float | None]]:
    """(latest, baseline) overall score of each family's final assessments; baseline None without a follow-up."""
    met, answered = _score_cases(session)
    finals = select(Assessment.id).where(Assessment.status == FINAL, _only(Assessment.family_id, family_ids))
    per_assessment = (
        select(AssessmentValue.assessment_id, func.sum(met).label("met"), func.sum(answered).label("answered"))
        .where(col(AssessmentValue.assessment_id).in_(finals))
        .group_by(col(AssessmentValue.assessment_id))
        .subquery()
    )
    rows = session.exec(
        select(Assessment.family_id, Assessment.id, Assessment.kind, _iso(Assessment.assessed_on),
               per_assessment.c.met, per_assessment.c.answered)
        .join(per_assessment, per_assessment.c.assessment_id == Assessment.id)
    ).all()
    by_family: dict[int, list[tuple[date, int, str, float | None]]] = defaultdict(list)
    for family_id, assessment_id, kind, day, met_n, answered_n in rows:
        score = int(met_n or 0) / int(answered_n) if answered_n else None
        by_family[family_id].append((_day(day) or date.min, assessment_id or 0, kind, score))
    result: dict[int, tuple[float | None, float | None]] = {}
    for family_id, items in by_family.items():
        items.sort(key=lambda item: (item[0], item[1]))
        latest = items[-1]
        baseline = next((item for item in items if item[2] == "baseline"), items[0])
        result[family_id] = (latest[3], None if baseline is latest else baseline[3])
    return result


def latest_economy(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, EconomicProfile]:
    """The economic profile of each family's latest final assessment."""
    ranked = (
        select(Assessment, func.row_number().over(
            partition_by=col(Assessment.family_id),
            order_by=(col(Assessment.assessed_on).desc(), col(Assessment.id).desc())).label("rn"))
        .where(Assessment.status == FINAL, _only(Assessment.family_id, family_ids))
        .subquery()
    )
    c = ranked.c
    rows = session.exec(
        select(c.family_id, c.household_size, c.monthly_income, c.monthly_spending, c.income_sources, c.has_savings,
               c.roof_ok, c.wall_ok, c.floor_ok, c.safe_water, c.healthy_latrine, c.desil, _iso(c.assessed_on), c.kind)
        .where(c.rn == 1)
    ).all()
    return {row[0]: EconomicProfile(*row[1:12], assessed_on=_day(row[12]), kind=row[13]) for row in rows}


def monitor_until_by_family(*, session: Session, family_ids: Sequence[int] | None) -> dict[int, date]:
    rows = session.exec(
        select(GraduationProposal.family_id, func.max(GraduationProposal.monitor_until))
        .where(GraduationProposal.status == APPROVED, _only(GraduationProposal.family_id, family_ids))
        .group_by(col(GraduationProposal.family_id))
    ).all()
    return {f: d for f, d in rows if d is not None}


def facts_load(*, session: Session, family_ids: Sequence[int] | None, today: date,
               rules: RuleSet) -> dict[int, FamilyFacts]:
    """Facts for the given families (None = all), with no query per family."""
    families = families_load(session=session, family_ids=family_ids)
    if not families:
        return {}
    members = members_load(session=session, family_ids=family_ids)
    core_ids = core_topic_ids(session=session)
    marks = attendance_figures(session=session, family_ids=family_ids, core_ids=core_ids,
                               since=add_months(today, -rules.attendance_window_months), until=today)
    last_held = last_held_by_kelompok(session=session)
    scores = final_scores(session=session, family_ids=family_ids)
    economy = latest_economy(session=session, family_ids=family_ids)
    monitor = monitor_until_by_family(session=session, family_ids=family_ids)
    lines = poverty_lines_load(session=session)
    names = kabkota_names(session=session)
    line_cache: dict[str, LineUsed | None] = {}
    facts: dict[int, FamilyFacts] = {}
    for row in families:
        eco = economy.get(row.id, EconomicProfile())
        if eco.desil is None and row.desil is not None:
            eco = EconomicProfile(**{**eco.__dict__, "desil": row.desil})
        line_key = row.village_code
        if line_key not in line_cache:
            kabkota = ".".join(row.village_code.split(".")[:2])
            line_cache[line_key] = poverty_line_pick(lines, village_code=row.village_code,
                                                     kabkota_name=names.get(kabkota, kabkota), year=today.year)
        attended = marks.get(row.id, AttendanceFigures())
        latest, baseline = scores.get(row.id, (None, None))
        graduated = row.status in (FamilyStatus.GRADUASI_ALAMIAH, FamilyStatus.GRADUASI_MANDIRI)
        facts[row.id] = FamilyFacts(
            members=tuple(members.get(row.id, ())), enrolled_on=row.enrolled_on, core_done=attended.core_done,
            core_total=len(core_ids), marks_hadir=attended.window_hadir, marks_total=attended.window_marked,
            latest_score=latest, baseline_score=baseline, economy=eco, line=line_cache[line_key],
            alpa_streak=attended.alpa_streak,
            has_kelompok=row.kelompok_id is not None,
            last_held=last_held.get(row.kelompok_id) if row.kelompok_id is not None else None,
            graduated_on=row.exited_on if graduated else None, monitor_until=monitor.get(row.id),
        )
    return facts
