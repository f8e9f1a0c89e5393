"""Graduation pages: candidates (with XLSX export), proposals and their review, berita acara, rule settings."""

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response, StreamingResponse

from app.access import (
    REPORTING_ROLES,
    family_get,
    family_kelompok,
    proposal_can_decide,
    proposal_can_verify,
    proposal_require_creator,
    require_role,
)
from app.assessments import service as assessment_service
from app.assessments.forms import indicator_input_parse
from app.assessments.queries import domains_list, indicators_all
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.exports.streams import Sheet, xlsx_stream
from app.forms import FormErrors, form_refusal, form_values, parse_date
from app.graduation import queries, service
from app.graduation.documents import Upload, document_headers, document_path
from app.graduation.facts import poverty_lines_load, rules_on
from app.graduation.forms import (
    PAGE_SIZE,
    candidate_filters_parse,
    candidate_query_params,
    exit_input_parse,
    parameter_input_parse,
    poverty_line_input_parse,
)
from app.graduation.labels import LABELS, STATE_LABELS
from app.graduation.rules import RULE_KEYS, VERDICT_LABELS, WARNING_LABELS, verdict_from_json
from app.i18n import N_, gettext
from app.jobs.queries import job_latest, readiness_pending_status
from app.jobs.service import readiness_recompute_enqueue
from app.models import (
    EXIT_ROUTES,
    PROPOSAL_STATUSES,
    READINESS_VERDICTS,
    AccessAction,
    Area,
    JobKind,
    Kelompok,
    ProposalStatus,
    Role,
    User,
)
from app.replica import ReadSessionDep
from app.settings import get_settings
from app.web import Today, hx_target, redirect, render

router = APIRouter()
PARAMETER_LABELS = {
    "attendance_min_share": N_("Kehadiran P2K2 minimal (pecahan)"),
    "attendance_window_months": N_("Jangka kehadiran (bulan)"),
    "score_min_share": N_("Skor perubahan perilaku minimal (pecahan)"),
    "poverty_multiplier": N_("Kelipatan garis kemiskinan"),
    "desil_min": N_("Desil DTSEN minimal"),
    "household_income_min": N_("Penghasilan rumah tangga minimal (Rp/bulan)"),
    "assets_min": N_("Tanda kesejahteraan minimal (dari 5)"),
    "alpa_streak_warning": N_("Peringatan alpa berturut-turut"),
    "meeting_gap_days": N_("Peringatan kelompok tidak bertemu (hari)"),
    "referral_overdue_days": N_("Rujukan kasus terlambat bila tanpa hasil setelah (hari)"),
    "years_in_pkh_warning": N_("Peringatan lama di PKH (tahun)"),
    "early_childhood_max_age": N_("Umur maksimal anak usia dini"),
    "school_min_age": N_("Umur minimal anak sekolah"),
    "school_max_age": N_("Umur maksimal anak sekolah"),
    "elderly_min_age": N_("Umur minimal lanjut usia"),
    "monitoring_months": N_("Lama pemantauan setelah graduasi (bulan)"),
    "yearly_target": N_("Target graduasi per pendamping per tahun"),
}


# --- candidates ---


def _candidates_context(session: Session, user: User, params: dict[str, str], today: date) -> dict[str, Any]:
    filters = queries.filters_clean(session=session, user=user, filters=candidate_filters_parse(params))
    rows = queries.candidates_list(
        session=session, user=user, filters=filters, limit=PAGE_SIZE + 1, offset=(filters.page - 1) * PAGE_SIZE
    )
    progress = queries.graduation_progress(
        session=session, user=user, year=today.year, kecamatan=filters.kecamatan, limit=PAGE_SIZE + 1
    )
    return {
        "filters": filters,
        "options": queries.filter_options(session=session, user=user, filters=filters),
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "query": candidate_query_params(filters),
        "verdicts": READINESS_VERDICTS,
        "labels": LABELS,
        "counts": queries.verdict_counts(session=session, user=user, filters=filters),
        "progress": progress[:PAGE_SIZE],
        "progress_more": len(progress) > PAGE_SIZE,
        "year": today.year,
        "review": queries.reenrolment_review(session=session, user=user),
    }


