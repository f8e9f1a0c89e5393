"""Graduation readiness and warnings: pure functions over plain values (no database, no request)."""

import json
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from babel.numbers import get_decimal_symbol, get_group_symbol

from app.families.rules import COMPONENT_LABELS, ComponentLimits, MemberFacts, age_on, member_components
from app.i18n import N_, current_locale, gettext

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ALAMIAH, MANDIRI, HAMPIR, BELUM = "alamiah", "mandiri", "hampir", "belum"
VERDICTS = (ALAMIAH, MANDIRI, HAMPIR, BELUM)
VERDICT_LABELS = {
    ALAMIAH: N_("Siap graduasi alamiah"),
    MANDIRI: N_("Siap graduasi sejahtera mandiri"),
    HAMPIR: N_("Hampir siap"),
    BELUM: N_("Belum"),
}
# Order of the sejahtera-mandiri path; alamiah stands apart (it depends only on the members).
MANDIRI_RANK = {BELUM: 0, HAMPIR: 1, MANDIRI: 2}


@dataclass(frozen=True)
class RuleSet:
    """Every threshold of the rules; the stored RuleParameter rows in force on a day fill it."""

    attendance_min_share: float = 0.85
    attendance_window_months: int = 12
    score_min_share: float = 0.80
    poverty_multiplier: float = 1.5
    desil_min: int = 5
    household_income_min: int = 4_000_000
    assets_min: int = 3
    alpa_streak_warning: int = 3
    meeting_gap_days: int = 45
    years_in_pkh_warning: int = 5
    early_childhood_max_age: int = 6
    school_min_age: int = 6
    school_max_age: int = 21
    elderly_min_age: int = 70
    monitoring_months: int = 12
    yearly_target: int = 10

    def limits(self) -> ComponentLimits:
        return ComponentLimits(early_childhood_max_age=self.early_childhood_max_age, school_min_age=self.school_min_age,
                               school_max_age=self.school_max_age, elderly_min_age=self.elderly_min_age)


RULE_KEYS = tuple(f.name for f in fields(RuleSet))


# --- figures: the same output as app.i18n's formatters, fast enough for 100,000 verdicts in one pass ---


@lru_cache
def _symbols(locale: str) -> tuple[str, str]:
    return get_group_symbol(locale=locale), get_decimal_symbol(locale=locale)


def fmt_number(value: float, digits: int = 0) -> str:
    group, decimal = _symbols(current_locale.get())
    return f"{value:,.{digits}f}".replace(",", "\0").replace(".", decimal).replace("\0", group)


def fmt_rupiah(value: float) -> str:
    return "Rp " + fmt_number(value)


def fmt_percent(share: float) -> str:
    return fmt_number(share * 100) + " %"


@lru_cache(maxsize=65536)
def _member_components(member: MemberFacts, today: date, limits: ComponentLimits) -> tuple[str, ...]:
    """Memoised: in a whole kabupaten many members share birth date, schooling and flags."""
    return tuple(member_components(member, today=today, limits=limits))


@dataclass(frozen=True)
class ParameterValue:
    key: str
    value: str
    effective_from: date


def rules_effective(values: list[ParameterValue], *, day: date) -> RuleSet:
    """The value of each key with the latest effective date on or before `day`."""
    chosen: dict[str, ParameterValue] = {}
    for row in values:
        usable = row.key in RULE_KEYS and row.effective_from <= day
        if usable and (row.key not in chosen or row.effective_from > chosen[row.key].effective_from):
            chosen[row.key] = row
    kinds = {f.name: f.type for f in fields(RuleSet)}
    parsed: dict[str, Any] = {}
    for key, row in chosen.items():
        parsed[key] = float(row.value) if kinds[key] is float else int(float(row.value))
    return RuleSet(**parsed)


def parameter_value_check(key: str, raw: str) -> str | None:
    """A message when `raw` is not a sensible value for `key`, else None."""
    if key not in RULE_KEYS:
        return N_("Parameter tidak dikenal.")
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return N_("Harus berupa angka.")
    if value < 0:
        return N_("Tidak boleh negatif.")
    if key.endswith("_share") and value > 1:
        return N_("Tulis sebagai pecahan 0–1, misalnya 0.85.")
    return None


# --- poverty lines ---


@dataclass(frozen=True)
class PovertyLineRef:
    area_code: str | None
    kind: str  # area / urban / rural
    year: int
    amount: int
    source: str = ""


@dataclass(frozen=True)
class LineUsed:
    amount: int
    label: str


