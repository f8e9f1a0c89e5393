"""Changing a rule at /admin/aturan: the stored verdicts follow, recomputed by the worker (tests/jobs)."""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.clock import today_local
from app.graduation.rules import verdict_from_json
from app.graduation.service import readiness_recompute_all
from app.jobs.service import jobs_drain
from app.models import Family, FamilyReadiness, Indicator
from tests.conftest import Browser, text_of
from tests.factories import family_make, world_make


def stored(session: Session, family: Family) -> FamilyReadiness:
    """The row as the background task left it, not as this session remembers it."""
    session.expire_all()
    row = session.get(FamilyReadiness, family.id)
    assert row is not None
    return row


def test_parameter_change_recomputes_stored_verdicts(web: Browser, session: Session) -> None:
    w = world_make(session)
    today = today_local()
    # A 19-year-old still at SMA keeps the family in PKH while school age runs to 21.
    family = family_make(
        session,
        kelompok=w.kelompok,
        head_name="Neneng Rohayati",
        members=[
            {
                "name": "Neneng Rohayati",
                "birth_date": date(1980, 3, 2),
                "sex": "P",
                "relationship": "kepala",
                "is_pengurus": True,
            },
            {
                "name": "Rizky Pratama",
                "birth_date": today - timedelta(days=19 * 365 + 60),
                "sex": "L",
                "relationship": "anak",
                "schooling": "sma",
            },
        ],
    )
    readiness_recompute_all(session=session, today=today)
    assert stored(session, family).verdict == "belum"

    web.login(w.admin.username)
    r = web.post(
        "/admin/aturan/parameter",
        data={"key": "school_max_age", "value": "18", "effective_from": today.isoformat(), "note": "uji"},
    )
    assert r.status_code == 303
    assert jobs_drain(session=session) == 1
    assert stored(session, family).verdict == "alamiah"
    page = text_of(web.get(r.headers["location"]).text)
    assert "Kesiapan graduasi semua KPM dihitung ulang dengan aturan baru" in page
    assert "dengan aturan baru" not in text_of(web.get("/admin/aturan").text)


def test_poverty_line_change_recomputes_stored_verdicts(web: Browser, session: Session) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    answers = {
        f"ind_{i.id}": "90" if i.value_type == "number" else "ya"
        for i in session.exec(select(Indicator).where(col(Indicator.active).is_(True))).all()
    }
    # Spending Rp 4.080.000 for 4 people: 1,62 × the national urban line, below 1,5 × a line of Rp 700.000;
    # income under Rp 4 juta and desil 3, so the line alone decides the economy criterion.
    r = web.post(
        f"/kpm/{family.id}/asesmen",
        data={
            "kind": "baseline",
            "assessed_on": today_local().isoformat(),
            "household_size": "4",
            "monthly_income": "3.000.000",
            "monthly_spending": "4.080.000",
            "income_sources": "2",
            "desil": "3",
            **answers,
        },
    )
    assert r.status_code == 303

    def economy_state() -> str:
        verdict = verdict_from_json(stored(session, family).details)
        assert verdict is not None
        return next(c.state for c in verdict.criteria if c.code == "ekonomi")

    assert economy_state() == "met"
    web.login(w.admin.username)
    r = web.post(
        "/admin/aturan/garis-kemiskinan",
        data={"scope": "32.77", "year": str(today_local().year), "amount": "700000", "source": "BPS Kota Cimahi"},
    )
    assert r.status_code == 303 and "dihitung_ulang=1" in r.headers["location"]
    assert jobs_drain(session=session) == 1
    assert economy_state() == "not_met"
    assert "Kota Cimahi" in stored(session, family).details
