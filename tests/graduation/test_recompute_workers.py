"""The nightly pass split over worker processes stores exactly what one process stores."""

from datetime import timedelta

from sqlmodel import Session, delete, select

from app.attendance.service import attendance_summaries_refresh
from app.clock import today_local
from app.db import engine_create
from app.graduation.service import readiness_recompute_all
from app.models import Attendance, Family, FamilyReadiness
from tests.conftest import migrate, scratch_url
from tests.factories import base_data_load, family_make, meeting_make, world_make


def stored(session: Session) -> list[tuple[int, str, str, str]]:
    return sorted(
        session.exec(
            select(
                FamilyReadiness.family_id, FamilyReadiness.verdict, FamilyReadiness.warnings, FamilyReadiness.details
            )
        ).all()
    )


def test_two_workers_store_the_same_verdicts_as_one_process(tmp_path):
    url = scratch_url("workers", tmp_path)
    engine = engine_create(url)
    try:
        migrate(url, engine)
        with Session(engine) as session:
            base_data_load(session=session)
            w = world_make(session)
            for n in range(12):
                family_make(session, kelompok=w.second_kelompok, head_name=f"Keluarga {n}")
            for no in (1, 2, 3):
                meeting = meeting_make(
                    session,
                    kelompok=w.kelompok,
                    topic_no=no,
                    day=today_local() - timedelta(days=30 * no),
                    status="terlaksana",
                )
                for i, family in enumerate(w.families):
                    session.add(
                        Attendance(
                            meeting_id=meeting.id or 0, family_id=family.id or 0, status="alpa" if i == no else "hadir"
                        )
                    )
            session.flush()
            attendance_summaries_refresh(session=session)
            session.commit()
            families = len(session.exec(select(Family.id)).all())

            assert readiness_recompute_all(session=session, workers=1) == families
            one = stored(session)
            session.exec(delete(FamilyReadiness))  # type: ignore[call-overload]
            session.commit()
            assert readiness_recompute_all(session=session, workers=2) == families
            assert stored(session) == one and len(one) == families
    finally:
        engine.dispose()
