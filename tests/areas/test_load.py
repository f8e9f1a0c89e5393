"""Loading Jawa Barat from the vendored idn-area-data tarball, and reading the tree back."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from app.areas import service
from app.areas.queries import area_children, area_exists, area_get, area_path
from app.areas.service import areas_load
from app.db import engine_create
from app.models import Area
from app.vendor_checksums import ChecksumError

CIMAHI_KELURAHAN = {
    "32.77.01": ["Melong", "Cibeureum", "Utama", "Leuwigajah", "Cibeber"],
    "32.77.02": ["Baros", "Cigugur Tengah", "Karangmekar", "Setiamanah", "Padasuka", "Cimahi"],
    "32.77.03": ["Pasirkaliki", "Cibabat", "Citeureup", "Cipageran"],
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    path: Path = tmp_path_factory.mktemp("areas") / "a.db"
    engine = engine_create(f"sqlite:///{path}")  # foreign keys on, so parents must come first
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        areas_load(session=session, province_codes={"32"})
        session.commit()
        yield session
    engine.dispose()


def area_count(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Area)).one()


def test_only_jawa_barat_loaded(session: Session) -> None:
    codes = session.exec(select(Area.code)).all()
    assert {code[:2] for code in codes} == {"32"}
    assert area_get(session=session, code="32") == Area(code="32", name="Jawa Barat", level=1, parent_code=None)


def test_kota_cimahi_kecamatan(session: Session) -> None:
    assert area_get(session=session, code="32.77") == Area(code="32.77", name="Kota Cimahi", level=2, parent_code="32")
    kecamatan = area_children(session=session, code="32.77")
    assert [(a.code, a.name, a.level) for a in kecamatan] == [
        ("32.77.01", "Cimahi Selatan", 3),
        ("32.77.02", "Cimahi Tengah", 3),
        ("32.77.03", "Cimahi Utara", 3),
    ]


def test_kota_cimahi_kelurahan(session: Session) -> None:
    for kecamatan, names in CIMAHI_KELURAHAN.items():
        kelurahan = area_children(session=session, code=kecamatan)
        assert [a.name for a in kelurahan] == names
        assert {(a.level, a.parent_code) for a in kelurahan} == {(4, kecamatan)}
        assert all(a.code.startswith(kecamatan + ".1") for a in kelurahan)  # 1xxx = kelurahan
    assert sum(map(len, CIMAHI_KELURAHAN.values())) == 15


def test_path_and_exists(session: Session) -> None:
    path = area_path(session=session, code="32.77.01.1001")
    assert [a.name for a in path] == ["Jawa Barat", "Kota Cimahi", "Cimahi Selatan", "Melong"]
    assert area_path(session=session, code="32.77.09") == []
    assert area_exists(session=session, code="32.77.01")
    assert not area_exists(session=session, code="32.77.09")


def test_second_load_is_idempotent(session: Session) -> None:
    before = area_count(session=session)
    assert areas_load(session=session, province_codes={"32"}) == 0
    session.commit()
    assert area_count(session=session) == before


def test_changed_name_is_restored(session: Session) -> None:
    melong = area_get(session=session, code="32.77.01.1001")
    assert melong is not None
    melong.name = "MELONG"
    session.commit()
    assert areas_load(session=session, province_codes={"32"}) == 1
    session.commit()
    session.refresh(melong)
    assert melong.name == "Melong"


def test_tampered_package_refused(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tampered = tmp_path / service.PACKAGE.name
    tampered.write_bytes(service.PACKAGE.read_bytes() + b"\0")
    (tmp_path / "checksums.sha256").write_bytes(service.MANIFEST.read_bytes())
    monkeypatch.setattr(service, "PACKAGE", tampered)
    monkeypatch.setattr(service, "MANIFEST", tmp_path / "checksums.sha256")
    with pytest.raises(ChecksumError, match="does not match"):
        areas_load(session=session, province_codes={"32"})
