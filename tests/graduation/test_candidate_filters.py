"""The candidates filter offers no more choices than OPTION_LIMIT: kelurahan, kelompok and pendamping come once a
kecamatan narrows them (in the same response, out of band, for htmx), and the page works as a plain GET form."""

import re

import pytest

from app.graduation import queries
from app.graduation.service import readiness_recompute_all
from tests.conftest import text_of
from tests.factories import family_make, kelompok_make, user_make, world_make


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S)
    assert select is not None, name
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


def test_choices_narrow_by_kecamatan(web, session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "OPTION_LIMIT", 2)
    w = world_make(session)
    p3 = user_make(session, full_name="Rina Pendamping")
    utara = kelompok_make(session, pendamping=p3, name="Kelompok Kenanga", village_code="32.77.03.1001")
    family_make(session, kelompok=utara, head_name="Gita Utami")
    readiness_recompute_all(session=session)
    web.login(w.supervisor.username)

    page = web.get("/graduasi/kandidat")
    assert page.status_code == 200
    assert options(page.text, "kecamatan") == ["32.77.01", "32.77.03"]
    assert options(page.text, "kelompok") == [] and "Pilih kecamatan atau kelurahan dulu" in text_of(page.text)
    assert options(page.text, "pendamping") == [] and "Pilih kecamatan dulu untuk memilih pendamping" in page.text

    # htmx: a kecamatan brings its own choices out of band, with the table
    fragment = web.get(
        "/graduasi/kandidat?kecamatan=32.77.03", headers={"HX-Request": "true", "HX-Target": "candidates"}
    )
    assert "<html" not in fragment.text and 'id="candidate-filter-fields" hx-swap-oob="true"' in fragment.text
    assert options(fragment.text, "kelompok") == [str(utara.id)]
    assert options(fragment.text, "pendamping") == [str(p3.id)]
    assert "Gita Utami" in fragment.text and "Ani Suryani" not in fragment.text

    # no JavaScript: the same choices on the full page; a kelompok outside the chosen kecamatan is dropped
    page = web.get(f"/graduasi/kandidat?kecamatan=32.77.01&kelurahan=32.77.01.1001&kelompok={utara.id}")
    assert sorted(options(page.text, "kelurahan")) == ["32.77.01.1001", "32.77.01.1002"]
    assert sorted(options(page.text, "kelompok")) == sorted([str(w.kelompok.id), str(w.other_kelompok.id)])
    assert "Gita Utami" not in text_of(page.text) and "Ani Suryani" in text_of(page.text)
    # malformed codes are ignored
    assert web.get("/graduasi/kandidat?kecamatan=%25&kelurahan=x").status_code == 200