@router.get("/graduasi/kandidat", name="graduation_candidates")
def graduation_candidates(request: Request, session: ReadSessionDep, user: CurrentUser, today: Today) -> Response:
    context = _candidates_context(session, user, dict(request.query_params), today)
    if hx_target(request) == "candidates":
        # The table, and the filters out of band: a new kecamatan brings its own kelurahan, kelompok, pendamping.
        return render(
            request, "graduation/candidates.html", {**context, "oob": True}, blocks=["candidates_table", "filters"]
        )
    return render(request, "graduation/candidates.html", context)


@router.post("/graduasi/kandidat/hitung-ulang", name="graduation_recompute")
def graduation_recompute(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    ids = queries.scope_family_ids(session=session, user=user)
    service.readiness_refresh_families(session=session, family_ids=ids, today=today)
    return redirect(request.url_for("graduation_candidates"), request)


XLSX_HEADERS = (
    N_("Nama kepala keluarga"),
    N_("ID PKH"),
    N_("Kelurahan"),
    N_("Kelompok"),
    N_("Pendamping"),
    N_("Kesiapan"),
    N_("Peringatan"),
)


def _xlsx_row(row: queries.CandidateRow) -> list[str]:
    verdict = verdict_from_json(row.details)
    cells = [
        row.head_name,
        row.programme_id,
        row.village_name,
        row.kelompok_name,
        row.pendamping_name,
        gettext(VERDICT_LABELS[row.verdict]) if row.verdict in VERDICT_LABELS else "–",
        ", ".join(gettext(WARNING_LABELS.get(w, w)) for w in row.warnings),
    ]
    for criterion in verdict.criteria if verdict else ():
        cells.append(f"{gettext(STATE_LABELS[criterion.state])}: {criterion.figure}")
    return cells


@router.get("/graduasi/kandidat.xlsx", name="graduation_candidates_xlsx")
def graduation_candidates_xlsx(
    request: Request, session: ReadSessionDep, primary: SessionDep, user: CurrentUser, today: Today
) -> Response:
    filters = queries.filters_clean(
        session=session, user=user, filters=candidate_filters_parse(dict(request.query_params))
    )
    criteria = [
        gettext(h)
        for h in (
            N_("Tanpa komponen"),
            N_("Sesi inti"),
            N_("Kehadiran"),
            N_("Skor perilaku"),
            N_("Ekonomi"),
            N_("Tanda kesejahteraan"),
        )
    ]
    access_record(session=primary, user=user, action=AccessAction.EXPORT, entity="export", detail=str(request.url.path))
    rows = (_xlsx_row(row) for row in queries.candidates_iter(session=session, user=user, filters=filters))
    sheet = Sheet(title=gettext("Kandidat graduasi"), header=[gettext(h) for h in XLSX_HEADERS] + criteria, rows=rows)
    name = f"kandidat-graduasi-{today.isoformat()}.xlsx"
    return StreamingResponse(
        xlsx_stream([sheet]),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- proposals ---


def _proposal_form(
    request: Request,
    session: Session,
    user: User,
    family_id: int,
    today: date,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    kelompok = session.get(Kelompok, family.kelompok_id) if family.kelompok_id else None
    panel = queries.family_graduation_panel(session=session, user=user, family=family, kelompok=kelompok, today=today)
    context = {
        "family": family,
        "panel": panel,
        "values": values,
        "errors": errors,
        "labels": LABELS,
        "max_mb": get_settings().upload_max_bytes // (1024 * 1024),
    }
    return render(request, "graduation/propose.html", context, status=422 if errors else 200)


@router.get("/kpm/{family_id}/usulan-graduasi/baru", name="proposal_new")
def proposal_new(request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    return _proposal_form(request, session, user, family_id, today, {}, {})


async def _upload_read(request: Request, name: str) -> Upload | None:
    """At most one byte past the limit is read, so an oversized file is refused without holding it all."""
    form = await request.form()
    item = form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    data = await item.read(get_settings().upload_max_bytes + 1)
    return Upload(filename=item.filename, declared_type=item.content_type or "", data=data)


@router.post("/kpm/{family_id}/usulan-graduasi", name="proposal_create")
async def proposal_create(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    values = await form_values(request)
    upload = await _upload_read(request, "statement")
    with form_refusal(session=session) as errors:
        proposal = service.proposal_create(
            session=session,
            user=user,
            family_id=family_id,
            statement=upload,
            justification=values.get("justification", "")[:2000],
            today=today,
        )
        return redirect(request.url_for("proposal_detail", proposal_id=proposal.id), request)
    return _proposal_form(request, session, user, family_id, today, values, errors.messages)


def _exit_form(
    request: Request, session: Session, user: User, family_id: int, values: dict[str, str], errors: dict[str, str]
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    context = {
        "family": family,
        "values": values,
        "errors": errors,
        "labels": LABELS,
        "routes": EXIT_ROUTES,
        "max_mb": get_settings().upload_max_bytes // (1024 * 1024),
    }
    return render(request, "graduation/propose_exit.html", context, status=422 if errors else 200)


@router.get("/kpm/{family_id}/usulan-keluar/baru", name="proposal_exit_new")
def proposal_exit_new(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    return _exit_form(request, session, user, family_id, {}, {})


@router.post("/kpm/{family_id}/usulan-keluar", name="proposal_exit_create")
async def proposal_exit_create(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    values = await form_values(request)
    data, errors = exit_input_parse(values)
    upload = await _upload_read(request, "evidence")
    if data is not None:
        with form_refusal(session=session, errors=errors):
            proposal = service.proposal_exit_create(
                session=session,
                user=user,
                family_id=family_id,
                route=data.route,
                reason=data.reason,
                evidence=upload,
                today=today,
            )
            return redirect(request.url_for("proposal_detail", proposal_id=proposal.id), request)
    return _exit_form(request, session, user, family_id, values, errors.messages)


@router.get("/graduasi/usulan", name="proposal_list")
def proposal_list(
    request: Request, session: SessionDep, user: CurrentUser, status: str = "", halaman: int = 1
) -> Response:
    status = status if status in PROPOSAL_STATUSES else ""
    page = max(1, halaman)
    rows = queries.proposals_list(
        session=session, user=user, status=status, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "status": status,
        "statuses": PROPOSAL_STATUSES,
        "labels": LABELS,
    }
    return render(request, "graduation/proposals.html", context)


def _proposal_page(
    request: Request,
    session: Session,
    user: User,
    proposal_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    proposal = queries.proposal_get(session=session, user=user, proposal_id=proposal_id)
    family = family_get(session=session, user=user, family_id=proposal.family_id)
    kelompok = family_kelompok(session=session, family=family)
    context = {
        "proposal": proposal,
        "family": family,
        "labels": LABELS,
        "snapshot": verdict_from_json(proposal.readiness_snapshot),
        "events": queries.proposal_events(session=session, proposal_id=proposal_id),
        "can_verify": proposal_can_verify(user, family, kelompok) and proposal.status == ProposalStatus.DIUSULKAN,
        "can_decide": proposal_can_decide(user, family, kelompok)
        and proposal.status in (ProposalStatus.DIVERIFIKASI, ProposalStatus.DITUNDA),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "graduation/proposal.html", context, status=422 if errors else 200)


@router.get("/graduasi/usulan/{proposal_id}", name="proposal_detail")
def proposal_detail(request: Request, proposal_id: int, session: SessionDep, user: CurrentUser) -> Response:
    return _proposal_page(request, session, user, proposal_id)


@router.post("/graduasi/usulan/{proposal_id}/verifikasi", name="proposal_verify")
def proposal_verify(request: Request, proposal_id: int, session: SessionDep, user: CurrentUser) -> Response:
    with form_refusal(session=session) as errors:
        service.proposal_verify(session=session, user=user, proposal_id=proposal_id)
        return redirect(request.url_for("proposal_detail", proposal_id=proposal_id), request)
    return _proposal_page(request, session, user, proposal_id, errors.messages)


@router.post("/graduasi/usulan/{proposal_id}/kembalikan", name="proposal_send_back")
async def proposal_send_back(request: Request, proposal_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)
    with form_refusal(session=session, prefix="return_") as errors:
        service.proposal_send_back(session=session, user=user, proposal_id=proposal_id, reason=values.get("reason", ""))
        return redirect(request.url_for("proposal_detail", proposal_id=proposal_id), request)
    return _proposal_page(request, session, user, proposal_id, errors.messages, values)


@router.post("/graduasi/usulan/{proposal_id}/keputusan", name="proposal_decide")
def proposal_decide(
    request: Request,
    proposal_id: int,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    # A plain `def` (run in a worker thread): two reviewers deciding at once wait for the writer in turn, never on
    # the event loop.
    values = {"decision": decision, "reason": reason}
    with form_refusal(session=session) as errors:
        service.proposal_decide(
            session=session,
            user=user,
            proposal_id=proposal_id,
            decision=decision,
            reason=reason,
            today=today,
        )
        return redirect(request.url_for("proposal_detail", proposal_id=proposal_id), request)
    return _proposal_page(request, session, user, proposal_id, errors.messages, values)


@router.get("/dokumen/{document_id}", name="document_download")
def document_download(document_id: int, session: SessionDep, user: CurrentUser) -> Response:
    document = queries.document_get(session=session, user=user, document_id=document_id)
    path = document_path(document.sha256)
    if not path.exists():
        raise NotFound(N_("Berkas dokumen tidak ditemukan."))
    access_record(session=session, user=user, action=AccessAction.EXPORT, entity="document", entity_id=document_id)
    media_type, headers = document_headers(document)
    return FileResponse(path, media_type=media_type, headers=headers)


# --- berita acara ---


@router.get("/graduasi/berita-acara", name="berita_acara")
def berita_acara(
    request: Request, session: SessionDep, user: CurrentUser, today: Today, dari: str = "", sampai: str = ""
) -> Response:
    require_role(user, *REPORTING_ROLES)
    errors = FormErrors()
    first = parse_date(dari, name="dari", errors=errors, required=False) or today.replace(day=1)
    last = parse_date(sampai, name="sampai", errors=errors, required=False) or today
    if last < first:
        first, last = last, first
    last = min(last, first + timedelta(days=366))
    rows = queries.approved_between(session=session, user=user, first=first, last=last)
    access_record(
        session=session,
        user=user,
        action=AccessAction.PRINT,
        entity="berita_acara",
        detail=f"{first.isoformat()}..{last.isoformat()}",
    )
    area = session.get(Area, user.area_code) if user.area_code else None
    context = {
        "rows": rows,
        "first": first,
        "last": last,
        "today": today,
        "area": area,
        "labels": LABELS,
        "errors": errors.messages,
    }
    return render(request, "graduation/berita_acara.html", context)


# --- rule settings (admin) ---


def _rules_context(
    session: Session,
    today: date,
    *,
    values: dict[str, dict[str, str]] | None = None,
    errors: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    history = queries.rule_parameters_history(session=session)
    current = rules_on(session=session, day=today)
    lines = sorted(poverty_lines_load(session=session), key=lambda ln: (ln.area_code or "", ln.kind, -ln.year))
    return {
        "current": current,
        "history": history,
        "keys": RULE_KEYS,
        "parameter_labels": PARAMETER_LABELS,
        "lines": lines,
        "domains": domains_list(session=session),
        "indicators": indicators_all(session=session, active_only=False),
        "today": today,
        "values": values or {},
        "errors": errors or {},
    }


def _rules_page(
    request: Request, session: Session, today: date, form: str, values: dict[str, str], errors: dict[str, str]
) -> Response:
    context = _rules_context(session, today, values={form: values}, errors={form: errors})
    return render(request, "graduation/rules.html", context, status=422 if errors else 200)


def _rules_changed(request: Request, session: Session, user: User, today: date) -> Response:
    """Stored verdicts follow a new threshold or poverty line: the recompute is queued for the worker process."""
    readiness_recompute_enqueue(session=session, user=user, today=today)
    return redirect(request.url_for("admin_rules").include_query_params(dihitung_ulang=1), request)


@router.get("/admin/aturan", name="admin_rules")
def admin_rules(
    request: Request, session: SessionDep, user: CurrentUser, today: Today, dihitung_ulang: str = ""
) -> Response:
    require_role(user, Role.ADMIN)
    context = _rules_context(session, today)
    context["recomputing"] = bool(dihitung_ulang)
    context["job"] = job_latest(session=session, kind=JobKind.READINESS_RECOMPUTE)
    context["pending"] = readiness_pending_status(session=session)
    return render(request, "graduation/rules.html", context)


@router.get("/admin/aturan/tugas", name="admin_rules_job")
def admin_rules_job(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The recompute's progress, polled by the rules page while it is queued or running."""
    require_role(user, Role.ADMIN)
    job = job_latest(session=session, kind=JobKind.READINESS_RECOMPUTE)
    pending = readiness_pending_status(session=session)
    return render(request, "graduation/rules.html", {"job": job, "pending": pending}, block="job_status")


@router.post("/admin/aturan/parameter", name="admin_rule_parameter_add")
async def admin_rule_parameter_add(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, errors = parameter_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.rule_parameter_add(
                session=session,
                user=user,
                key=data.key,
                value=data.value,
                effective_from=data.effective_from,
                note=data.note,
            )
            return _rules_changed(request, session, user, today)
    return _rules_page(request, session, today, "parameter", values, errors.messages)


@router.post("/admin/aturan/garis-kemiskinan", name="admin_poverty_line_add")
async def admin_poverty_line_add(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, errors = poverty_line_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.poverty_line_save(
                session=session,
                user=user,
                area_code=data.area_code,
                kind=data.kind,
                year=data.year,
                amount=data.amount,
                source=data.source,
            )
            return _rules_changed(request, session, user, today)
    return _rules_page(request, session, today, "line", values, errors.messages)


@router.post("/admin/aturan/indikator", name="admin_indicator_add")
async def admin_indicator_add(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, errors = indicator_input_parse(values, domains={c for c, _ in domains_list(session=session)})
    if data is not None:
        assessment_service.indicator_add(session=session, user=user, data=data)
        return redirect(request.url_for("admin_rules"), request)
    return _rules_page(request, session, today, "indicator", values, errors.messages)


@router.post("/admin/aturan/indikator/{indicator_id}/pensiun", name="admin_indicator_retire")
def admin_indicator_retire(request: Request, indicator_id: int, session: SessionDep, user: CurrentUser) -> Response:
    assessment_service.indicator_retire(session=session, user=user, indicator_id=indicator_id)
    return redirect(request.url_for("admin_rules"), request)


@router.post("/admin/aturan/indikator/{indicator_id}/ubah", name="admin_indicator_reword")
async def admin_indicator_reword(
    request: Request, indicator_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    with form_refusal(session=session) as errors:
        assessment_service.indicator_reword(
            session=session, user=user, indicator_id=indicator_id, label=values.get("label", "")
        )
        return redirect(request.url_for("admin_rules"), request)
    return _rules_page(request, session, today, f"reword-{indicator_id}", values, errors.messages)
