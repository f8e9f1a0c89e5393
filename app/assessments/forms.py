"""Input shapes of the assessment form and the indicator catalogue forms."""

from dataclasses import dataclass, field
from datetime import date

from app.forms import FormErrors, parse_date, parse_decimal, parse_int, parse_text
from app.i18n import N_
from app.models import AssessmentKind, AssessmentStatus, Indicator, IndicatorValueType

KINDS: dict[str, str] = {
    AssessmentKind.BASELINE: N_("Baseline"),
    AssessmentKind.LANJUTAN: N_("Lanjutan setelah modul"),
    AssessmentKind.GRADUASI: N_("Asesmen graduasi"),
    AssessmentKind.PEMANTAUAN: N_("Pemantauan setelah graduasi"),
}
ECONOMY_FLAGS = {
    "has_savings": N_("Memiliki tabungan"),
    "roof_ok": N_("Atap layak"),
    "wall_ok": N_("Dinding layak"),
    "floor_ok": N_("Lantai bukan tanah"),
    "safe_water": N_("Air minum aman"),
    "healthy_latrine": N_("Jamban sehat"),
}
NOT_APPLICABLE = "na"
MONEY_MAX = 2_000_000_000
"""Rupiah per month; the columns are INTEGER."""


@dataclass(frozen=True)
class Answer:
    """One indicator's answer: a yes/no, a number, or explicitly not applicable (both None)."""

    value_bool: bool | None = None
    value_num: float | None = None


@dataclass
class AssessmentInput:
    kind: str
    assessed_on: date
    module_id: int | None
    household_size: int | None
    monthly_income: int | None
    monthly_spending: int | None
    income_sources: int | None
    desil: int | None
    flags: dict[str, bool | None]
    notes: str
    answers: dict[int, Answer] = field(default_factory=dict)
    draft_requested: bool = False


def indicator_field(indicator_id: int | None) -> str:
    return f"ind_{indicator_id}"


def parse_money(raw: str, *, name: str, errors: FormErrors) -> int | None:
    cleaned = raw.strip().lower().removeprefix("rp").strip()
    return parse_int(cleaned, name=name, errors=errors, minimum=0, maximum=MONEY_MAX, required=False)


def parse_yes_no(raw: str) -> bool | None:
    return {"ya": True, "tidak": False}.get(raw.strip())


def _household_size(raw: str, errors: FormErrors) -> int | None:
    size = parse_int(raw, name="household_size", errors=errors, required=False, maximum=50)
    if size is not None and size < 1:
        errors.add("household_size", N_("Jumlah anggota rumah tangga minimal 1 orang."))
        return None
    return size


def _answer(raw: str, indicator: Indicator, errors: FormErrors) -> Answer | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw == NOT_APPLICABLE:
        return Answer()
    if indicator.value_type == IndicatorValueType.BOOL:
        value = parse_yes_no(raw)
        if value is None:
            errors.add(indicator_field(indicator.id), N_("Pilih ya, tidak atau tidak berlaku."))
            return None
        return Answer(value_bool=value)
    number = parse_decimal(raw, name=indicator_field(indicator.id), errors=errors, minimum=0)
    return None if number is None else Answer(value_num=number)


def assessment_input_parse(
    values: dict[str, str], *, indicators: list[Indicator], module_ids: set[int], today: date
) -> tuple[AssessmentInput | None, FormErrors]:
    errors = FormErrors()
    kind = values.get("kind", "")
    if kind not in KINDS:
        errors.add("kind", N_("Pilih jenis asesmen."))
    day = parse_date(values.get("assessed_on", ""), name="assessed_on", errors=errors)
    if day is not None and day > today:
        errors.add("assessed_on", N_("Tanggal asesmen tidak boleh di masa depan."))
    module_id = parse_int(values.get("module_id", ""), name="module_id", errors=errors, required=False)
    if module_id is not None and module_id not in module_ids:
        errors.add("module_id", N_("Pilih modul dari daftar."))
    size = _household_size(values.get("household_size", ""), errors)
    income = parse_money(values.get("monthly_income", ""), name="monthly_income", errors=errors)
    spending = parse_money(values.get("monthly_spending", ""), name="monthly_spending", errors=errors)
    sources = parse_int(
        values.get("income_sources", ""), name="income_sources", errors=errors, minimum=0, maximum=20, required=False
    )
    desil = parse_int(values.get("desil", ""), name="desil", errors=errors, minimum=1, maximum=10, required=False)
    notes = parse_text(values.get("notes", ""), name="notes", errors=errors, max_length=2000)
    answers = {}
    for indicator in indicators:
        answer = _answer(values.get(indicator_field(indicator.id), ""), indicator, errors)
        if answer is not None:
            answers[indicator.id or 0] = answer
    if errors or day is None:
        return None, errors
    return AssessmentInput(
        kind=kind,
        assessed_on=day,
        module_id=module_id,
        household_size=size,
        monthly_income=income,
        monthly_spending=spending,
        income_sources=sources,
        desil=desil,
        flags={name: parse_yes_no(values.get(name, "")) for name in ECONOMY_FLAGS},
        notes=notes,
        answers=answers,
        draft_requested=values.get("action") == AssessmentStatus.DRAF,
    ), errors


@dataclass
class IndicatorInput:
    domain: str
    label: str
    value_type: str
    target: float | None


def indicator_input_parse(values: dict[str, str], *, domains: set[str]) -> tuple[IndicatorInput | None, FormErrors]:
    errors = FormErrors()
    domain = values.get("domain", "")
    if domain not in domains:
        errors.add("domain", N_("Pilih domain (modul)."))
    label = parse_text(values.get("label", ""), name="label", errors=errors, required=True, max_length=300)
    value_type = values.get("value_type", IndicatorValueType.BOOL)
    if value_type not in tuple(IndicatorValueType):
        errors.add("value_type", N_("Pilih jenis nilai."))
    target = None
    if value_type == IndicatorValueType.NUMBER:
        target = parse_decimal(values.get("target", ""), name="target", errors=FormErrors(), minimum=0)
        if target is None:
            errors.add("target", N_("Indikator angka memerlukan target berupa angka."))
    if errors:
        return None, errors
    return IndicatorInput(domain=domain, label=label, value_type=value_type, target=target), errors
