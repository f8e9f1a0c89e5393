"""Two people save the same family form at the same instant, round after round, against a committing database:
how many rounds lost an edit (both told "saved"), how many refused one with the conflict message, how many 5xx.

    python -m bench.lost_updates --database-url sqlite:////work/bench_data/integrity/edits.sqlite3 --rounds 30
    python -m bench.lost_updates --database-url postgresql://postgres@127.0.0.1:5432/bench_integrity --rounds 30
"""

import argparse
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

sys.path.insert(0, os.getcwd())  # the checkout under test (its tests/ helpers too)

from app.db import engine_create, get_session  # noqa: E402
from app.models import Family  # noqa: E402


def _together(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--immediate", action="store_true", help="SQLite: every transaction begins IMMEDIATE (waits for the lock)"
    )
    args = parser.parse_args()
    from tests.conftest import Browser, migrate
    from tests.factories import base_data_load, world_make

    if args.database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(args.database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = engine_create(args.database_url)
    if args.immediate and engine.dialect.name == "sqlite":
        for listener in list(engine.dispatch.begin):
            event.remove(engine, "begin", listener)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    migrate(args.database_url, engine)
    with Session(engine, expire_on_commit=False) as session:
        base_data_load(session=session)
        w = world_make(session)
        session.commit()
    from app.main import app

    def committing() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app.dependency_overrides[get_session] = committing

    def browser(username: str) -> Browser:
        return Browser(
            TestClient(app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False)
        ).login(username)

    a, b = browser(w.pendamping.username), browser(w.admin.username)
    family_id = w.families[0].id
    tally: Counter[str] = Counter()
    for n in range(args.rounds):
        with Session(engine) as session:
            family = session.get(Family, family_id)
            assert family is not None
            base = {"head_name": family.head_name, "kk_number": family.kk_number}
            base["version"] = str(getattr(family, "version", ""))
        forms = [{**base, "address": f"A {n}"}, {**base, "address": f"B {n}"}]
        url = f"/kpm/{family_id}/ubah"
        answers = _together(
            lambda url=url, form=forms[0]: a.post(url, data=form), lambda url=url, form=forms[1]: b.post(url, data=form)
        )
        codes = sorted(r.status_code for r in answers)
        if any(c >= 500 for c in codes):
            tally["5xx"] += 1
        elif codes == [303, 303]:
            tally["lost update (both told saved)"] += 1
        elif codes == [303, 422] and any("sudah diubah oleh" in r.text for r in answers):
            tally["one saved, one told (conflict)"] += 1
        else:
            tally[f"other {codes}"] += 1
    app.dependency_overrides.clear()
    engine.dispose()
    print(f"{args.rounds} rounds of 2 simultaneous saves, {engine.dialect.name}:")
    for key, count in sorted(tally.items()):
        print(f"  {key}: {count}")


if __name__ == "__main__":
    main()
