"""Recording assessments at a home visit: drafts, bad input in place, scores and readiness on the family page."""

from datetime import date, timedelta

from sqlmodel import col, select

from app.attendance.service import attendance_summaries_refresh
from app.clock import today_local
from app.models import (
    Assessment,
    AssessmentValue,
    Attendance,
    AuditLog,
    FamilyReadiness,
    Indicator,
    Meeting,
    Member,
)
from tests.conftest import text_of
from tests.factories import meeting_make, world_make


def indicators(session):  # type: ignore[no-untyped-def]
    return list(
        session.exec(select(Indicator).where(col(Indicator.active).is_(True)).order_by(col(Indicator.id))).all()
    )


def full_answers(session, *, yes: bool = True) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answers = {}
    for i in indicators(session):
        answers[f"ind_{i.id}"] = ("90" if yes else "50") if i.value_type == "number" else ("ya" if yes else "tidak")
    return answers


def economy(**changes: str) -> dict[str, str]:
    values = {
        "household_size": "4",
        "monthly_income": "4.500.000",
        "monthly_spending": "Rp 4.080.000",
        "income_sources": "2",
        "desil": "6",
        "has_savings": "ya",
        "roof_ok": "ya",
        "wall_ok": "ya",
        "floor_ok": "ya",
        "safe_water": "ya",
        "healthy_latrine": "ya",
    }
    return {**values, **changes}


