"""The operator commands, called as functions on the test session (no subprocess, no real database)."""

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlmodel import select

from app import cli
from app.auth.security import password_verify
from app.demo.generator import DemoSummary
from app.models import AuditLog, Kelompok, Role, User
from app.settings import get_settings
from tests.factories import world_make

DEMO_LOGINS = [
    ("admin", Role.ADMIN),
    ("supervisor", Role.SUPERVISOR),
    ("supervisor_selatan", Role.SUPERVISOR),
    ("peninjau", Role.PENINJAU),
] + [(f"pendamping{n:02d}", Role.PENDAMPING) for n in range(1, 41)]


def summary(logins: list[tuple[str, str]]) -> DemoSummary:
    return DemoSummary(
        users=len(logins), kelompok=120, families=8000, members=30000, meetings=1400, attendance=90000, logins=logins
    )


@pytest.fixture
def demo_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The demo generator has its own tests; here it only has to be called the right way."""
    calls: list[dict[str, object]] = []

    def fake_demo_load(**kwargs: object) -> DemoSummary:
        calls.append(kwargs)
        return summary(DEMO_LOGINS)

    monkeypatch.setattr("app.demo.generator.demo_load", fake_demo_load)
    return calls


def test_logins_fold_numbered_runs() -> None:
    assert cli._demo_logins(DEMO_LOGINS) == [
        ("admin", Role.ADMIN),
        ("supervisor", Role.SUPERVISOR),
        ("supervisor_selatan", Role.SUPERVISOR),
        ("peninjau", Role.PENINJAU),
        ("pendamping01 … pendamping40", Role.PENDAMPING),
    ]
    assert cli._demo_logins([("p1", "pendamping"), ("p2", "pendamping"), ("p4", "pendamping")]) == [
        ("p1", "pendamping"),
        ("p2", "pendamping"),
        ("p4", "pendamping"),
    ]


def test_setup_on_a_ready_database_is_fast_and_prints_logins(session, demo_calls, capsys) -> None:
    started = time.perf_counter()
    assert cli.command_setup(session=session) == 0
    assert time.perf_counter() - started < 2
    out = capsys.readouterr().out
    assert "Wilayah sudah ada; dilewati." in out
    assert f"kata sandi untuk semua: {get_settings().demo_password}" in out
    assert "pendamping01 … pendamping40  Pendamping" in out and "supervisor_selatan" in out
    assert demo_calls == [{"session": session, "password": get_settings().demo_password}]


def test_load_demo_loads_curriculum_then_demo(session, demo_calls, capsys) -> None:
    assert cli.command_load_demo(session=session) == 0
    assert "8000 KPM" in capsys.readouterr().out
    assert demo_calls[0]["password"] == get_settings().demo_password


def test_load_areas_passes_provinces_and_reports(session, monkeypatch, capsys) -> None:
    seen: list[set[str] | None] = []

    def fake_areas_load(*, session: object, province_codes: set[str] | None) -> int:
        seen.append(province_codes)
        return 6120

    monkeypatch.setattr(cli, "areas_load", fake_areas_load)
    assert cli.command_load_areas(session=session, provinces=["32", "36"]) == 0
    assert cli.command_load_areas(session=session) == 0
    assert seen == [{"32", "36"}, None]
    assert "6120 wilayah dimuat dalam" in capsys.readouterr().out


def test_migrate_builds_the_schema(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert cli.command_migrate(url=url) == 0
    engine = create_engine(url)
    assert {"user", "kelompok", "area", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    assert "Skema basis data mutakhir." in capsys.readouterr().out


def test_create_user_with_prompted_password(session, capsys) -> None:
    answers = iter(["kataSandiKuat", "kataSandiKuat"])
    code = cli.command_create_user(
        session=session,
        username="Korkot_Cimahi",
        name="Korkot Cimahi",
        role=Role.SUPERVISOR,
        area="32.77",
        prompt=lambda _: next(answers),
    )
    assert code == 0 and "Pengguna korkot_cimahi telah dibuat." in capsys.readouterr().out
    user = session.exec(select(User).where(User.username == "korkot_cimahi")).one()
    assert user.area_code == "32.77" and password_verify(user.password_hash, "kataSandiKuat")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area": "99.99"}, "Kode wilayah 99.99 tidak dikenal."),
        ({"password": "pendek"}, "Kata sandi minimal 8 karakter."),
        ({"username": "spasi di nama"}, "Nama pengguna hanya boleh huruf, angka, titik dan garis bawah."),
    ],
)
def test_create_user_rule_violations_exit_1(session, capsys, change, message) -> None:
    args = {
        "username": "cli_gagal",
        "name": "Gagal",
        "role": Role.PENDAMPING,
        "area": "32.77.01",
        "password": "rahasia1234",
        **change,
    }
    assert cli.command_create_user(session=session, **args) == 1
    assert capsys.readouterr().err.strip() == message
    assert session.exec(select(User).where(User.full_name == "Gagal")).first() is None


def test_create_user_duplicate_and_mismatched_prompt(session, capsys) -> None:
    w = world_make(session)
    assert (
        cli.command_create_user(
            session=session,
            username=w.pendamping.username,
            name="X",
            role="pendamping",
            area="32.77",
            password="rahasia1234",
        )
        == 1
    )
    assert "Nama pengguna sudah dipakai." in capsys.readouterr().err
    answers = iter(["satuDuaTiga4", "satuDuaTiga5"])
    assert (
        cli.command_create_user(
            session=session,
            username="beda_sandi",
            name="X",
            role="pendamping",
            area="32.77",
            prompt=lambda _: next(answers),
        )
        == 1
    )
    assert "Kedua kata sandi tidak sama." in capsys.readouterr().err


def test_assign_kelompok_uses_the_admin_service(session, capsys) -> None:
    w = world_make(session)
    assert (
        cli.command_assign_kelompok(
            session=session, kelompok_id=w.kelompok.id or 0, username=w.other_pendamping.username.upper()
        )
        == 0
    )
    assert f"kini didampingi {w.other_pendamping.username}" in capsys.readouterr().out
    assert session.get(Kelompok, w.kelompok.id).pendamping_id == w.other_pendamping.id  # type: ignore[union-attr]
    audit = session.exec(
        select(AuditLog).where(AuditLog.entity == "kelompok", AuditLog.entity_id == str(w.kelompok.id))
    ).one()
    assert audit.user_id is None and audit.action == "assign_pendamping"


@pytest.mark.parametrize(
    ("who", "kelompok_id", "message"),
    [
        ("nobody", None, "Pengguna tidak_ada tidak ditemukan."),
        ("supervisor", None, "Pilih pendamping yang aktif."),
        ("pendamping", 999999, "Kelompok tidak ditemukan."),
    ],
)
def test_assign_kelompok_refusals_exit_1(session, capsys, who, kelompok_id, message) -> None:
    w = world_make(session)
    session.commit()  # a refused command rolls back its own session, not the data it was given
    username = "tidak_ada" if who == "nobody" else getattr(w, who).username
    code = cli.command_assign_kelompok(
        session=session, kelompok_id=kelompok_id or w.other_kelompok.id or 0, username=username
    )
    assert code == 1 and capsys.readouterr().err.strip() == message
    session.refresh(w.other_kelompok)
    assert w.other_kelompok.pendamping_id == w.other_pendamping.id


def test_parser_knows_every_command() -> None:
    parser = cli.parser_build()
    args = parser.parse_args(["create-user", "--username", "u", "--name", "N", "--role", "admin", "--area", "32"])
    assert (args.command, args.password) == ("create-user", None)
    assert parser.parse_args(["load-areas", "--province", "32", "--province", "36"]).province == ["32", "36"]
    assert parser.parse_args(["assign-kelompok", "--kelompok-id", "7", "--username", "p"]).kelompok_id == 7
    for name in ("migrate", "load-demo", "setup"):
        assert parser.parse_args([name]).command == name
    with pytest.raises(SystemExit):
        parser.parse_args(["create-user", "--username", "u", "--name", "N", "--role", "raja", "--area", "32"])


def test_migration_head_matches_alembic(engine, tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.settings import ROOT

    assert cli.migration_head() == ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head()
    assert cli.migrations_pending(engine=engine) is False
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert cli.migrations_pending(engine=empty) is True
    empty.dispose()
