"""Input shapes of the aid forms: a programme received, an application and its decision, the catalogue."""

import re
from dataclasses import dataclass
from datetime import date

from app.forms import FormErrors, parse_date, parse_int, parse_text
from app.i18n import N_
from app.models import AID_DECISIONS, AID_GAPS, AidApplicationStatus, AidTarget

PAGE_SIZE = 50
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
# The house answer's form values: livable, not livable, not known.
HOUSE_CHOICES = {"1": True, "0": False, "": None}


def _id_or_none(raw: str, *, name: str, errors: FormErrors) -> int | None:
    return parse_int(raw, name=name, errors=errors, minimum=1, required=False)


def _not_future(day: date | None, *, name: str, today: date, errors: FormErrors) -> None:
    if day is not None and day > today:
        errors.add(name, N_("Tanggal tidak boleh di masa depan."))


@dataclass
class ReceiptInput:
    member_id: int | None  # None: the whole family
    programme_id: int
    since: date
    source: str


def receipt_input_parse(values: dict[str, str], *, today: date) -> tuple[ReceiptInput | None, FormErrors]:
    errors = FormErrors()
    member_id = _id_or_none(values.get("member_id", ""), name="member_id", errors=errors)
    programme_id = _id_or_none(values.get("programme_id", ""), name="programme_id", errors=errors)
    if programme_id is None and "programme_id" not in errors.messages:
        errors.add("programme_id", N_("Pilih program."))
    since = parse_date(values.get("since", ""), name="since", errors=errors)
    _not_future(since, name="since", today=today, errors=errors)
    source = parse_text(values.get("source", ""), name="source", errors=errors, required=True, max_length=120)
    if errors or programme_id is None or since is None:
        return None, errors
    return ReceiptInput(member_id=member_id, programme_id=programme_id, since=since, source=source), errors


@dataclass
class EndInput:
    ended_on: date
    note: str


def end_input_parse(values: dict[str, str], *, today: date) -> tuple[EndInput | None, FormErrors]:
    errors = FormErrors()
    ended_on = parse_date(values.get("ended_on", ""), name="ended_on", errors=errors)
    _not_future(ended_on, name="ended_on", today=today, errors=errors)
    note = parse_text(values.get("note", ""), name="note", errors=errors, max_length=300)
    if errors or ended_on is None:
        return None, errors
    return EndInput(ended_on=ended_on, note=note), errors


@dataclass
class ApplicationInput:
    member_id: int | None
    programme_id: int
    submitted_on: date
    note: str


def application_input_parse(values: dict[str, str], *, today: date) -> tuple[ApplicationInput | None, FormErrors]:
    errors = FormErrors()
    member_id = _id_or_none(values.get("member_id", ""), name="member_id", errors=errors)
    programme_id = _id_or_none(values.get("programme_id", ""), name="programme_id", errors=errors)
    if programme_id is None and "programme_id" not in errors.messages:
        errors.add("programme_id", N_("Pilih program."))
    submitted_on = parse_date(values.get("submitted_on", ""), name="submitted_on", errors=errors)
    _not_future(submitted_on, name="submitted_on", today=today, errors=errors)
    note = parse_text(values.get("note", ""), name="note", errors=errors, max_length=2000)
    if errors or programme_id is None or submitted_on is None:
        return None, errors
    return ApplicationInput(
        member_id=member_id, programme_id=programme_id, submitted_on=submitted_on, note=note
    ), errors


@dataclass
class DecisionInput:
    decision: AidApplicationStatus
    decided_on: date
    note: str


def decision_input_parse(values: dict[str, str]) -> tuple[DecisionInput | None, FormErrors]:
    """The date's checks against the submission and today are the service's (decision_check)."""
    errors = FormErrors()
    raw = values.get("decision", "")
    decision = next((d for d in AID_DECISIONS if d == raw), None)
    if decision is None:
        errors.add("decision", N_("Pilih keputusan: dikabulkan atau ditolak."))
    decided_on = parse_date(values.get("decided_on", ""), name="decided_on", errors=errors)
    note = parse_text(values.get("note", ""), name="note", errors=errors, max_length=2000)
    if decision == AidApplicationStatus.DITOLAK and not note and "note" not in errors.messages:
        errors.add("note", N_("Tuliskan alasan penolakan."))
    if errors or decision is None or decided_on is None:
        return None, errors
    return DecisionInput(decision=decision, decided_on=decided_on, note=note), errors


def house_input_parse(values: dict[str, str]) -> tuple[bool | None, FormErrors]:
    errors = FormErrors()
    raw = values.get("house_livable", "")
    if raw not in HOUSE_CHOICES:
        errors.add("house_livable", N_("Pilih kondisi rumah."))
    return HOUSE_CHOICES.get(raw), errors


@dataclass
class ProgrammeInput:
    code: str
    name: str
    target: str
    gap: str | None
    effective_from: date


def programme_input_parse(values: dict[str, str]) -> tuple[ProgrammeInput | None, FormErrors]:
    errors = FormErrors()
    code = values.get("code", "").strip().upper()
    if not _CODE.fullmatch(code):
        errors.add("code", N_("Kode 2–32 huruf besar, angka atau garis bawah, diawali huruf (mis. GAKINDA)."))
    name = parse_text(values.get("name", ""), name="name", errors=errors, required=True, max_length=120)
    target = values.get("target", "")
    if target not in tuple(AidTarget):
        errors.add("target", N_("Pilih penerima: keluarga atau anggota."))
    gap = values.get("gap", "")
    if gap and gap not in AID_GAPS:
        errors.add("gap", N_("Pilih kesenjangan yang ditutup, atau kosongkan."))
    effective_from = parse_date(values.get("effective_from", ""), name="effective_from", errors=errors)
    if errors or effective_from is None:
        return None, errors
    return ProgrammeInput(code=code, name=name, target=target, gap=gap or None, effective_from=effective_from), errors


def programme_end_parse(values: dict[str, str]) -> tuple[date | None, FormErrors]:
    errors = FormErrors()
    until = parse_date(values.get("effective_until", ""), name="effective_until", errors=errors)
    return until, errors


@dataclass(frozen=True)
class GapFilters:
    area_code: str = ""
    kelompok_id: int | None = None
    page: int = 1


def gap_filters_parse(params: dict[str, str]) -> GapFilters:
    """Query string → filters; anything malformed is ignored rather than refused (it is a GET)."""
    ignored = FormErrors()
    return GapFilters(
        area_code=params.get("wilayah", "").strip()[:13],
        kelompok_id=_id_or_none(params.get("kelompok", ""), name="kelompok", errors=ignored),
        page=parse_int(params.get("halaman", ""), name="halaman", errors=ignored, minimum=1, required=False) or 1,
    )
