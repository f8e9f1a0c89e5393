"""Load a deterministic, realistic demo of Kota Cimahi: staff, kelompok, KPM, a year or more of meetings and
attendance, home-visit assessments, and every family's graduation readiness.

Everything is drawn from one `random.Random(seed)` and dated from `today`, so a seed always gives the same
people, NIKs and history. Rows are built as plain dicts with their primary keys assigned here and written in
bulk (the driver's executemany on SQLite, COPY on PostgreSQL): about 8,000 families, 100,000 attendance marks
and 230,000 indicator answers load in seconds. The derived counts and the verdicts are then computed by the
services that keep them in the running app.

The builder is put together from one part per thing it generates: people (staff and members), families,
meetings, attendance and assessments; `bulk` writes the rows and `texts` holds the names and notes drawn from.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlmodel import Session, SQLModel, col, func, select

from app.areas.service import areas_load
from app.assessments.service import assessment_scores_refresh
from app.attendance.service import attendance_summaries_refresh
from app.auth.security import password_hash
from app.clock import today_local
from app.curriculum.queries import TopicRef, topics_active
from app.curriculum.service import curriculum_load
from app.demo.assessments import AssessmentBuilder
from app.demo.attendance import AttendanceBuilder
from app.demo.base import IndicatorRef, Village, moment, month_shift, slot_date
from app.demo.bulk import TABLES, max_id, rows_copy, rows_insert, sequences_reset, table_of
from app.demo.families import RISING, STRUGGLING, THRIVING, FamilyBuilder, Household
from app.demo.meetings import Held, MeetingBuilder
from app.demo.texts import FLOWERS, MOSQUES
from app.graduation.service import readiness_recompute_all
from app.meetings.service import kelompok_last_held_refresh
from app.models import Area, Attendance, Family, Indicator, IndicatorValueType, Kelompok, Meeting, Member, Role, User
from app.partitions import partitions_ensure

CIMAHI = "32.77"
CIMAHI_SELATAN = "32.77.01"
# A quarter of the kelompok began the curriculum long enough ago to have held every core session.
MATURE_SHARE = 0.25


@dataclass(frozen=True)
class DemoSummary:
    users: int
    kelompok: int
    families: int
    members: int
    meetings: int
    attendance: int
    logins: list[tuple[str, str]]


def demo_load(
    *,
    session: Session,
    password: str,
    seed: int = 2026,
    today: date | None = None,
    pendamping_count: int = 40,
) -> DemoSummary:
    """Load the Kota Cimahi demo once; when a user `admin` already exists, only summarise what is there."""
    if session.exec(select(User.id).where(User.username == "admin")).first() is not None:
        return demo_summary(session=session)
    if session.get(Area, CIMAHI) is None:
        areas_load(session=session, province_codes={CIMAHI.split(".")[0]})
    builder = _DemoBuilder(
        rng=random.Random(seed),
        today=today or today_local(),
        password_hash=password_hash(password),  # hashed once: argon2 is slow by design
        next_ids={model: max_id(session=session, model=model) + 1 for model in TABLES},
        topics=_core_topics(session=session),
        indicators=_indicators(session=session),
    )
    builder.build(villages=_cimahi_villages(session=session), pendamping_count=pendamping_count)
    postgresql = session.get_bind().dialect.name == "postgresql"
    # The marks go back more than a year: give each year its partition before the load, not the default one.
    partitions_ensure(connection=session.connection(), years={row["year"] for row in builder.rows[Attendance]})
    for model in TABLES:
        if postgresql:
            rows_copy(session=session, table=table_of(model), rows=builder.rows[model])
        else:
            rows_insert(session=session, table=table_of(model), rows=builder.rows[model])
    if postgresql:
        sequences_reset(session=session)
    # The counts the services keep beside marks and answers, for every row at once.
    attendance_summaries_refresh(session=session)
    assessment_scores_refresh(session=session)
    kelompok_last_held_refresh(session=session, kelompok_ids=None)
    kelompok_last_held_refresh(session=session, kelompok_ids=None)
    session.commit()
    readiness_recompute_all(session=session, today=builder.today)
    return demo_summary(session=session)


def demo_summary(*, session: Session) -> DemoSummary:
    """Count what the database holds and list its logins (username, role)."""

    def count(model: type[SQLModel]) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    logins = session.exec(select(User.username, User.role).order_by(col(User.id))).all()
    return DemoSummary(
        users=count(User),
        kelompok=count(Kelompok),
        families=count(Family),
        members=count(Member),
        meetings=count(Meeting),
        attendance=count(Attendance),
        logins=[(username, role) for username, role in logins],
    )


# --- What the demo needs before it starts ---


def _cimahi_villages(*, session: Session) -> list[Village]:
    kecamatan = select(Area.code).where(Area.parent_code == CIMAHI)
    areas = session.exec(
        select(Area).where(col(Area.parent_code).in_(kecamatan), Area.level == 4).order_by(col(Area.code))
    ).all()
    if not areas:
        raise LookupError("Kota Cimahi (32.77) has no kelurahan in the area table")
    return [Village(code=area.code, name=area.name) for area in areas]


def _core_topics(*, session: Session) -> list[TopicRef]:
    topics = topics_active(session=session, core_only=True)
    if not topics:
        curriculum_load(session=session)
        topics = topics_active(session=session, core_only=True)
    return topics


def _indicators(*, session: Session) -> list[IndicatorRef]:
    """The active indicator catalogue (seeded by migration 0002); an empty one means no assessments."""
    rows = session.exec(
        select(Indicator).where(col(Indicator.active).is_(True)).order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    return [
        IndicatorRef(
            id=row.id or 0,
            code=row.code,
            domain=row.domain,
            target=row.target if row.value_type == IndicatorValueType.NUMBER else None,
        )
        for row in rows
    ]


class _DemoBuilder(FamilyBuilder, MeetingBuilder, AttendanceBuilder, AssessmentBuilder):
    """Draws the whole demo into `rows` (one list of dicts per table), ids included."""

    def build(self, *, villages: list[Village], pendamping_count: int) -> None:
        created = moment(self.today - timedelta(days=420), 2)
        staff = (
            ("admin", Role.ADMIN, CIMAHI),
            ("supervisor", Role.SUPERVISOR, CIMAHI),
            ("supervisor_selatan", Role.SUPERVISOR, CIMAHI_SELATAN),
            ("peninjau", Role.PENINJAU, CIMAHI),
        )
        for username, role, area in staff:
            self._user(username=username, role=role, area_code=area, created=created)
        # Pendamping spread over the kelurahan in turn, each with 180–230 KPM.
        plans = [
            (villages[i % len(villages)], self._group_sizes(self.rng.randint(180, 230)))
            for i in range(pendamping_count)
        ]
        family_total = sum(sum(sizes) for _, sizes in plans)
        # About ten families in the full demo have no component left: candidates for graduasi alamiah.
        alamiah = set(self.rng.sample(range(family_total), min(family_total, max(1, round(pendamping_count / 4)))))
        family_index = 0
        for number, (village, sizes) in enumerate(plans, start=1):
            pendamping_id = self._user(
                username=f"pendamping{number:02d}", role=Role.PENDAMPING, area_code=village.code, created=created
            )
            family_index = self._pendamping_load(
                pendamping_id=pendamping_id,
                village=village,
                sizes=sizes,
                alamiah=alamiah,
                family_index=family_index,
            )

    def _group_sizes(self, total: int) -> list[int]:
        """Split a caseload into kelompok of 15–30 KPM, about 22 each."""
        count = max(math.ceil(total / 30), min(total // 15, round(total / self.rng.uniform(20, 25))))
        base, extra = divmod(total, count)
        sizes = [base + (1 if i < extra else 0) for i in range(count)]
        for _ in range(count * 2):
            source, target, shift = self.rng.randrange(count), self.rng.randrange(count), self.rng.randint(1, 4)
            if source != target and sizes[source] - shift >= 15 and sizes[target] + shift <= 30:
                sizes[source] -= shift
                sizes[target] += shift
        return sizes

    def _pendamping_load(
        self, *, pendamping_id: int, village: Village, sizes: list[int], alamiah: set[int], family_index: int
    ) -> int:
        # Each kelompok meets on its own (week of month, weekday): a pendamping's meetings never share a day.
        slots = self.rng.sample([(week, weekday) for week in range(4) for weekday in range(5)], len(sizes))
        held: list[Held] = []
        misses: list[tuple[int, Held]] = []
        futures: list[tuple[int, str, time, int, date]] = []
        for size, (week, weekday) in zip(sizes, slots, strict=True):
            mature = self.rng.random() < MATURE_SHARE
            # Months of meetings on record: a mature kelompok held all core sessions (and has begun again).
            months = len(self.topics) + self.rng.randint(2, 5) if mature else 12
            kelompok_id, place, rw = self._kelompok(pendamping_id=pendamping_id, village=village, months=months)
            families: list[Household] = []
            for _ in range(size):
                # Families in a kelompok that went through the whole curriculum have more often come far.
                outlook = self.rng.choices(
                    (THRIVING, RISING, STRUGGLING), weights=(8, 50, 42) if mature else (3, 47, 50)
                )
                families.append(
                    self._family(
                        kelompok_id=kelompok_id,
                        village=village,
                        rw=rw,
                        alamiah=family_index in alamiah,
                        months=months,
                        outlook=outlook[0],
                    )
                )
                family_index += 1
            start = time(self.rng.choice((9, 13)))
            meetings, next_topic = self._history(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                place=place,
                start=start,
                slot=(week, weekday),
                months=months,
                mature=mature,
            )
            held.extend(meetings)
            misses.extend(self._attendance(pendamping_id=pendamping_id, meetings=meetings, families=families))
            self._assessments(observer_id=pendamping_id, households=families, meetings=meetings, mature=mature)
            natural = next(
                day
                for ahead in range(3)
                if (day := slot_date(month_shift(self.today.replace(day=1), ahead), week, weekday)) > self.today
            )
            if next_topic is not None and self.rng.random() < 0.92:
                futures.append((kelompok_id, place, start, next_topic, natural))
        self._upcoming(pendamping_id=pendamping_id, futures=futures)
        self._makeups(pendamping_id=pendamping_id, held=held, misses=misses)
        return family_index

    def _kelompok(self, *, pendamping_id: int, village: Village, months: int) -> tuple[int, str, int]:
        kelompok_id = self._id(Kelompok)
        rw = self.rng.randint(1, 16)
        self.kelompok_per_village[village.code] += 1
        numbered = self.kelompok_per_village[village.code]
        if self.rng.random() < 0.3:
            name = f"Kelompok {self.rng.choice(FLOWERS)} RW {rw:02d}"
        else:
            name = f"Kelompok {village.name} {numbered:02d}"
        place = self.rng.choice(
            (
                f"Aula Kelurahan {village.name}",
                f"Rumah Ibu Ketua RW {rw:02d}",
                f"Posyandu {self.rng.choice(FLOWERS)} RW {rw:02d}",
                f"Balai Warga RW {rw:02d}",
                f"{self.rng.choice(MOSQUES)} RW {rw:02d}",
            )
        )
        self.rows[Kelompok].append(
            {
                "id": kelompok_id,
                "name": name,
                "village_code": village.code,
                "pendamping_id": pendamping_id,
                "default_place": place,
                "active": True,
                "created_at": moment(
                    self.today - timedelta(days=self.rng.randint(max(400, 31 * months + 30), 1500)), 2
                ),
            }
        )
        return kelompok_id, place, rw
