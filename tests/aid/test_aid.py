"""Complementary aid through the pages: gaps on the family page, programmes added and ended, applications filed
and decided, gap counts and lists by area, the catalogue; scope of every role."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlmodel import Session, col, func, select

from app.aid.queries import GapScope, family_aid, gap_summary, programme_by_code
from app.aid.rules import MEMBER_GAPS
from app.aid.service import aid_programme_set
from app.errors import RuleViolation
from app.models import (
    AccessLog,
    AidApplication,
    AidApplicationStatus,
    AidGap,
    AidReceipt,
    AuditLog,
    Family,
    Member,
    Schooling,
)
from tests.conftest import Browser, text_of
from tests.factories import World, family_make, world_make


def programme_id(session: Session, code: str) -> int:
    programme = programme_by_code(session=session, code=code)
    assert programme is not None
    return programme.id or 0


def member_of(session: Session, family: Family) -> Member:
    member = session.exec(select(Member).where(Member.family_id == family.id)).first()
    assert member is not None
    return member


def gaps_of(session: Session, family: Family, today: date) -> set[tuple[str, int | None]]:
    session.expire_all()
    fresh = session.get(Family, family.id)
    assert fresh is not None
    return {(g.gap, g.member_id) for g in family_aid(session=session, family=fresh, today=today).gaps}


def test_family_page_loads_the_aid_panel_with_its_gaps(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    page = web.get(f"/kpm/{family.id}")
    assert page.status_code == 200
    assert f'hx-get="http://testserver/kpm/{family.id}/bantuan"' in page.text
    panel = web.get(f"/kpm/{family.id}/bantuan", headers={"HX-Request": "true", "HX-Target": "aid"})
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith('<section id="aid">')
    shown = text_of(panel.text)
    assert "Keluarga tanpa Program Sembako/BPNT" in shown
    assert "Anggota tanpa JKN (PBI-JK/KIS): Ani Suryani" in shown


def test_recording_a_programme_closes_its_gap_and_is_audited(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    data = {"programme_id": programme_id(session, "SEMBAKO"), "since": "2024-01-15", "source": "DTSEN"}
    response = web.post(f"/kpm/{family.id}/bantuan/program", data=data, htmx_target="aid")
    assert response.status_code == 200, response.text[:500]
    assert "Keluarga tanpa Program Sembako" not in text_of(response.text)
    assert (AidGap.SEMBAKO, None) not in gaps_of(session, family, w.today)
    receipt = session.exec(select(AidReceipt).where(AidReceipt.family_id == family.id)).one()
    assert receipt.since == date(2024, 1, 15) and receipt.source == "DTSEN" and receipt.created_by_id == w.pendamping.id
    assert session.exec(select(AuditLog).where(AuditLog.entity == "aid_receipt", AuditLog.action == "create")).first()
    # the same programme again is refused with a message, not a second row
    again = web.post(f"/kpm/{family.id}/bantuan/program", data=data)
    assert again.status_code == 422 and "sudah tercatat" in again.text
    # ended: the gap comes back, the history stays
    end = web.post(f"/kpm/{family.id}/bantuan/program/{receipt.id}/akhiri", data={"ended_on": w.today.isoformat()})
    assert end.status_code == 303
    assert (AidGap.SEMBAKO, None) in gaps_of(session, family, w.today)
    session.refresh(receipt)
    assert receipt.ended_on == w.today and receipt.open_key is None


def test_member_programme_needs_a_member_and_family_programme_refuses_one(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    member = member_of(session, family)
    web.login(w.pendamping.username)
    url = f"/kpm/{family.id}/bantuan/program"
    base = {"since": "2024-01-15", "source": "Kartu KIS"}
    response = web.post(url, data={**base, "programme_id": programme_id(session, "PBI_JK")})
    assert response.status_code == 422 and "per anggota" in response.text
    response = web.post(url, data={**base, "programme_id": programme_id(session, "SEMBAKO"), "member_id": member.id})
    assert response.status_code == 422 and "per keluarga" in response.text
    stranger = member_of(session, w.other_family)
    response = web.post(url, data={**base, "programme_id": programme_id(session, "PBI_JK"), "member_id": stranger.id})
    assert response.status_code == 422 and "tidak ditemukan di keluarga ini" in response.text
    assert session.exec(select(func.count()).select_from(AidReceipt)).one() == 0


def test_bad_input_gets_messages_in_indonesian_with_values_kept(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    tomorrow = (w.today + timedelta(days=1)).isoformat()
    response = web.post(
        f"/kpm/{family.id}/bantuan/permohonan",
        data={"programme_id": "", "submitted_on": tomorrow, "note": "Belum punya KIS, sakit-sakitan"},
    )
    assert response.status_code == 422
    shown = text_of(response.text)
    assert "Pilih program." in shown and "Tanggal tidak boleh di masa depan." in shown
    assert f'value="{tomorrow}"' in response.text and "Belum punya KIS, sakit-sakitan</textarea>" in response.text
    response = web.post(f"/kpm/{family.id}/bantuan/program", data={"programme_id": "1", "since": "", "source": ""})
    assert response.status_code == 422 and "Tanggal wajib diisi." in response.text and "Wajib diisi." in response.text
    assert session.exec(select(func.count()).select_from(AidApplication)).one() == 0


def _file(session: Session, web: Browser, w: World, family: Family, member: Member) -> AidApplication:
    data = {
        "programme_id": programme_id(session, "PBI_JK"),
        "member_id": member.id,
        "submitted_on": w.today.isoformat(),
        "note": "Diusulkan PBI-JK",
        "form_token": "tok-" + str(member.id),
    }
    response = web.post(f"/kpm/{family.id}/bantuan/permohonan", data=data)
    assert response.status_code == 303, text_of(response.text)[:500]
    assert web.post(f"/kpm/{family.id}/bantuan/permohonan", data=data).status_code == 303  # sent twice: one
    return session.exec(select(AidApplication).where(AidApplication.family_id == family.id)).one()


def test_application_granted_adds_the_programme_and_closes_the_gap(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    member = member_of(session, family)
    assert (AidGap.JKN, member.id) in gaps_of(session, family, w.today)
    web.login(w.pendamping.username)
    application = _file(session, web, w, family, member)
    assert application.status == AidApplicationStatus.DIAJUKAN
    # the pendamping files, the supervisor decides
    assert web.post(f"/bantuan/permohonan/{application.id}/keputusan", data={}).status_code == 403
    web.login(w.supervisor.username)
    queue = web.get("/bantuan/antrean")
    assert queue.status_code == 200 and "Ani Suryani" in text_of(queue.text)
    assert 'hx-get="http://testserver/bantuan/antrean"' in web.get("/").text
    decide = f"/bantuan/permohonan/{application.id}/keputusan"
    late = web.post(decide, data={"decision": "dikabulkan", "decided_on": (w.today + timedelta(days=3)).isoformat()})
    assert late.status_code == 422 and "masa depan" in late.text
    early = web.post(decide, data={"decision": "dikabulkan", "decided_on": (w.today - timedelta(days=3)).isoformat()})
    assert early.status_code == 422 and "sebelum tanggal pengajuan" in early.text
    response = web.post(decide, data={"decision": "dikabulkan", "decided_on": w.today.isoformat(), "note": "OK"})
    assert response.status_code == 303
    session.expire_all()
    application = session.get(AidApplication, application.id)
    assert application is not None and application.status == AidApplicationStatus.DIKABULKAN
    assert application.decided_by_id == w.supervisor.id and application.receipt_id is not None
    assert (AidGap.JKN, member.id) not in gaps_of(session, family, w.today)
    again = web.post(decide, data={"decision": "ditolak", "decided_on": w.today.isoformat(), "note": "x"})
    assert again.status_code == 422 and "sudah diputuskan" in again.text
    assert "Tidak ada permohonan yang menunggu keputusan." in text_of(web.get("/bantuan/antrean").text)


def test_refusal_needs_a_reason_and_adds_nothing(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[1]
    member = member_of(session, family)
    web.login(w.pendamping.username)
    application = _file(session, web, w, family, member)
    web.login(w.supervisor.username)
    decide = f"/bantuan/permohonan/{application.id}/keputusan"
    response = web.post(decide, data={"decision": "ditolak", "decided_on": w.today.isoformat()})
    assert response.status_code == 422 and "Tuliskan alasan penolakan." in response.text
    response = web.post(decide, data={"decision": "ditolak", "decided_on": w.today.isoformat(), "note": "Sudah BPJS"})
    assert response.status_code == 303
    assert session.exec(select(func.count()).select_from(AidReceipt)).one() == 0
    assert (AidGap.JKN, member.id) in gaps_of(session, family, w.today)


def test_other_areas_and_other_pendamping_cannot_see_or_change(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    member = member_of(session, family)
    web.login(w.pendamping.username)
    application = _file(session, web, w, family, member)
    data = {"programme_id": programme_id(session, "SEMBAKO"), "since": "2024-01-15", "source": "DTSEN"}
    for username in (w.supervisor_utara.username, w.other_pendamping.username):
        web.login(username)
        assert web.get(f"/kpm/{family.id}/bantuan").status_code == 404
        assert web.post(f"/kpm/{family.id}/bantuan/program", data=data).status_code == 404
        assert web.get(f"/bantuan/permohonan/{application.id}").status_code == 404
        decision = {"decision": "dikabulkan", "decided_on": w.today.isoformat()}
        assert web.post(f"/bantuan/permohonan/{application.id}/keputusan", data=decision).status_code == 404
        assert "Ani Suryani" not in web.get("/bantuan/antrean").text
    web.login(w.supervisor_utara.username)
    assert web.get("/bantuan/kesenjangan?wilayah=32.77.01").status_code == 404
    assert web.get(f"/bantuan/kesenjangan/{AidGap.JKN}?wilayah=32.77.01").status_code == 404
    totals = web.get("/bantuan/kesenjangan")
    assert totals.status_code == 200 and "Ani Suryani" not in web.get(f"/bantuan/kesenjangan/{AidGap.JKN}").text
    web.login(w.peninjau.username)  # sees, does not change
    assert web.get(f"/kpm/{family.id}/bantuan").status_code == 200
    assert web.post(f"/kpm/{family.id}/bantuan/program", data=data).status_code == 403
    web.login(w.supervisor.username)  # a social worker of the area records programmes too
    assert web.post(f"/kpm/{family.id}/bantuan/program", data=data).status_code == 303
    assert session.exec(select(func.count()).select_from(AidReceipt)).one() == 1


def test_gap_counts_by_area_and_kelompok_match_the_rules_and_drill_down(session: Session, web: Browser) -> None:
    w = world_make(session)
    child = Member(
        family_id=w.families[0].id or 0,
        name="Rudi Anak",
        birth_date=date(w.today.year - 10, 1, 1),
        sex="L",
        relationship="anak",
        schooling=Schooling.SD,
        has_birth_certificate=False,
    )
    session.add(child)
    w.families[1].house_livable = False
    session.add(w.families[1])
    session.flush()
    aid_programme_set(
        session=session,
        family_id=w.families[2].id,
        programme_code="SEMBAKO",
        since=date(2024, 1, 1),
        source="DTSEN",
        actor=w.admin,
    )
    scope = GapScope(user=w.supervisor, area_code="32.77")
    summary = gap_summary(session=session, scope=scope, today=w.today)
    expected: dict[str, int] = dict.fromkeys(summary.checked, 0)
    for family in session.exec(select(Family).where(col(Family.village_code).like("32.77.%"))).all():
        for gap in family_aid(session=session, family=family, today=w.today).gaps:
            expected[gap.gap] += 1
    assert summary.totals == expected
    assert summary.totals[AidGap.PIP] == 1 and summary.totals[AidGap.ADMINDUK] == 7  # the factory gives no NIK
    assert summary.totals[AidGap.RUTILAHU] == 1 and summary.totals[AidGap.SEMBAKO] == 5
    assert {r.key for r in summary.by_area} == {"32.77.01"}
    assert sum(r.counts[AidGap.JKN] for r in summary.by_kelompok) == summary.totals[AidGap.JKN]
    web.login(w.supervisor.username)
    page = web.get("/bantuan/kesenjangan")
    assert page.status_code == 200 and "Cimahi Selatan" in page.text and "Kelompok Mawar" in page.text
    listing = web.get(f"/bantuan/kesenjangan/{AidGap.PIP}?kelompok={w.kelompok.id}")
    assert listing.status_code == 200 and "Rudi Anak" in text_of(listing.text)
    download = web.get(f"/bantuan/kesenjangan/{AidGap.SEMBAKO}/unduh.xlsx?wilayah=32.77.01")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + summary.totals[AidGap.SEMBAKO]
    assert "Budi Santoso" in {r[1] for r in rows}
    assert session.exec(select(AccessLog).where(AccessLog.action == "export")).first() is not None
    assert {AidGap.PIP, AidGap.JKN, AidGap.ADMINDUK} <= MEMBER_GAPS
    web.login(w.pendamping.username)
    assert web.get("/bantuan/kesenjangan").status_code == 403


def test_house_livability_is_recorded_and_audited(session: Session, web: Browser) -> None:
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    assert web.post(f"/kpm/{family.id}/bantuan/rumah", data={"house_livable": "0"}).status_code == 303
    assert (AidGap.RUTILAHU, None) in gaps_of(session, family, w.today)
    assert web.post(f"/kpm/{family.id}/bantuan/rumah", data={"house_livable": "x"}).status_code == 422
    audit = session.exec(select(AuditLog).where(AuditLog.action == "house_livable")).one()
    assert audit.after == '{"house_livable": false}'


def test_admin_edits_the_catalogue_with_dates(session: Session, web: Browser) -> None:
    w = world_make(session)
    web.login(w.admin.username)
    assert web.get("/admin/bantuan").status_code == 200
    data = {"code": "gakinda", "name": "Gakinda Cimahi", "target": "anggota", "gap": "", "effective_from": "2025-01-01"}
    assert web.post("/admin/bantuan/program", data=data).status_code == 303
    assert programme_by_code(session=session, code="GAKINDA") is not None
    again = web.post("/admin/bantuan/program", data=data)
    assert again.status_code == 422 and "sudah dipakai" in again.text and 'value="gakinda"' in again.text
    pbi = programme_id(session, "PBI_JK")
    early = web.post(f"/admin/bantuan/program/{pbi}/akhiri", data={"effective_until": "2019-01-01"})
    assert early.status_code == 422
    yesterday = (w.today - timedelta(days=1)).isoformat()
    assert web.post(f"/admin/bantuan/program/{pbi}/akhiri", data={"effective_until": yesterday}).status_code == 303
    # no programme in force closes the JKN gap any more: it is not counted
    summary = gap_summary(session=session, scope=GapScope(user=w.admin), today=w.today)
    assert AidGap.JKN not in summary.checked
    web.login(w.supervisor.username)
    assert web.post("/admin/bantuan/program", data=data).status_code == 403


def test_programme_set_for_the_roster_import_is_idempotent(session: Session) -> None:
    w = world_make(session)
    member = member_of(session, w.families[0])
    first = aid_programme_set(
        session=session,
        member_id=member.id,
        programme_code="pbi_jk",
        since=date(2023, 5, 1),
        source="Impor",
        actor=w.admin,
    )
    second = aid_programme_set(
        session=session,
        member_id=member.id,
        programme_code="PBI_JK",
        since=date(2024, 5, 1),
        source="Impor",
        actor=w.admin,
    )
    assert first.id == second.id and second.since == date(2023, 5, 1)
    try:
        aid_programme_set(
            session=session,
            family_id=w.families[0].id,
            programme_code="NOPE",
            since=date(2023, 5, 1),
            source="",
            actor=w.admin,
        )
    except RuleViolation as exc:
        assert exc.field == "programme_id"
    else:
        raise AssertionError("an unknown code is refused")
    other = family_make(session, kelompok=w.kelompok)
    assert (
        aid_programme_set(
            session=session, family_id=other.id, programme_code="SEMBAKO", since=date(2023, 5, 1), source="", actor=None
        ).member_id
        is None
    )
