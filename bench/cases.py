"""Time the case pages' queries on a benchmark database (see bench.generate): the work queue of the kabupaten's
supervisor and of a pendamping (the worker of the first case), the case list with its counts and a search, and a
family page's "Kasus" section, each scoped by app.access.case_clause. Seeds cases once (one family in 20, a third
of them confidential child protection, half with a referral) when the database has none.

    python -m bench.cases --database-url sqlite:///data/bench.sqlite3
    python -m bench.cases --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench
"""

import argparse
import os
import random
from datetime import timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from bench.dashboard import RUNS, timed

EVERY = 20


def cases_seed(session: Session) -> int:
    """Cases on one family in EVERY (worked by its pendamping), with referrals; returns how many were added."""
    from app.clock import today_local
    from app.models import CaseFile, CaseStatus, CaseType, CaseUrgency, Family, Kelompok, Referral, ReferralService

    if session.exec(select(func.count()).select_from(CaseFile)).one():
        return 0
    today = today_local()
    rng = random.Random(11)
    rows = session.exec(
        select(Family.id, Kelompok.pendamping_id)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .where(col(Family.id) % EVERY == 0, col(Kelompok.pendamping_id).is_not(None))
    ).all()
    types, urgencies = list(CaseType), list(CaseUrgency)
    cases = []
    for n, (family_id, worker_id) in enumerate(rows):
        kind = CaseType.KEKERASAN_ANAK if n % 3 == 0 else rng.choice(types)
        cases.append(
            {
                "family_id": family_id,
                "case_type": kind,
                "urgency": rng.choice(urgencies),
                "description": f"Kasus uji {n}",
                "confidential": kind == CaseType.KEKERASAN_ANAK,
                "status": rng.choice([CaseStatus.BARU, CaseStatus.DITANGANI, CaseStatus.DIRUJUK, CaseStatus.SELESAI]),
                "worker_id": worker_id,
                "opened_on": today - timedelta(days=rng.randint(30, 300)),
            }
        )
    session.execute(insert(CaseFile), cases)
    ids = session.exec(select(CaseFile.id)).all()
    referrals = []
    for case_id in ids[::2]:
        day = today - timedelta(days=rng.randint(0, 40))
        answered = rng.random() < 0.6
        referrals.append(
            {
                "case_id": case_id,
                "service": rng.choice(list(ReferralService)),
                "service_name": "",
                "referred_on": day,
                "request": "Mohon ditindaklanjuti",
                "outcome": "Sudah" if answered else "",
                "outcome_on": day if answered else None,
            }
        )
    session.execute(insert(Referral), referrals)
    session.commit()
    return len(cases)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the case queries")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    from app.access import family_kelompok
    from app.cases import queries
    from app.clock import today_local
    from app.db import get_engine
    from app.models import CaseFile, Family, User, utcnow

    engine = get_engine()
    with Session(engine) as session:
        added = cases_seed(session)
        total = session.exec(select(func.count()).select_from(CaseFile)).one()
        families = session.exec(select(func.count()).select_from(Family)).one()
        supervisor = session.exec(select(User).where(User.username == "supervisor")).one()
        first = session.exec(select(CaseFile).order_by(col(CaseFile.id))).first()
        assert first is not None
        pendamping = session.get(User, first.worker_id)
        assert pendamping is not None
        family = session.exec(
            select(Family)
            .join(CaseFile, col(CaseFile.family_id) == Family.id)
            .where(CaseFile.worker_id == pendamping.id)
        ).first()
        assert family is not None
        kelompok = family_kelompok(session=session, family=family)
        today, since = today_local(), utcnow() - timedelta(days=30)
        filters = queries.CaseFilters()
        search = queries.CaseFilters(q="uji 12")
        figures = {
            "queue, kabupaten supervisor": lambda: queries.case_queue(
                session=session, user=supervisor, today=today, since=since
            ),
            "queue, pendamping": lambda: queries.case_queue(session=session, user=pendamping, today=today, since=since),
            "case list page 1, supervisor": lambda: queries.case_list(
                session=session, user=supervisor, filters=filters, limit=51
            ),
            "case counts by type, supervisor": lambda: queries.case_counts(session=session, user=supervisor),
            "case search, supervisor": lambda: queries.case_list(
                session=session, user=supervisor, filters=search, limit=51
            ),
            "overdue referrals, supervisor": lambda: queries.referrals_waiting(
                session=session, user=supervisor, today=today, only_overdue=True, limit=200
            ),
            "family page section, pendamping": lambda: queries.case_family_section(
                session=session, user=pendamping, family=family, kelompok=kelompok
            ),
        }
        print(f"{engine.dialect.name}: {families:,} KPM, {total:,} cases ({added:,} seeded now)")
        for name, call in figures.items():
            print(f"  {name:<34} {timed(call, args.runs) * 1000:8.1f} ms (median of {args.runs})")
    engine.dispose()


if __name__ == "__main__":
    main()