def is_urban(village_code: str) -> bool:
    """Kelurahan (village code 1xxx) or a kota (kab/kota code 71–99) count as urban."""
    parts = village_code.split(".")
    if len(parts) == 4:
        return parts[3].startswith("1")
    return len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= 71


def poverty_line_pick(lines: list[PovertyLineRef], *, village_code: str, kabkota_name: str,
                      year: int) -> LineUsed | None:
    """The kab/kota line of the latest year up to `year`; else the national urban or rural line."""
    kabkota = ".".join(village_code.split(".")[:2])
    own = _latest([ln for ln in lines if ln.area_code == kabkota and ln.kind == "area"], year)
    if own is not None:
        return LineUsed(own.amount, gettext("garis kemiskinan %(name)s %(year)s", name=kabkota_name, year=own.year))
    kind = "urban" if is_urban(village_code) else "rural"
    national = _latest([ln for ln in lines if ln.area_code is None and ln.kind == kind], year)
    if national is None:
        return None
    label = N_("garis kemiskinan nasional perkotaan %(year)s") if kind == "urban" else N_(
        "garis kemiskinan nasional perdesaan %(year)s")
    return LineUsed(national.amount, gettext(label, year=national.year))


def _latest(lines: list[PovertyLineRef], year: int) -> PovertyLineRef | None:
    usable = [ln for ln in lines if ln.year <= year] or lines
    return max(usable, key=lambda ln: ln.year) if usable else None


# --- facts and verdicts ---


@dataclass(frozen=True)
class EconomicProfile:
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
    assessed_on: date | None = None
    kind: str = ""


@dataclass(frozen=True)
class FamilyFacts:
    members: tuple[MemberFacts, ...]
    enrolled_on: date
    core_done: int = 0
    core_total: int = 14
    marks_hadir: int = 0
    marks_total: int = 0
    latest_score: float | None = None
    baseline_score: float | None = None
    economy: EconomicProfile = EconomicProfile()
    line: LineUsed | None = None
    alpa_streak: int = 0
    has_kelompok: bool = True
    last_held: date | None = None
    graduated_on: date | None = None
    monitor_until: date | None = None


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    state: str  # met / not_met / unknown
    figure: str


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    figure: str


@dataclass(frozen=True)
class Verdict:
    verdict: str
    criteria: tuple[Criterion, ...]
    warnings: tuple[Flag, ...]

    @property
    def route(self) -> str | None:
        """The graduation route a proposal would take, if the family may be proposed at all."""
        return {ALAMIAH: ALAMIAH, MANDIRI: MANDIRI, HAMPIR: MANDIRI}.get(self.verdict)

    def to_json(self) -> str:
        criteria = [{"code": c.code, "label": c.label, "state": c.state, "figure": c.figure} for c in self.criteria]
        warnings = [{"code": w.code, "label": w.label, "figure": w.figure} for w in self.warnings]
        return json.dumps({"verdict": self.verdict, "criteria": criteria, "warnings": warnings}, ensure_ascii=False)


def verdict_from_json(raw: str) -> Verdict | None:
    try:
        data = json.loads(raw or "{}")
        return Verdict(verdict=data["verdict"], criteria=tuple(Criterion(**c) for c in data["criteria"]),
                       warnings=tuple(Flag(**w) for w in data["warnings"]))
    except (ValueError, KeyError, TypeError):
        return None


def per_capita(economy: EconomicProfile) -> tuple[int, str] | None:
    """Spending per capita (BPS lines are spending lines), else income per capita, with its name."""
    if not economy.household_size:
        return None
    if economy.monthly_spending is not None:
        return economy.monthly_spending // economy.household_size, N_("pengeluaran per kapita")
    if economy.monthly_income is not None:
        return economy.monthly_income // economy.household_size, N_("penghasilan per kapita")
    return None


def criterion_alamiah(members: tuple[MemberFacts, ...], *, today: date, rules: RuleSet) -> Criterion:
    label = N_("Tidak ada komponen PKH tersisa")
    if not any(m.active for m in members):
        return Criterion("alamiah", label, UNKNOWN, gettext("belum ada data anggota keluarga"))
    limits = rules.limits()
    found: dict[str, int] = {}
    for member in members:
        for component in _member_components(member, today, limits):
            found[component] = found.get(component, 0) + 1
    if not found:
        return Criterion("alamiah", label, MET, gettext("tidak ada komponen per %(day)s", day=today.isoformat()))
    listed = ", ".join(f"{gettext(COMPONENT_LABELS[c])} ({n})" for c, n in sorted(found.items()))
    return Criterion("alamiah", label, NOT_MET, gettext("masih ada komponen: %(list)s", list=listed))


