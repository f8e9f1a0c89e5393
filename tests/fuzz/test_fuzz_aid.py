"""Hypothesis over the aid forms: whatever is typed, the parsers never raise and the pages never answer 5xx;
a refused form (422) shows back what was typed."""

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.aid.forms import (
    application_input_parse,
    decision_input_parse,
    end_input_parse,
    gap_filters_parse,
    house_input_parse,
    programme_end_parse,
    programme_input_parse,
    receipt_input_parse,
)
from app.clock import today_local
from app.models import AidApplication, AidProgramme, AidReceipt, Member
from tests.conftest import Browser
from tests.factories import world_make
from tests.fuzz.test_fuzz_routes import NASTY_TEXT, _kept

TODAY = today_local()
FIELDS = [
    "programme_id",
    "member_id",
    "since",
    "source",
    "ended_on",
    "note",
    "submitted_on",
    "decision",
    "decided_on",
    "house_livable",
    "code",
    "name",
    "target",
    "gap",
    "effective_from",
    "effective_until",
    "form_token",
]
VALUE = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.sampled_from(
        [
            "1",
            "3",
            "0",
            "dikabulkan",
            "ditolak",
            "keluarga",
            "anggota",
            "jkn",
            TODAY.isoformat(),
            (TODAY + timedelta(days=1)).isoformat(),
            "2024-01-01",
        ]
    ),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FORM = st.dictionaries(st.sampled_from(FIELDS), VALUE, max_size=len(FIELDS))
FUZZ = settings(
    max_examples=25, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@FUZZ
@given(values=FORM)
def test_parsers_never_raise(values: dict[str, str]) -> None:
    for parse in (receipt_input_parse, end_input_parse, application_input_parse):
        data, errors = parse(values, today=TODAY)
        assert (data is None) == bool(errors)
    for parse_plain in (decision_input_parse, programme_input_parse):
        data, errors = parse_plain(values)
        assert (data is None) == bool(errors)
    house_input_parse(values)
    programme_end_parse(values)
    gap_filters_parse({"wilayah": values.get("code", ""), "kelompok": values.get("programme_id", "")})


def test_aid_forms_never_answer_5xx_and_keep_what_was_typed(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    member = session.exec(select(Member).where(Member.family_id == family.id)).first()
    programme = session.exec(select(AidProgramme).where(AidProgramme.code == "PBI_JK")).one()
    receipt = AidReceipt(
        family_id=family.id or 0,
        member_id=member.id if member else None,
        programme_id=programme.id or 0,
        since=TODAY - timedelta(days=40),
        open_key="fuzz",
    )
    application = AidApplication(family_id=family.id or 0, programme_id=programme.id or 0, submitted_on=TODAY)
    session.add_all([receipt, application])
    session.commit()
    routes = [
        (w.pendamping, f"/kpm/{family.id}/bantuan/program"),
        (w.pendamping, f"/kpm/{family.id}/bantuan/program/{receipt.id}/akhiri"),
        (w.pendamping, f"/kpm/{family.id}/bantuan/rumah"),
        (w.pendamping, f"/kpm/{family.id}/bantuan/permohonan"),
        (w.supervisor, f"/bantuan/permohonan/{application.id}/keputusan"),
        (w.admin, "/admin/bantuan/program"),
        (w.admin, f"/admin/bantuan/program/{programme.id}/akhiri"),
    ]
    failures: list[str] = []
    seen: Counter[int] = Counter()
    for user, url in routes:
        web.login(user.username)
        _fuzz_route(web=web, session=session, url=url, failures=failures, seen=seen)
    assert failures == []
    assert seen[422] and seen[303] + seen[200], seen  # signed in: forms refused and forms saved


def _fuzz_route(*, web: Browser, session: Session, url: str, failures: list[str], seen: Counter[int]) -> None:
    @FUZZ
    @given(values=FORM, htmx=st.booleans())
    def probe(values: dict[str, str], htmx: bool) -> None:
        try:
            response = web.post(url, data=values, htmx_target="aid" if htmx else None)
        finally:
            session.rollback()
        seen[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {url} {sorted(values)}")
        elif response.status_code == 422:
            lost = _kept(response.text, values, url)
            if lost:
                failures.append(f"422 lost {lost} on {url}")

    probe()
