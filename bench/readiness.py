"""Readiness benchmark: evaluate and store the verdict of every family in one pass, and time it.

python -m bench.readiness --database-url sqlite:///data/bench.sqlite3 [--generate --kpm 100000]
"""

import argparse
import os
import time as clock
from collections import Counter
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.db import engine_create
from app.graduation.service import readiness_recompute_all
from app.models import FamilyReadiness


def readiness_time(*, url: str, workers: int, today: date | None = None) -> tuple[int, float, Counter[str]]:
    """(families, seconds, verdict counts) for one readiness_recompute_all run on the database at `url`:
    read, evaluate and store every family's verdict, as the nightly job (`python -m app.cli readiness`) does."""
    engine = engine_create(url)
    try:
        with Session(engine) as session:
            started = clock.perf_counter()
            families = readiness_recompute_all(session=session, today=today, workers=workers)
            seconds = clock.perf_counter() - started
            verdicts = Counter(
                {
                    v: n
                    for v, n in session.exec(
                        select(FamilyReadiness.verdict, func.count()).group_by(FamilyReadiness.verdict)
                    ).all()
                }
            )
    finally:
        engine.dispose()
    return families, seconds, verdicts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--generate", action="store_true", help="build the synthetic kabupaten first")
    parser.add_argument("--kpm", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: CPU cores)")
    args = parser.parse_args(argv)
    if args.generate:
        from bench.generate import generate

        started = clock.perf_counter()
        generate(
            url=args.database_url,
            kpm=args.kpm,
            months=args.months,
            seed=args.seed,
            log=lambda msg: print(msg, flush=True),
        )
        print(f"generated in {clock.perf_counter() - started:.1f} s", flush=True)
    for run in range(1, args.runs + 1):
        families, seconds, verdicts = readiness_time(url=args.database_url, workers=args.workers)
        rate = families / seconds if seconds else 0.0
        print(
            f"run {run}: {families:,} families in {seconds:.2f} s ({rate:,.0f} families/s, "
            f"{args.workers} worker processes)",
            flush=True,
        )
        print("verdicts: " + ", ".join(f"{v} {n:,}" for v, n in sorted(verdicts.items())), flush=True)


if __name__ == "__main__":
    main()