def criterion_core_sessions(facts: FamilyFacts) -> Criterion:
    state = MET if facts.core_total and facts.core_done >= facts.core_total else NOT_MET
    return Criterion("sesi_inti", N_("Mengikuti semua sesi inti P2K2"), state,
                     gettext("%(done)s dari %(total)s sesi inti selesai", done=facts.core_done, total=facts.core_total))


def criterion_attendance(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    label = N_("Kehadiran P2K2 12 bulan terakhir")
    if facts.marks_total == 0:
        return Criterion("kehadiran", label, UNKNOWN, gettext("belum ada catatan kehadiran"))
    share = facts.marks_hadir / facts.marks_total
    state = MET if share >= rules.attendance_min_share else NOT_MET
    return Criterion("kehadiran", label, state, gettext(
        "hadir %(hadir)s dari %(total)s sesi (%(share)s; minimal %(min)s)", hadir=facts.marks_hadir,
        total=facts.marks_total, share=fmt_percent(share), min=fmt_percent(rules.attendance_min_share)))


def criterion_score(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    label = N_("Skor perubahan perilaku tinggi dan naik dari baseline")
    if facts.latest_score is None:
        return Criterion("skor", label, UNKNOWN, gettext("belum ada asesmen final"))
    high = facts.latest_score >= rules.score_min_share
    figure = gettext("skor terakhir %(score)s (minimal %(min)s)", score=fmt_percent(facts.latest_score),
                     min=fmt_percent(rules.score_min_share))
    if not high:
        return Criterion("skor", label, NOT_MET, figure)
    if facts.baseline_score is None:
        return Criterion("skor", label, UNKNOWN, figure + "; " + gettext("belum ada asesmen pembanding baseline"))
    rose = facts.latest_score > facts.baseline_score
    figure += "; " + gettext("baseline %(score)s", score=fmt_percent(facts.baseline_score))
    return Criterion("skor", label, MET if rose else NOT_MET, figure)


def criterion_economy(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    """Met by any one of: per capita ≥ k × poverty line, DTSEN desil ≥ d, household income ≥ Rp x."""
    label = N_("Kemampuan ekonomi")
    eco = facts.economy
    states: list[str] = []
    notes: list[str] = []
    capita = per_capita(eco)
    if capita is None or facts.line is None:
        states.append(UNKNOWN)
        notes.append(gettext("per kapita belum diketahui") if capita is None else gettext("garis kemiskinan belum ada"))
    else:
        amount, name = capita
        ratio = amount / facts.line.amount
        states.append(MET if ratio >= rules.poverty_multiplier else NOT_MET)
        notes.append(gettext("%(name)s %(amount)s = %(ratio)s × %(line)s (%(line_amount)s; minimal %(min)s ×)",
                             name=gettext(name), amount=fmt_rupiah(amount), ratio=fmt_number(ratio, 2),
                             line=facts.line.label, line_amount=fmt_rupiah(facts.line.amount),
                             min=fmt_number(rules.poverty_multiplier, 2)))
    if eco.desil is None:
        states.append(UNKNOWN)
        notes.append(gettext("desil DTSEN belum diketahui"))
    else:
        states.append(MET if eco.desil >= rules.desil_min else NOT_MET)
        notes.append(gettext("desil DTSEN %(desil)s (minimal %(min)s)", desil=eco.desil, min=rules.desil_min))
    if eco.monthly_income is None:
        states.append(UNKNOWN)
    else:
        states.append(MET if eco.monthly_income >= rules.household_income_min else NOT_MET)
        notes.append(gettext("penghasilan rumah tangga %(amount)s/bulan (minimal %(min)s)",
                             amount=fmt_rupiah(eco.monthly_income), min=fmt_rupiah(rules.household_income_min)))
    return Criterion("ekonomi", label, any_of(states), "; ".join(notes))


def criterion_assets(facts: FamilyFacts, rules: RuleSet) -> Criterion:
    eco = facts.economy
    house = all_of([_state(eco.roof_ok), _state(eco.wall_ok), _state(eco.floor_ok)])
    sources = UNKNOWN if eco.income_sources is None else (MET if eco.income_sources > 1 else NOT_MET)
    items = [(N_("tabungan"), _state(eco.has_savings)), (N_("beberapa sumber penghasilan"), sources),
             (N_("rumah layak"), house), (N_("air minum aman"), _state(eco.safe_water)),
             (N_("jamban sehat"), _state(eco.healthy_latrine))]
    met = sum(1 for _, s in items if s == MET)
    unknown = sum(1 for _, s in items if s == UNKNOWN)
    state = MET if met >= rules.assets_min else (NOT_MET if met + unknown < rules.assets_min else UNKNOWN)
    have = ", ".join(gettext(name) for name, s in items if s == MET) or "–"
    figure = gettext("%(met)s dari 5 terpenuhi (minimal %(min)s): %(have)s", met=met, min=rules.assets_min, have=have)
    if unknown:
        figure += "; " + gettext("%(n)s belum diketahui", n=unknown)
    return Criterion("aset", N_("Tanda kesejahteraan rumah tangga"), state, figure)


def _state(value: bool | None) -> str:
    return UNKNOWN if value is None else (MET if value else NOT_MET)


def any_of(states: list[str]) -> str:
    """Three-valued OR: one met suffices; unknown stays unknown unless something is met."""
    if MET in states:
        return MET
    return UNKNOWN if UNKNOWN in states else NOT_MET


def all_of(states: list[str]) -> str:
    if NOT_MET in states:
        return NOT_MET
    return UNKNOWN if UNKNOWN in states else MET


def readiness_warnings(facts: FamilyFacts, *, today: date, rules: RuleSet) -> tuple[Flag, ...]:
    """Compliance and monitoring flags; they never change the verdict, they stand beside it."""
    found: list[Flag] = []
    if facts.alpa_streak >= rules.alpa_streak_warning:
        found.append(Flag("alpa_beruntun", N_("Alpa berturut-turut"),
                          gettext("%(n)s kali alpa berturut-turut", n=facts.alpa_streak)))
    if facts.has_kelompok and facts.graduated_on is None:
        if facts.last_held is None:
            found.append(Flag("kelompok_tidak_bertemu", N_("Kelompok lama tidak bertemu"),
                              gettext("kelompok belum pernah mengadakan pertemuan")))
        elif (today - facts.last_held).days >= rules.meeting_gap_days:
            found.append(Flag("kelompok_tidak_bertemu", N_("Kelompok lama tidak bertemu"), gettext(
                "pertemuan terakhir %(day)s (%(n)s hari lalu)", day=facts.last_held.isoformat(),
                n=(today - facts.last_held).days)))
    years = age_on(facts.enrolled_on, today)
    if years >= rules.years_in_pkh_warning and facts.graduated_on is None:
        found.append(Flag("lama_di_pkh", N_("Lama di PKH"), gettext(
            "%(n)s tahun di PKH sejak %(day)s", n=years, day=facts.enrolled_on.isoformat())))
    monitor = monitoring_flag(facts)
    if monitor is not None:
        found.append(monitor)
    return tuple(found)


def monitoring_flag(facts: FamilyFacts) -> Flag | None:
    """A graduate whose follow-up assessment within the monitoring period falls below the poverty line."""
    eco = facts.economy
    capita = per_capita(eco)
    if facts.graduated_on is None or facts.line is None or capita is None or eco.assessed_on is None:
        return None
    if eco.assessed_on < facts.graduated_on or (facts.monitor_until and eco.assessed_on > facts.monitor_until):
        return None
    if capita[0] >= facts.line.amount:
        return None
    return Flag("tinjau_ulang", N_("Perlu ditinjau untuk pendaftaran ulang"), gettext(
        "%(name)s %(amount)s di bawah %(line)s (%(line_amount)s) pada asesmen %(day)s", name=gettext(capita[1]),
        amount=fmt_rupiah(capita[0]), line=facts.line.label, line_amount=fmt_rupiah(facts.line.amount),
        day=eco.assessed_on.isoformat()))


def readiness_evaluate(facts: FamilyFacts, *, today: date, rules: RuleSet) -> Verdict:
    """Alamiah when no component remains; else sejahtera mandiri when all five criteria are met,
    hampir when exactly one is not met or unknown, belum otherwise."""
    alamiah = criterion_alamiah(facts.members, today=today, rules=rules)
    mandiri = (criterion_core_sessions(facts), criterion_attendance(facts, rules), criterion_score(facts, rules),
               criterion_economy(facts, rules), criterion_assets(facts, rules))
    short = sum(1 for c in mandiri if c.state != MET)
    verdict = ALAMIAH if alamiah.state == MET else MANDIRI if short == 0 else HAMPIR if short == 1 else BELUM
    return Verdict(verdict, (alamiah, *mandiri), readiness_warnings(facts, today=today, rules=rules))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    return day + timedelta(days=30 * months)
