"""`migrate` from several replicas at once: one migrates, the others wait for the lock and find the schema at head."""

import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import inspect, text

from app import cli
from app.db import engine_create
from app.settings import ROOT
from tests.conftest import scratch_url


def stored_revision(url: str) -> list[str]:
    engine = engine_create(url)
    try:
        if "alembic_version" not in inspect(engine).get_table_names():
            return []
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def test_concurrent_migrate_processes_all_succeed(tmp_path: Path) -> None:
    url = scratch_url("ops_migrate", tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development"}
    command = [sys.executable, "-m", "app.cli", "migrate"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE) for _ in range(3)]
    results = [(run.wait(timeout=300), run.stderr.read().decode() if run.stderr else "") for run in runs]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert stored_revision(url) == [cli.migration_head()]


def test_migrate_waits_for_the_lock(tmp_path: Path) -> None:
    url = scratch_url("ops_migrate_lock", tmp_path)
    engine = engine_create(url)
    outcome: list[int] = []
    migrator = threading.Thread(target=lambda: outcome.append(cli.command_migrate(url=url)))
    try:
        with engine.connect() as holder:
            if engine.dialect.name == "postgresql":
                holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": cli.MIGRATE_LOCK_KEY})
                holder.commit()
                migrator.start()
                waiting = 0
                for _ in range(200):
                    waiting = holder.execute(
                        text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                    ).scalar_one()
                    holder.commit()
                    if waiting:
                        break
                    time.sleep(0.05)
                assert waiting == 1
                assert stored_revision(url) == []
                holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": cli.MIGRATE_LOCK_KEY})
                holder.commit()
            else:
                path = cli._sqlite_path(url)
                assert path is not None
                with open(path.with_name(path.name + ".migrate-lock"), "a+b") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    migrator.start()
                    time.sleep(1.0)
                    assert migrator.is_alive()
                    assert stored_revision(url) == []
                    fcntl.flock(lock, fcntl.LOCK_UN)
        migrator.join(timeout=300)
    finally:
        engine.dispose()
    assert outcome == [0]
    assert stored_revision(url) == [cli.migration_head()]
