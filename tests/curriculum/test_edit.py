"""The curriculum page: everyone reads it, administrators edit sessions and switch modules."""

import json

import pytest
from sqlmodel import select

from app.curriculum.queries import topics_active
from app.models import AuditLog, CurriculumModule, Topic
from tests.conftest import text_of
from tests.factories import topic_core, world_make


def stunting(session) -> CurriculumModule:
    return session.exec(select(CurriculumModule).where(CurriculumModule.code == "STUNTING")).one()


@pytest.mark.parametrize("who", ["pendamping", "supervisor", "peninjau"])
def test_everyone_reads_the_curriculum_without_edit_forms(web, session, who):
    w = world_make(session)
    web.login(getattr(w, who).username)
    page = web.get("/kurikulum")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Modul 1 · " in text and "Menjadi Orang Tua yang Lebih Baik 120 menit Ya Ya Aktif" in text
    assert "140 menit" in text and "Inti Aktif" in text and "Pilihan Nonaktif" in text  # stunting: optional, off
    assert "Ubah sesi" not in text and '<form method="post" action="/kurikulum' not in page.text


def test_admin_edits_topic_title_duration_and_switch(web, session):
    w = world_make(session)
    topic = topic_core(session, 3)
    web.login(w.admin.username)
    page = web.get("/kurikulum")
    assert f'id="topic-{topic.id}"' in page.text and "Ubah sesi" in page.text
    response = web.post(
        f"/kurikulum/sesi/{topic.id}",
        htmx_target=f"topic-{topic.id}",
        data={"title": "Disiplin Positif di Rumah", "duration_minutes": "90", "active": "1"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tbody id="topic-{topic.id}"')
    assert "Disiplin Positif di Rumah" in response.text and "Tersimpan." in response.text
    session.refresh(topic)
    assert (topic.title, topic.duration_minutes, topic.active) == ("Disiplin Positif di Rumah", 90, True)
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "topic", AuditLog.entity_id == str(topic.id))).one()
    assert audit.user_id == w.admin.id
    assert json.loads(audit.after or "{}")["title"] == "Disiplin Positif di Rumah"
    # without the checkbox the session is switched off and no longer offered for scheduling
    response = web.post(
        f"/kurikulum/sesi/{topic.id}", data={"title": "Disiplin Positif di Rumah", "duration_minutes": "90"}
    )
    assert response.status_code == 303 and response.headers["location"].endswith(f"/kurikulum#topic-{topic.id}")
    session.refresh(topic)
    assert topic.active is False
    assert topic.id not in {t.id for t in topics_active(session=session)}
    assert "Disiplin Positif di Rumah 90 menit Ya Ya Nonaktif" in text_of(web.get("/kurikulum").text)


def test_topic_errors_round_trip_at_422(web, session):
    w = world_make(session)
    topic = topic_core(session, 1)
    web.login(w.admin.username)
    response = web.post(
        f"/kurikulum/sesi/{topic.id}", data={"title": "Judul Baru Diketik", "duration_minutes": "20", "active": "1"}
    )
    assert response.status_code == 422
    assert "Tidak boleh kurang dari 30." in text_of(response.text)
    assert 'value="Judul Baru Diketik"' in response.text and 'value="20"' in response.text
    assert "<h1>" in response.text  # the whole page, the form opened at its error
    response = web.post(
        f"/kurikulum/sesi/{topic.id}", htmx_target=f"topic-{topic.id}", data={"title": " ", "duration_minutes": "400"}
    )
    assert response.status_code == 422 and response.text.lstrip().startswith("<tbody")
    assert "Wajib diisi." in text_of(response.text) and "Tidak boleh lebih dari 300." in text_of(response.text)
    response = web.post(f"/kurikulum/sesi/{topic.id}", data={"title": "x" * 301, "duration_minutes": "120"})
    assert response.status_code == 422 and "Terlalu panjang (maksimal 300 karakter)." in text_of(response.text)
    session.refresh(topic)
    assert topic.title == "Menjadi Orang Tua yang Lebih Baik" and topic.duration_minutes == 120
    audit = select(AuditLog).where(AuditLog.entity == "topic", AuditLog.user_id == w.admin.id)
    assert session.exec(audit).first() is None


def test_admin_switches_on_the_stunting_module(web, session):
    w = world_make(session)
    module = stunting(session)
    assert module.active is False
    first = session.exec(select(Topic).where(Topic.module_id == module.id).order_by(Topic.no)).first()
    assert first is not None and first.id not in {t.id for t in topics_active(session=session)}
    web.login(w.admin.username)
    response = web.post(
        f"/kurikulum/modul/{module.id}", htmx_target=f"module-{module.id}", data={"title": module.title, "active": "1"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<section id="module-{module.id}"')
    assert "Aktif" in text_of(response.text) and "Tersimpan." in response.text
    session.refresh(module)
    assert module.active is True
    assert first.id in {t.id for t in topics_active(session=session)}
    audit = session.exec(
        select(AuditLog).where(AuditLog.entity_id == str(module.id), AuditLog.entity == "curriculum_module")
    ).one()
    assert json.loads(audit.before or "{}")["active"] is False and json.loads(audit.after or "{}")["active"] is True
    # the meeting form now offers the stunting sessions
    assert first.title in web.get(f"/kelompok/{w.kelompok.id}/pertemuan/baru").text
    # and switched off again, without JavaScript
    response = web.post(f"/kurikulum/modul/{module.id}", data={"title": module.title})
    assert response.status_code == 303
    session.refresh(module)
    assert module.active is False


def test_module_title_required(web, session):
    w = world_make(session)
    module = stunting(session)
    web.login(w.admin.username)
    response = web.post(f"/kurikulum/modul/{module.id}", data={"title": "", "active": "1"})
    assert response.status_code == 422 and "Wajib diisi." in text_of(response.text)
    session.refresh(module)
    assert module.active is False


@pytest.mark.parametrize("who", ["pendamping", "supervisor", "peninjau"])
def test_non_admin_post_is_forbidden(web, session, who):
    w = world_make(session)
    topic = topic_core(session, 2)
    module = stunting(session)
    web.login(getattr(w, who).username)
    response = web.post(f"/kurikulum/sesi/{topic.id}", data={"title": "Dibajak", "duration_minutes": "60"})
    assert response.status_code == 403
    assert "Peran Anda tidak berwenang melakukan tindakan ini." in text_of(response.text)
    assert web.post(f"/kurikulum/modul/{module.id}", data={"title": "Dibajak", "active": "1"}).status_code == 403
    session.refresh(topic)
    session.refresh(module)
    assert topic.title != "Dibajak" and module.active is False


def test_unknown_topic_is_404(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    assert web.post("/kurikulum/sesi/999999", data={"title": "X", "duration_minutes": "60"}).status_code == 404
    assert web.post("/kurikulum/modul/999999", data={"title": "X"}).status_code == 404
