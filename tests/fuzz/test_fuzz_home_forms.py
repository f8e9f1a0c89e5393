"""Hypothesis over the forms of issue 13: own password, an admin's user edit, deactivation with a successor, an exit
proposal. Whatever is typed: never 5xx, a refusal is 422 with a message in Indonesian, nothing half written."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from app.models import AuditLog, GraduationProposal, User
from app.settings import get_settings
from tests.conftest import Browser
from tests.factories import PASSWORD, world_make

TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "1", "-1", str(2**64), "sukarela", "musyawarah", "admin", "32.77", "x" * 5000, "\x00"]),
)
SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
MESSAGES = (
    "Wajib diisi",
    "tidak",
    "Pilih",
    "minimal",
    "Terlalu panjang",
    "salah",
    "Ulangi",
    "harus",
    "Muat ulang",
    "Unggah",
)


def _refused_in_indonesian(status: int, text: str) -> bool:
    return status == 422 and any(m in text for m in MESSAGES)


def test_password_form_fuzz(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.commit()
    web.login(w.pendamping.username)

    @SETTINGS
    @given(current=TEXT, new=TEXT, confirm=TEXT)
    def probe(current: str, new: str, confirm: str) -> None:
        r = web.post(
            "/akun/sandi", data={"current_password": current, "new_password": new, "confirm_password": confirm}
        )
        assert r.status_code < 500
        assert r.status_code == 303 or _refused_in_indonesian(r.status_code, r.text), r.text[:300]

    probe()
    session.expire_all()
    # the right current password was never among the generated values: nothing changed
    assert (
        session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "password_change")).one() == 0
    )
    web.login(w.pendamping.username, PASSWORD)


def test_user_edit_and_deactivate_fuzz(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.commit()
    web.login(w.admin.username)
    target = w.supervisor

    @SETTINGS
    @given(name=TEXT, role=TEXT, area=TEXT, version=TEXT, successor=TEXT)
    def probe(name: str, role: str, area: str, version: str, successor: str) -> None:
        r = web.post(
            f"/admin/pengguna/{target.id}/ubah",
            data={"full_name": name, "role": role, "area_code": area, "version": version},
        )
        assert r.status_code < 500
        assert r.status_code == 303 or _refused_in_indonesian(r.status_code, r.text), r.text[:300]
        r = web.post(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan", data={"successor_id": successor})
        assert r.status_code < 500
        assert r.status_code == 303 or _refused_in_indonesian(r.status_code, r.text), r.text[:300]

    probe()
    session.expire_all()
    user = session.get(User, target.id)
    assert user is not None and user.version >= 1


def test_exit_proposal_fuzz(web: Browser, session: Session, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    w = world_make(session)
    session.commit()
    web.login(w.pendamping.username)
    family = w.families[0]

    @SETTINGS
    @given(route=TEXT, reason=TEXT, data=st.binary(max_size=64))
    def probe(route: str, reason: str, data: bytes) -> None:
        files = {"evidence": ("bukti.pdf", data, "application/pdf")}
        r = web.post(f"/kpm/{family.id}/usulan-keluar", data={"route": route, "reason": reason}, files=files)
        assert r.status_code < 500
        assert _refused_in_indonesian(r.status_code, r.text), r.text[:300]  # random bytes are never a PDF

    probe()
    assert session.exec(select(GraduationProposal)).first() is None
