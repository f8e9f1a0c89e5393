"""Every unsafe route, as every role, answers what app.access says: allowed (2xx, 3xx or 422 for a refused
form) or refused (403, or 404 when the row is out of the user's scope) — and a refused request changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from app import access
from app.auth.security import SESSION_COOKIE, token_sign
from app.auth.service import login_session_open
from app.main import app
from app.models import (
    AidApplication,
    AidProgramme,
    AidReceipt,
    Assessment,
    Attendance,
    AuditLog,
    CaseFile,
    CaseNote,
    CaseType,
    CaseUrgency,
    CorrectionRequest,
    CurriculumModule,
    Family,
    FamilyTransfer,
    GraduationProposal,
    Indicator,
    Kelompok,
    Meeting,
    Member,
    MonthLock,
    QualityReview,
    Referral,
    ReferralService,
    RosterImport,
    RosterImportStatus,
    RuleParameter,
    Topic,
    User,
)
from tests.conftest import Browser
from tests.factories import World, days, family_make, meeting_make, user_make, world_make

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {"login", "logout", "set_language"}  # no signed-in user needed, nothing of anyone else's to change
ROLES = ("admin", "supervisor", "supervisor_utara", "peninjau", "pendamping", "other_pendamping")


@dataclass
class Subject:
    """The rows the routes act on: a kelompok, one of its meetings, a family (in that kelompok, or orphaned)."""

    kelompok: Kelompok
    meeting: Meeting
    family: Family
    family_kelompok: Kelompok | None
    ids: dict[str, int]
    case: CaseFile | None = None  # confidential, on `family`, assigned to its pendamping, with one referral


Rule = Callable[[Subject, User], bool]

RULES: dict[str, Rule] = {
    # a kelompok and its meetings: the kelompok's own pendamping or an admin
    "meeting_create": lambda s, u: access.kelompok_can_edit(u, s.kelompok),
    "meeting_plan_create": lambda s, u: access.kelompok_can_edit(u, s.kelompok),
    "meeting_held": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "meeting_reschedule": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "meeting_cancel": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "attendance_tap": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "attendance_all_present": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "attendance_makeup": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    "meeting_photo_add": lambda s, u: access.meeting_can_edit(u, s.meeting, s.kelompok),
    # supervision: a supervisor of the area or an admin; corrections are asked by the pendamping
    "quality_create": lambda s, u: access.kelompok_can_supervise(u, s.kelompok),
    "month_lock": lambda s, u: access.kelompok_can_supervise(u, s.kelompok),
    "correction_decide": lambda s, u: access.kelompok_can_supervise(u, s.kelompok),
    "correction_create": lambda s, u: access.correction_can_request(u, s.kelompok),
    # a family: its kelompok's editors; with no kelompok, an admin only
    "family_update": lambda s, u: access.family_can_edit(u, s.family, s.family_kelompok),
    "member_create": lambda s, u: access.family_can_edit(u, s.family, s.family_kelompok),
    "member_update": lambda s, u: access.family_can_edit(u, s.family, s.family_kelompok),
    # the register by hand: a kelompok's pendamping, a supervisor of its area or an admin
    "family_create": lambda s, u: access.kelompok_can_register(u, s.kelompok),
    "member_end": lambda s, u: access.family_can_register(u, s.family, s.family_kelompok),
    "family_transfer": lambda s, u: access.family_can_register(u, s.family, s.family_kelompok),
    "family_exit": lambda s, u: access.family_can_register(u, s.family, s.family_kelompok),
    "assessment_create": lambda s, u: access.family_can_edit(u, s.family, s.family_kelompok),
    "assessment_update": lambda s, u: access.family_can_edit(u, s.family, s.family_kelompok),
    "proposal_create": lambda s, u: access.proposal_can_create(u, s.family, s.family_kelompok),
    "proposal_exit_create": lambda s, u: access.proposal_can_create(u, s.family, s.family_kelompok),
    "proposal_verify": lambda s, u: access.proposal_can_verify(u, s.family, s.family_kelompok),
    "proposal_send_back": lambda s, u: access.proposal_can_verify(u, s.family, s.family_kelompok),
    "proposal_decide": lambda s, u: access.proposal_can_decide(u, s.family, s.family_kelompok),
    # cases: the form names its family (scope and right checked on what was typed, else 422); a case's notes,
    # status and referrals: its worker, the area's supervisors (and, if not confidential, the family's editors)
    "case_create": lambda s, u: True,
    "case_note_add": lambda s, u: access.case_can_edit(u, s.case, s.family, s.family_kelompok),  # type: ignore[arg-type]
    "case_status_change": lambda s, u: access.case_can_edit(u, s.case, s.family, s.family_kelompok),  # type: ignore[arg-type]
    "referral_create": lambda s, u: access.case_can_edit(u, s.case, s.family, s.family_kelompok),  # type: ignore[arg-type]
    "referral_outcome": lambda s, u: access.case_can_edit(u, s.case, s.family, s.family_kelompok),  # type: ignore[arg-type]
    "case_break_glass": lambda s, u: access.case_may_break_glass(u),
    # complementary aid: the family's editors or a supervisor of its area record; a supervisor decides
    "aid_receipt_add": lambda s, u: access.aid_can_edit(u, s.family, s.family_kelompok),
    "aid_receipt_end": lambda s, u: access.aid_can_edit(u, s.family, s.family_kelompok),
    "aid_house_set": lambda s, u: access.aid_can_edit(u, s.family, s.family_kelompok),
    "aid_application_create": lambda s, u: access.aid_can_edit(u, s.family, s.family_kelompok),
    "aid_application_decide": lambda s, u: access.aid_can_decide(u, s.family, s.family_kelompok),
    # roster import: admins anywhere, a supervisor within their own area (the import was made in Kota Cimahi)
    "roster_upload": lambda s, u: access.roster_can_import(u),
    "roster_apply": lambda s, u: access.roster_can_import(u) and access.area_visible(u, "32.77"),
    # recomputing stored verdicts of one's own scope: anyone signed in
    "graduation_recompute": lambda s, u: True,
    # one's own password: anyone signed in
    "account_password_change": lambda s, u: True,
    # administration, curriculum and rule settings: admins only
    **{
        name: (lambda s, u: access.user_is_admin(u))
        for name in (
            "admin_user_create",
            "admin_user_toggle",
            "admin_user_password",
            "admin_user_update",
            "admin_user_deactivate",
            "admin_kelompok_create",
            "admin_kelompok_assign",
            "curriculum_topic_update",
            "curriculum_module_update",
            "admin_rule_parameter_add",
            "admin_poverty_line_add",
            "admin_indicator_add",
            "admin_indicator_retire",
            "admin_indicator_reword",
            "admin_aid_programme_add",
            "admin_aid_programme_end",
        )
    },
}
FAMILY_ROUTES = {
    "family_update",
    "member_create",
    "member_update",
    "member_end",
    "family_transfer",
    "family_exit",
    "assessment_create",
    "assessment_update",
    "proposal_create",
    "proposal_exit_create",
    "proposal_verify",
    "proposal_send_back",
    "proposal_decide",
    "aid_receipt_add",
    "aid_receipt_end",
    "aid_house_set",
    "aid_application_create",
    "aid_application_decide",
}
COUNTED: tuple[type[SQLModel], ...] = (
    AuditLog,
    Meeting,
    Attendance,
    Family,
    FamilyTransfer,
    Member,
    Assessment,
    GraduationProposal,
    CorrectionRequest,
    QualityReview,
    MonthLock,
    User,
    Kelompok,
    RuleParameter,
    Indicator,
    CaseFile,
    CaseNote,
    Referral,
    AidProgramme,
    AidReceipt,
    AidApplication,
)


@dataclass
class Endpoint:
    name: str
    path: str
    params: set[str]


def unsafe_routes() -> dict[str, Endpoint]:
    """Every route of the app that accepts an unsafe method (included routers unwrapped)."""
    found: dict[str, Endpoint] = {}
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for r in contexts:
            methods = set(getattr(r, "methods", None) or ())
            if (isinstance(r, APIRoute) or hasattr(r, "original_route")) and methods & UNSAFE and r.name not in PUBLIC:
                found[r.name] = Endpoint(r.name, r.path_format, set(r.param_convertors))
    assert found, "no routes found: has the way FastAPI keeps included routers changed?"
    return found


def test_every_unsafe_route_has_a_rule() -> None:
    """A new route that changes data must say here which access.py rule it follows."""
    assert set(unsafe_routes()) == set(RULES)


def _subject(session: Session, world: World, *, orphan: bool) -> Subject:
    kelompok = world.kelompok
    meeting = meeting_make(session, kelompok=kelompok, topic_no=1, day=days(-1))
    family = world.families[0]
    if orphan:
        family = family_make(session, kelompok=kelompok, head_name="Gita Tanpa Kelompok")
        family.kelompok_id = None
        session.add(family)
    member = session.exec(select(Member).where(Member.family_id == family.id)).first()
    assert member is not None
    assessment = Assessment(family_id=family.id or 0, kind="baseline", assessed_on=days(-2))
    proposal = GraduationProposal(family_id=family.id or 0, route="mandiri", status="diusulkan")
    correction = CorrectionRequest(
        meeting_id=meeting.id or 0,
        family_id=world.families[1].id or 0,
        requested_status="hadir",
        reason="Salah ketuk",
        requested_by_id=world.pendamping.id or 0,
    )
    spare = user_make(session)
    case = CaseFile(
        family_id=family.id or 0,
        case_type=CaseType.KEKERASAN_ANAK,
        urgency=CaseUrgency.TINGGI,
        description="Rahasia",
        confidential=True,
        worker_id=world.pendamping.id or 0,
        opened_on=days(-3),
    )
    session.add_all([assessment, proposal, correction, case])
    session.flush()
    referral = Referral(
        case_id=case.id or 0, service=ReferralService.UPTD_PPA, referred_on=days(-2), request="Konseling"
    )
    session.add(referral)
    session.flush()
    programme = session.exec(select(AidProgramme).where(AidProgramme.code == "SEMBAKO")).one()
    receipt = AidReceipt(family_id=family.id or 0, programme_id=programme.id or 0, since=days(-30), open_key="x")
    application = AidApplication(family_id=family.id or 0, programme_id=programme.id or 0, submitted_on=days(-2))
    session.add_all([receipt, application])
    roster = RosterImport(
        filename="kpm.csv",
        stored_name="x.csv",
        file_kind="csv",
        size=1,
        sha256="0",
        status=RosterImportStatus.SIAP,
        created_by_id=world.admin.id or 0,
        area_code="32.77",
    )
    session.add_all([assessment, proposal, correction, roster])
    session.flush()
    topic = session.exec(select(Topic)).first()
    module = session.exec(select(CurriculumModule)).first()
    indicator = session.exec(select(Indicator)).first()
    assert topic and module and indicator
    ids = {
        "kelompok_id": kelompok.id,
        "meeting_id": meeting.id,
        "family_id": family.id,
        "member_id": member.id,
        "assessment_id": assessment.id,
        "proposal_id": proposal.id,
        "request_id": correction.id,
        "user_id": spare.id,
        "topic_id": topic.id,
        "module_id": module.id,
        "indicator_id": indicator.id,
        "case_id": case.id,
        "referral_id": referral.id,
        "receipt_id": receipt.id,
        "application_id": application.id,
        "programme_id": programme.id,
        "import_id": roster.id,
    }
    session.commit()
    family_kelompok = None if orphan else kelompok
    return Subject(kelompok, meeting, family, family_kelompok, {k: v or 0 for k, v in ids.items()}, case)


def _fingerprint(session: Session) -> dict[str, int]:
    session.expire_all()
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in COUNTED}


def _sign_in(session: Session, web: Browser, user: User) -> None:
    token = login_session_open(session=session, user=user, previous_token=None)
    web.client.cookies.set(SESSION_COOKIE, token_sign(token))


CASES = [(name, False) for name in sorted(RULES)] + [(name, True) for name in sorted(FAMILY_ROUTES)]


@pytest.mark.parametrize(("name", "orphan"), CASES, ids=[f"{n}{'-orphan' if o else ''}" for n, o in CASES])
def test_route_answers_what_access_says(session: Session, web: Browser, name: str, orphan: bool) -> None:
    world = world_make(session)
    subject = _subject(session, world, orphan=orphan)
    route = unsafe_routes()[name]
    url = route.path.format(**{key: subject.ids[key] for key in route.params})
    users = {role: getattr(world, role) for role in ROLES}
    expected = {role: RULES[name](subject, user) for role, user in users.items()}
    web.csrf()
    # Refused roles first, so an allowed request that changes the rows cannot hide a refusal.
    mismatches = []
    for role in sorted(ROLES, key=lambda r: expected[r]):
        _sign_in(session, web, users[role])
        before = _fingerprint(session)
        response = web.post(url, data={})
        refused = response.status_code in (403, 404)
        allowed = response.status_code < 400 or response.status_code == 422
        if expected[role] and not allowed or not expected[role] and not refused:
            mismatches.append(
                f"{role}: access says {'allowed' if expected[role] else 'refused'}, got {response.status_code}"
            )
        if refused:
            assert _fingerprint(session) == before, f"{name} as {role} was refused but changed the database"
    assert not mismatches, f"{name} ({url}): " + "; ".join(mismatches)


def test_family_without_kelompok_is_edited_by_admin_only(session: Session, web: Browser) -> None:
    """The form and its POST agree: a supervisor of the area is refused both, and nothing is saved."""
    world = world_make(session)
    subject = _subject(session, world, orphan=True)
    family_id = subject.ids["family_id"]
    data = {"head_name": "Nama Baru", "kk_number": subject.family.kk_number, "address": "Jl. Baru"}
    web.csrf()
    _sign_in(session, web, world.supervisor)
    assert web.get(f"/kpm/{family_id}").status_code == 200
    assert web.get(f"/kpm/{family_id}/ubah").status_code == 403
    assert web.post(f"/kpm/{family_id}/ubah", data=data).status_code == 403
    session.expire_all()
    assert session.get(Family, family_id).head_name == "Gita Tanpa Kelompok"  # type: ignore[union-attr]
    _sign_in(session, web, world.admin)
    assert web.post(f"/kpm/{family_id}/ubah", data=data).status_code == 303
    session.expire_all()
    assert session.get(Family, family_id).head_name == "Nama Baru"  # type: ignore[union-attr]