def test_draft_shows_unknown_never_not_met(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    first = indicators(session)[0]
    r = web.post(
        f"/kpm/{family.id}/asesmen",
        data={
            "kind": "baseline",
            "assessed_on": today_local().isoformat(),
            f"ind_{first.id}": "ya",
            "household_size": "3",
        },
    )
    assert r.status_code == 303, text_of(r.text)[:400]
    assessment = session.exec(select(Assessment).where(Assessment.family_id == family.id)).one()
    assert assessment.status == "draf"
    page = text_of(web.get(f"/asesmen/{assessment.id}").text)
    assert "Draf: 23 indikator belum diketahui" in page and "tidak terpenuhi" not in page
    assert page.count("belum diketahui") >= 23
    family_page = text_of(web.get(f"/kpm/{family.id}").text)
    expected = "Skor perubahan perilaku tinggi dan naik dari baseline — belum diketahui belum ada asesmen final"
    assert expected in family_page


def test_bad_numbers_are_refused_in_place_with_values_kept(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    data = {
        "kind": "baseline",
        "assessed_on": today_local().isoformat(),
        **economy(monthly_income="satu juta", monthly_spending="-5000", household_size="0"),
    }
    r = web.post(f"/kpm/{w.families[0].id}/asesmen", data=data, htmx_target="assessment-form")
    text = text_of(r.text)
    assert r.status_code == 422
    assert "Harus berupa angka." in text and "Tidak boleh kurang dari 0." in text
    assert "Jumlah anggota rumah tangga minimal 1 orang." in text
    assert 'value="satu juta"' in r.text and 'id="monthly_income-error"' in r.text
    assert "<html" not in r.text  # only the form came back for htmx
    assert session.exec(select(Assessment)).all() == []
    future = web.post(
        f"/kpm/{w.families[0].id}/asesmen",
        data={"kind": "baseline", "assessed_on": (today_local() + timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 422 and "tidak boleh di masa depan" in text_of(future.text)


def test_complete_assessments_score_chart_and_readiness(web, session):
    w = world_make(session)
    family = w.families[0]
    session.add(
        Member(
            family_id=family.id or 0,
            name="Raka",
            birth_date=date(2016, 3, 3),
            sex="L",
            relationship="anak",
            schooling="sd",
        )
    )
    # fourteen core sessions held and attended in the last year
    for no in range(1, 15):
        meeting = meeting_make(
            session, kelompok=w.kelompok, topic_no=no, day=today_local() - timedelta(days=20 * no), status="terlaksana"
        )
        session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="hadir"))
    session.flush()
    attendance_summaries_refresh(session=session, family_ids=[family.id or 0])
    web.login(w.pendamping.username)
    baseline_day = (today_local() - timedelta(days=300)).isoformat()
    r = web.post(
        f"/kpm/{family.id}/asesmen",
        data={"kind": "baseline", "assessed_on": baseline_day, **full_answers(session, yes=False), **economy()},
    )
    assert r.status_code == 303
    r = web.post(
        f"/kpm/{family.id}/asesmen",
        data={"kind": "graduasi", "assessed_on": today_local().isoformat(), **full_answers(session), **economy()},
    )
    assert r.status_code == 303
    finals = session.exec(select(Assessment).where(Assessment.family_id == family.id)).all()
    assert [a.status for a in finals] == ["final", "final"]
    values = session.exec(select(AssessmentValue).where(AssessmentValue.assessment_id == finals[1].id)).all()
    assert len(values) == 24 and all(v.observer_id == w.pendamping.id for v in values)
    stored = session.get(FamilyReadiness, family.id)
    assert stored is not None and stored.verdict == "mandiri"

    page = web.get(f"/kpm/{family.id}").text
    text = text_of(page)
    assert "Siap graduasi sejahtera mandiri" in text
    assert "pengeluaran per kapita Rp 1.020.000 = 1,62 × garis kemiskinan nasional perkotaan 2025" in text
    assert "hadir 14 dari 14 sesi" in text and "Skor terakhir 100 %" in text and "+100 poin sejak baseline" in text
    assert page.count('<svg class="spark"') == 5 and "<polyline" in page
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "assessment")).all()
    assert len(audit) == 2 and all(a.after and '"values"' in a.after for a in audit)


def test_editing_keeps_unchanged_observations(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    first_day = (today_local() - timedelta(days=2)).isoformat()
    answers = full_answers(session)
    first_id = indicators(session)[0].id
    del answers[f"ind_{first_id}"]
    web.post(f"/kpm/{family.id}/asesmen", data={"kind": "baseline", "assessed_on": first_day, **answers, **economy()})
    assessment = session.exec(select(Assessment).where(Assessment.family_id == family.id)).one()
    assert assessment.status == "draf"
    form = web.get(f"/asesmen/{assessment.id}/ubah").text
    assert 'value="4080000"' in form
    answers[f"ind_{first_id}"] = "tidak"
    r = web.post(
        f"/asesmen/{assessment.id}/ubah", data={"kind": "baseline", "assessed_on": first_day, **answers, **economy()}
    )
    assert r.status_code == 303
    session.refresh(assessment)
    assert assessment.status == "final"


def test_supervisor_reads_but_cannot_record(web, session):
    w = world_make(session)
    web.login(w.supervisor.username)
    page = text_of(web.get(f"/kpm/{w.families[0].id}").text)
    assert "Kesiapan graduasi" in page and "Catat asesmen" not in page and "Usulkan graduasi" not in page
    r = web.post(
        f"/kpm/{w.families[0].id}/asesmen", data={"kind": "baseline", "assessed_on": today_local().isoformat()}
    )
    assert r.status_code == 403 and session.exec(select(Assessment)).all() == []


def test_admin_edits_catalogue_without_rewriting_the_past(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    web.post(
        f"/kpm/{family.id}/asesmen",
        data={"kind": "baseline", "assessed_on": today_local().isoformat(), **full_answers(session), **economy()},
    )
    old = indicators(session)[0]
    old_label = old.label
    web.login(w.admin.username)
    r = web.post(f"/admin/aturan/indikator/{old.id}/ubah", data={"label": "Semua anak usia 7–18 tahun bersekolah"})
    assert r.status_code == 303
    session.refresh(old)
    assert not old.active and old.label == old_label
    new = session.exec(select(Indicator).where(Indicator.label == "Semua anak usia 7–18 tahun bersekolah")).one()
    assert new.active and new.domain == old.domain
    assessment = session.exec(select(Assessment).where(Assessment.family_id == family.id)).one()
    page = text_of(web.get(f"/asesmen/{assessment.id}").text)
    assert old_label in page and "indikator sudah diganti" in page

    r = web.post(
        "/admin/aturan/indikator", data={"domain": "EKONOMI", "label": "Punya rekening bank", "value_type": "bool"}
    )
    assert r.status_code == 303
    r = web.post(
        "/admin/aturan/indikator", data={"domain": "EKONOMI", "label": "Aset", "value_type": "number", "target": "x"}
    )
    assert r.status_code == 422 and "memerlukan target" in text_of(r.text)
    r = web.post(
        "/admin/aturan/parameter", data={"key": "yearly_target", "value": "dua belas", "effective_from": "2026-01-01"}
    )
    assert r.status_code == 422 and "Harus berupa angka." in text_of(r.text)
    r = web.post(
        "/admin/aturan/parameter",
        data={"key": "yearly_target", "value": "12", "effective_from": "2026-01-01", "note": "SK 2026"},
    )
    assert r.status_code == 303
    assert "12 (mulai" in text_of(web.get("/admin/aturan").text)
    r = web.post(
        "/admin/aturan/garis-kemiskinan",
        data={"scope": "32.77", "year": "2025", "amount": "Rp 650.000", "source": "BPS Kota Cimahi 2025"},
    )
    assert r.status_code == 303
    web.login(w.pendamping.username)
    text = text_of(web.get(f"/kpm/{family.id}").text)
    assert "garis kemiskinan Kota Cimahi 2025" in text


def test_meeting_counts_are_from_held_meetings_only(session):
    from app.graduation.service import readiness_recompute

    w = world_make(session)
    family = w.families[0]
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=today_local() - timedelta(days=5))
    session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="alpa"))
    session.flush()
    verdict = readiness_recompute(session=session, family_id=family.id or 0)
    assert verdict is not None
    assert {c.code: c.state for c in verdict.criteria}["kehadiran"] == "unknown"
    assert session.exec(select(Meeting)).first() is not None
