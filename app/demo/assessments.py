"""Home visits: assessments with their economic profile and an answer per indicator."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from app.curriculum.queries import TopicRef
from app.demo.base import DemoState, IndicatorRef, moment
from app.demo.bulk import Row
from app.demo.families import THRIVING, Household
from app.demo.meetings import Held
from app.demo.texts import DRAFT_NOTES, GRADUATION_NOTES
from app.graduation.rules import age_on
from app.models import Assessment, AssessmentKind, AssessmentStatus, AssessmentValue, Relationship

# Each welfare sign's chance at baseline, beside the outlook's: most roofs in Cimahi are tiled, savings are rare.
SIGN_BONUS = {
    "roof_ok": 0.35,
    "wall_ok": 0.2,
    "floor_ok": 0.3,
    "safe_water": 0.2,
    "healthy_latrine": 0.1,
    "has_savings": -0.3,
}
# Indicators of the default catalogue (migration 0002) that the economic profile already answers.
ECONOMY_LINKS = {"eko_tabungan": "has_savings", "sehat_jamban": "healthy_latrine", "sehat_air_minum": "safe_water"}
# The situation that makes an indicator apply; any other indicator always applies.
APPLIES = {
    "asuh_sekolah": "sekolah", "asuh_kehadiran_sekolah": "sekolah", "asuh_bantu_belajar": "sekolah",
    "asuh_disiplin_positif": "anak", "asuh_paud": "usia_dini", "sehat_k6": "hamil", "sehat_timbang_balita": "balita",
    "sehat_imunisasi": "balita", "sehat_asi_eksklusif": "bayi", "lindung_akta_lahir": "anak",
    "lindung_pekerja_anak": "anak", "lindung_perkawinan_anak": "anak", "kesos_disabilitas": "disabilitas",
    "kesos_posyandu_lansia": "lansia",
}  # fmt: skip
CHILD_AGES = {"bayi": (0, 1), "balita": (0, 4), "usia_dini": (3, 6), "sekolah": (7, 17)}


@dataclass
class Track:
    """One family between visits: the spending per head it reaches, and what it has gained so far."""

    spending: int
    start: float  # baseline spending as a share of `spending`
    baseline: date
    sources: int = 1
    signs: dict[str, bool] = field(default_factory=dict)


class AssessmentBuilder(DemoState):
    def _modules_finished(self, meetings: list[Held]) -> list[tuple[int, str, date]]:
        """(module id, code, day of its last session) of each core module the kelompok has held in full."""
        first: dict[int, date] = {}
        for meeting in meetings:
            first.setdefault(meeting.topic_id, meeting.day)
        modules: dict[int, list[TopicRef]] = defaultdict(list)
        for topic in self.topics:
            modules[topic.module_id].append(topic)
        finished = [
            (module_id, topics[0].module_code, max(first[topic.id] for topic in topics))
            for module_id, topics in modules.items()
            if all(topic.id in first for topic in topics)
        ]
        return sorted(finished, key=lambda item: item[2])

    def _assessments(
        self, *, observer_id: int, households: list[Household], meetings: list[Held], mature: bool
    ) -> None:
        """A baseline for most KPM some 18–24 months ago (or soon after enrolment), a follow-up after modules the
        kelompok finished, a recent graduation assessment for those who look ready, and a few visits in draft."""
        if not self.indicators:
            return
        rng = self.rng
        modules = self._modules_finished(meetings)
        for household in households:
            visit = partial(self._assessment, household, observer_id=observer_id)
            if rng.random() >= 0.88:  # not visited yet; now and then the first visit is still being written up
                if rng.random() < 0.25:
                    visit(kind=AssessmentKind.BASELINE, day=self.today - timedelta(days=rng.randint(1, 30)), draft=True)
                continue
            outlook = household.outlook
            baseline = max(
                self.today - timedelta(days=rng.randint(540, 730)),
                household.enrolled + timedelta(days=rng.randint(14, 60)),
            )
            track = Track(spending=rng.randint(*outlook.spending), start=rng.uniform(*outlook.start), baseline=baseline)
            visit(kind=AssessmentKind.BASELINE, day=baseline, track=track)
            last = baseline
            for module, day in self._follow_ups(household, modules=modules, after=baseline):
                visit(kind=AssessmentKind.LANJUTAN, day=day, module=module, track=track)
                last = day
            chance = (0.8 if mature else 0.45) if outlook is THRIVING else 0.02
            day = self.today - timedelta(days=rng.randint(5, 75))
            if rng.random() < chance and day > last + timedelta(days=14):
                visit(kind=AssessmentKind.GRADUASI, day=day, track=track)
                last = day
            day = self.today - timedelta(days=rng.randint(1, 20))
            if rng.random() < 0.03 and day > last:
                if outlook is THRIVING:
                    visit(kind=AssessmentKind.GRADUASI, day=day, track=track, draft=True)
                elif modules and self._scope(household, day=day, domain=modules[-1][1]):
                    visit(kind=AssessmentKind.LANJUTAN, day=day, module=modules[-1][:2], track=track, draft=True)

    def _follow_ups(
        self, household: Household, *, modules: list[tuple[int, str, date]], after: date
    ) -> list[tuple[tuple[int, str], date]]:
        """None, one or two follow-ups, after the latest modules finished since the baseline that have something
        to ask this family (without an elder or a severe disability there is no Kesos follow-up)."""
        count = self.rng.choices((0, 1, 2), weights=(12, 55, 33))[0]
        chosen: list[tuple[tuple[int, str], date]] = []
        for module_id, code, done in reversed(modules):
            if len(chosen) == count:
                break
            day = done + timedelta(days=self.rng.randint(7, 35))
            if after + timedelta(days=30) < day < self.today and self._scope(household, day=day, domain=code):
                chosen.append(((module_id, code), day))
        return chosen[::-1]

    def _scope(self, household: Household, *, day: date, domain: str | None) -> list[IndicatorRef]:
        """The indicators a visit asks (one module's after it, else all) that apply to the family on `day`."""
        situations = self._situations(household.people, day)
        return [
            indicator
            for indicator in self.indicators
            if (domain is None or indicator.domain == domain) and APPLIES.get(indicator.code, "") in situations
        ]

    def _situations(self, people: list[Row], day: date) -> set[str]:
        """What makes indicators apply on `day`: children by age, a pregnancy, a severe disability, an elder."""
        found = {""}
        for person in people:
            born = person["birth_date"]
            if born > day:
                if born <= day + timedelta(days=270):
                    found.add("hamil")
                continue
            age = age_on(born, day)
            if person["pregnant"] and day >= self.today - timedelta(days=180):
                found.add("hamil")
            if person["severe_disability"]:
                found.add("disabilitas")
            if age >= 60:
                found.add("lansia")
            if person["relationship"] != Relationship.ANAK or age >= 18:
                continue
            found.add("anak")
            found.update(name for name, (low, high) in CHILD_AGES.items() if low <= age <= high)
        return found

    def _assessment(
        self,
        household: Household,
        *,
        observer_id: int,
        kind: str,
        day: date,
        module: tuple[int, str] | None = None,
        track: Track | None = None,
        draft: bool = False,
    ) -> None:
        """One visit: the economic profile and an answer (yes/no, a number, or not applicable) per indicator."""
        rng = self.rng
        outlook = household.outlook
        track = track or Track(spending=rng.randint(*outlook.spending), start=rng.uniform(*outlook.start), baseline=day)
        stages: dict[str, int] = {AssessmentKind.BASELINE: 0, AssessmentKind.LANJUTAN: 1}
        stage = stages.get(kind, 2)
        economy = self._economy(household, track=track, stage=stage, day=day)
        asked = [i for i in self.indicators if module is None or i.domain == module[1]]
        applicable = self._scope(household, day=day, domain=module[1] if module else None)
        applies = {indicator.id for indicator in applicable}
        met = self._met(
            household, applicable=applicable, economy=economy, day=day, share=rng.uniform(*outlook.scores[stage])
        )
        if draft:  # part of the form is filled in; the rest waits for the next visit
            asked = asked[: rng.randint(len(asked) // 3, max(len(asked) // 3, len(asked) - 1))]
            if rng.random() < 0.5:
                economy.update(monthly_income=None, monthly_spending=None)
        assessment_id = self._id(Assessment)
        self.rows[Assessment].append(
            {
                "id": assessment_id,
                "family_id": household.family_id,
                "kind": kind,
                "assessed_on": day,
                "observer_id": observer_id,
                "status": AssessmentStatus.DRAF if draft else AssessmentStatus.FINAL,
                "module_id": module[0] if module else None,
                **economy,
                "notes": rng.choice(DRAFT_NOTES if draft else GRADUATION_NOTES)
                if draft or (kind == AssessmentKind.GRADUASI and outlook is THRIVING)
                else "",
                "created_at": moment(day, 6),
                "updated_at": moment(day, 6),
            }
        )
        for indicator in asked:
            value_bool: bool | None = None
            value_num: float | None = None
            if indicator.id in applies:
                hit = indicator.id in met
                if indicator.target is None:
                    value_bool = hit
                elif hit:
                    value_num = float(math.ceil(indicator.target * rng.uniform(1.0, 1.17)))
                else:
                    value_num = float(math.floor(indicator.target * rng.uniform(0.6, 0.97)))
            self.rows[AssessmentValue].append(
                {
                    "id": self._id(AssessmentValue),
                    "assessment_id": assessment_id,
                    "indicator_id": indicator.id,
                    "value_bool": value_bool,
                    "value_num": value_num,
                    "observed_on": day,
                    "observer_id": observer_id,
                }
            )

    def _met(
        self, household: Household, *, applicable: list[IndicatorRef], economy: Row, day: date, share: float
    ) -> set[int]:
        """Which applicable indicators are met: those the economy or the records settle, then enough of the rest
        to bring the score near `share`."""
        settled: dict[int, bool] = {}
        for indicator in applicable:
            if indicator.code in ECONOMY_LINKS:
                settled[indicator.id] = bool(economy[ECONOMY_LINKS[indicator.code]])
            elif indicator.code == "eko_sumber_penghasilan":
                settled[indicator.id] = (economy["income_sources"] or 0) > 1
            elif indicator.code == "lindung_akta_lahir":
                settled[indicator.id] = all(
                    person["has_birth_certificate"] is not False
                    for person in household.people
                    if person["relationship"] == Relationship.ANAK and person["birth_date"] <= day
                )
        free = [indicator.id for indicator in applicable if indicator.id not in settled]
        wanted = round(share * len(applicable)) - sum(settled.values())
        chosen = self.rng.sample(free, max(0, min(len(free), wanted)))
        return {indicator_id for indicator_id, hit in settled.items() if hit} | set(chosen)

    def _economy(self, household: Household, *, track: Track, stage: int, day: date) -> Row:
        """Household size, income, spending, income sources, welfare signs and desil seen on `day`; spending moves
        from the baseline share towards the family's level, and a sign once gained stays."""
        rng = self.rng
        outlook = household.outlook
        progress = 1.0 if stage == 2 else (day - track.baseline).days / max(1, (self.today - track.baseline).days)
        size = max(1, sum(1 for person in household.people if person["birth_date"] <= day))
        per_head = track.spending * (track.start + (1 - track.start) * progress) * rng.uniform(0.97, 1.03)
        spending = max(50_000, round(per_head * size / 50_000) * 50_000)
        income = round(spending * rng.uniform(*outlook.income) / 50_000) * 50_000
        if outlook.income_cap is not None:
            income = min(income, outlook.income_cap)
        for name, bonus in SIGN_BONUS.items():
            had = track.signs.get(name)
            if had is None:
                track.signs[name] = rng.random() < outlook.signs + bonus
            elif not had and rng.random() < outlook.gain:
                track.signs[name] = True
        if stage == 0:
            track.sources = 2 if outlook.sources[1] > 1 and rng.random() < 0.2 else 1
        else:
            track.sources = max(track.sources, rng.randint(*outlook.sources))
        desil = household.desil
        if stage == 2 and outlook is THRIVING:
            desil = rng.choice((5, 5, 6, household.desil))
        return {
            "household_size": size,
            "monthly_income": income,
            "monthly_spending": spending,
            "income_sources": track.sources,
            **track.signs,
            "desil": desil,
        }
