"""The confidentiality rule of app/access.py on rows in hand (no database): who sees, edits, breaks the glass."""

from datetime import date

from app import access
from app.models import CaseFile, CaseType, Family, Kelompok, Role, User

FAMILY = Family(
    id=1,
    programme_id="P1",
    kk_number="1",
    head_name="Ani",
    village_code="32.77.01.1001",
    kelompok_id=1,
    enrolled_on=date(2022, 1, 1),
)
KELOMPOK = Kelompok(id=1, name="Mawar", village_code="32.77.01.1001", pendamping_id=10)
USERS = {
    "own pendamping": User(id=10, username="a", full_name="a", password_hash="", role=Role.PENDAMPING),
    "other pendamping": User(id=11, username="b", full_name="b", password_hash="", role=Role.PENDAMPING),
    "kota supervisor": User(
        id=12, username="c", full_name="c", password_hash="", role=Role.SUPERVISOR, area_code="32.77"
    ),
    "utara supervisor": User(
        id=13, username="d", full_name="d", password_hash="", role=Role.SUPERVISOR, area_code="32.77.03"
    ),
    "peninjau": User(id=14, username="e", full_name="e", password_hash="", role=Role.PENINJAU, area_code="32.77"),
    "admin": User(id=15, username="f", full_name="f", password_hash="", role=Role.ADMIN, area_code="32.77"),
}


def case(*, confidential: bool, worker: int = 10) -> CaseFile:
    return CaseFile(
        id=5,
        family_id=1,
        case_type=CaseType.KEKERASAN_ANAK,
        urgency="tinggi",
        description="x",
        confidential=confidential,
        worker_id=worker,
        opened_on=date(2026, 1, 1),
    )


def who(rule, subject: CaseFile) -> set[str]:  # type: ignore[no-untyped-def]
    return {name for name, user in USERS.items() if rule(user, subject, FAMILY, KELOMPOK)}


def test_confidential_case_is_seen_by_its_worker_and_the_area_supervisors_only() -> None:
    assert who(access.case_can_see, case(confidential=True)) == {"own pendamping", "kota supervisor"}
    assert who(access.case_can_edit, case(confidential=True)) == {"own pendamping", "kota supervisor"}
    assert who(access.case_can_break_glass, case(confidential=True)) == {"utara supervisor", "admin"}


def test_assigned_to_the_supervisor_the_family_pendamping_loses_sight_of_it() -> None:
    assert who(access.case_can_see, case(confidential=True, worker=12)) == {"kota supervisor"}


def test_an_ordinary_case_follows_the_family() -> None:
    assert who(access.case_can_see, case(confidential=False)) == {
        "own pendamping",
        "kota supervisor",
        "peninjau",
        "admin",
    }
    assert who(access.case_can_edit, case(confidential=False)) == {"own pendamping", "kota supervisor", "admin"}
    assert who(access.case_can_break_glass, case(confidential=False)) == set()
