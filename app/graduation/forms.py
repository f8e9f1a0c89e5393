"""Input shapes of the candidates filter and the admin rule forms."""

from dataclasses import dataclass
from datetime import date

from app.forms import FormErrors, parse_date, parse_decimal, parse_int, parse_text
from app.graduation.queries import CandidateFilters
from app.graduation.rules import RULE_KEYS, parameter_value_check
from app.i18n import N_
from app.models import EXIT_ROUTES, PovertyLineKind

PAGE_SIZE = 50


def _int_or_none(raw: str) -> int | None:
    """A positive ID or page number in digits 0-9, else None."""
    return parse_int(raw, name="_", errors=FormErrors(), minimum=1, required=False)


def candidate_filters_parse(params: dict[str, str]) -> CandidateFilters:
    """Query string → filters; anything malformed is ignored rather than refused (it is a GET)."""
    return CandidateFilters(
        kecamatan=params.get("kecamatan", "")[:13],
        kelurahan=params.get("kelurahan", "")[:13],
        kelompok_id=_int_or_none(params.get("kelompok", "")),
        pendamping_id=_int_or_none(params.get("pendamping", "")),
        verdict=params.get("kesiapan", "")[:12],
        sort=params.get("urut", "verdict")[:12],
        page=_int_or_none(params.get("halaman", "")) or 1,
    )


def candidate_query_params(filters: CandidateFilters) -> dict[str, str]:
    """The filters back as query-string values (for links, the export and paging)."""
    return {
        "kecamatan": filters.kecamatan,
        "kelurahan": filters.kelurahan,
        "kelompok": "" if filters.kelompok_id is None else str(filters.kelompok_id),
        "pendamping": "" if filters.pendamping_id is None else str(filters.pendamping_id),
        "kesiapan": filters.verdict,
        "urut": filters.sort,
    }


@dataclass
class ParameterInput:
    key: str
    value: str
    effective_from: date
    note: str


def parameter_input_parse(values: dict[str, str]) -> tuple[ParameterInput | None, FormErrors]:
    errors = FormErrors()
    key = values.get("key", "")
    if key not in RULE_KEYS:
        errors.add("key", N_("Pilih parameter."))
    raw = values.get("value", "").strip().replace(",", ".")
    if parse_decimal(raw, name="value", errors=errors) is not None and key in RULE_KEYS:
        problem = parameter_value_check(key, raw)
        if problem:
            errors.add("value", problem)
    day = parse_date(values.get("effective_from", ""), name="effective_from", errors=errors)
    note = parse_text(values.get("note", ""), name="note", errors=errors, max_length=300)
    if errors or day is None:
        return None, errors
    return ParameterInput(key=key, value=raw, effective_from=day, note=note), errors


@dataclass
class PovertyLineInput:
    area_code: str | None
    kind: str
    year: int
    amount: int
    source: str


def poverty_line_input_parse(values: dict[str, str]) -> tuple[PovertyLineInput | None, FormErrors]:
    """`scope` is "urban", "rural" (national lines) or a kab/kota code such as 32.77."""
    errors = FormErrors()
    scope = values.get("scope", "").strip()
    if scope in (PovertyLineKind.URBAN, PovertyLineKind.RURAL):
        area_code, kind = None, scope
    elif len(scope.split(".")) == 2 and all(p.isdigit() and len(p) == 2 for p in scope.split(".")):
        area_code, kind = scope, PovertyLineKind.AREA
    else:
        area_code, kind = None, ""
        errors.add("scope", N_("Pilih garis nasional atau tulis kode kab/kota (contoh 32.77)."))
    year = parse_int(values.get("year", ""), name="year", errors=errors, minimum=2000, maximum=2100)
    amount = parse_int(
        values.get("amount", "").lower().removeprefix("rp"),
        name="amount",
        errors=errors,
        minimum=1,
        maximum=100_000_000,
    )
    source = parse_text(values.get("source", ""), name="source", errors=errors, required=True, max_length=200)
    if errors or year is None or amount is None:
        return None, errors
    return PovertyLineInput(area_code=area_code, kind=kind, year=year, amount=amount, source=source), errors


@dataclass
class ExitInput:
    route: str
    reason: str


EXIT_REASON_MAX = 2000


def exit_input_parse(values: dict[str, str]) -> tuple[ExitInput | None, FormErrors]:
    """The route (mengundurkan diri or musyawarah) and the written reason; the evidence file is checked on save."""
    errors = FormErrors()
    route = values.get("route", "").strip()
    if route not in EXIT_ROUTES:
        errors.add("route", N_("Pilih jalur keluar: mengundurkan diri atau keputusan musyawarah."))
    reason = parse_text(
        values.get("reason", ""), name="reason", errors=errors, required=True, max_length=EXIT_REASON_MAX
    )
    if errors:
        return None, errors
    return ExitInput(route=route, reason=reason), errors
