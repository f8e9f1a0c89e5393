"""Input shapes of the case, note, status, referral, outcome and break-the-glass forms."""

from dataclasses import dataclass
from datetime import date

from app.clock import today_local
from app.forms import FormErrors, parse_date, parse_int, parse_text
from app.i18n import N_
from app.models import CaseStatus, CaseType, CaseUrgency, ReferralService

CASE_TYPES = tuple(CaseType)
URGENCIES = tuple(CaseUrgency)
SERVICES = tuple(ReferralService)
TEXT_MAX = 4000
REASON_MIN = 10


@dataclass
class CaseInput:
    programme_id: str
    member_id: int | None
    case_type: str
    urgency: str
    description: str
    worker_id: int | None
    confidential: bool
    opened_on: date


@dataclass
class NoteInput:
    noted_on: date
    text: str


@dataclass
class StatusInput:
    status: str
    note: str


@dataclass
class ReferralInput:
    service: str
    service_name: str
    referred_on: date
    request: str


@dataclass
class OutcomeInput:
    outcome: str
    outcome_on: date


def _past_date(values: dict[str, str], name: str, errors: FormErrors) -> date | None:
    day = parse_date(values.get(name, ""), name=name, errors=errors)
    if day is not None and day > today_local():
        errors.add(name, N_("Tanggal tidak boleh di masa depan."))
        return None
    return day


def _choice(values: dict[str, str], name: str, choices: tuple[str, ...], errors: FormErrors, message: str) -> str:
    value = values.get(name, "")
    if value not in choices:
        errors.add(name, message)
    return value


def case_input_parse(values: dict[str, str]) -> tuple[CaseInput | None, FormErrors]:
    errors = FormErrors()
    programme_id = parse_text(values.get("kpm", ""), name="kpm", errors=errors, required=True, max_length=64)
    member_id = parse_int(values.get("member_id", ""), name="member_id", errors=errors, minimum=1, required=False)
    case_type = _choice(values, "case_type", CASE_TYPES, errors, N_("Pilih jenis kasus."))
    urgency = _choice(values, "urgency", URGENCIES, errors, N_("Pilih tingkat urgensi."))
    description = parse_text(
        values.get("description", ""), name="description", errors=errors, required=True, max_length=TEXT_MAX
    )
    worker_id = parse_int(values.get("worker_id", ""), name="worker_id", errors=errors, minimum=1, required=False)
    opened_on = _past_date(values, "opened_on", errors)
    if errors or opened_on is None:
        return None, errors
    return CaseInput(
        programme_id=programme_id,
        member_id=member_id,
        case_type=case_type,
        urgency=urgency,
        description=description,
        worker_id=worker_id,
        confidential=values.get("confidential") == "on",
        opened_on=opened_on,
    ), errors


def note_input_parse(values: dict[str, str]) -> tuple[NoteInput | None, FormErrors]:
    errors = FormErrors()
    noted_on = _past_date(values, "noted_on", errors)
    text = parse_text(values.get("note_text", ""), name="note_text", errors=errors, required=True, max_length=TEXT_MAX)
    if errors or noted_on is None:
        return None, errors
    return NoteInput(noted_on=noted_on, text=text), errors


def status_input_parse(values: dict[str, str]) -> tuple[StatusInput | None, FormErrors]:
    errors = FormErrors()
    status = _choice(values, "status", tuple(CaseStatus), errors, N_("Pilih status baru."))
    note = parse_text(values.get("status_note", ""), name="status_note", errors=errors, max_length=TEXT_MAX)
    if errors:
        return None, errors
    return StatusInput(status=status, note=note), errors


def referral_input_parse(values: dict[str, str]) -> tuple[ReferralInput | None, FormErrors]:
    errors = FormErrors()
    service = _choice(values, "service", SERVICES, errors, N_("Pilih layanan tujuan rujukan."))
    service_name = parse_text(values.get("service_name", ""), name="service_name", errors=errors, max_length=120)
    referred_on = _past_date(values, "referred_on", errors)
    request = parse_text(values.get("request", ""), name="request", errors=errors, required=True, max_length=TEXT_MAX)
    if errors or referred_on is None:
        return None, errors
    return ReferralInput(service=service, service_name=service_name, referred_on=referred_on, request=request), errors


def outcome_input_parse(values: dict[str, str]) -> tuple[OutcomeInput | None, FormErrors]:
    errors = FormErrors()
    outcome_on = _past_date(values, "outcome_on", errors)
    outcome = parse_text(values.get("outcome", ""), name="outcome", errors=errors, required=True, max_length=TEXT_MAX)
    if errors or outcome_on is None:
        return None, errors
    return OutcomeInput(outcome=outcome, outcome_on=outcome_on), errors


def reason_parse(values: dict[str, str]) -> tuple[str | None, FormErrors]:
    errors = FormErrors()
    reason = parse_text(values.get("reason", ""), name="reason", errors=errors, max_length=300)
    if not errors and len(reason) < REASON_MIN:
        errors.add(
            "reason", N_("Tulis alasan membuka kasus rahasia ini (paling sedikit %(n)s karakter)."), n=REASON_MIN
        )
    return (None if errors else reason), errors
