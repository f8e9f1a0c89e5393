"""Test data built through the real services where they exist, plain inserts where they don't."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from itertools import count

from sqlmodel import Session, select

from app.auth.security import password_hash
from app.clock import today_local
from app.meetings.service import kelompok_last_held_refresh
from app.models import Area, Family, Kelompok, Meeting, Member, Role, Topic, User

PASSWORD = "rahasia123"
_seq = count(1)

CIMAHI = [
    ("32", "Jawa Barat", 1, None),
    ("32.77", "Kota Cimahi", 2, "32"),
    ("32.77.01", "Cimahi Selatan", 3, "32.77"),
    ("32.77.02", "Cimahi Tengah", 3, "32.77"),
    ("32.77.03", "Cimahi Utara", 3, "32.77"),
    ("32.77.01.1001", "Melong", 4, "32.77.01"),
    ("32.77.01.1002", "Cibeureum", 4, "32.77.01"),
    ("32.77.02.1001", "Baros", 4, "32.77.02"),
    ("32.77.03.1001", "Pasirkaliki", 4, "32.77.03"),
]


@lru_cache
def _hash() -> str:
    return password_hash(PASSWORD)


def base_data_load(*, session: Session) -> None:
    """Committed once per run: the areas of Kota Cimahi and the curriculum."""
    from app.curriculum.service import curriculum_load

    if session.get(Area, "32.77") is None:
        for code, name, level, parent in CIMAHI:
            if session.get(Area, code) is None:
                session.add(Area(code=code, name=name, level=level, parent_code=parent))
                session.flush()
        session.commit()
    curriculum_load(session=session)
    session.commit()


def user_make(
    session: Session,
    *,
    role: str = Role.PENDAMPING,
    username: str | None = None,
    area_code: str | None = None,
    full_name: str | None = None,
) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role}{n}",
        full_name=full_name or f"{role.title()} {n}",
        password_hash=_hash(),
        role=role,
        area_code=area_code,
    )
    session.add(user)
    session.flush()
    return user


def kelompok_make(
    session: Session, *, pendamping: User | None, village_code: str = "32.77.01.1001", name: str | None = None
) -> Kelompok:
    k = Kelompok(
        name=name or f"Kelompok {next(_seq)}",
        village_code=village_code,
        pendamping_id=pendamping.id if pendamping else None,
        default_place="Aula Kelurahan",
    )
    session.add(k)
    session.flush()
    return k


def family_make(
    session: Session,
    *,
    kelompok: Kelompok,
    head_name: str | None = None,
    members: list[dict[str, object]] | None = None,
) -> Family:
    n = next(_seq)
    family = Family(
        programme_id=f"PKH-T-{n:06d}",
        kk_number=f"3277011201{n % 1000000:06d}"[:16],
        head_name=head_name or f"Ibu Uji {n}",
        address="Jl. Melong RT 01/RW 02",
        village_code=kelompok.village_code,
        kelompok_id=kelompok.id,
        enrolled_on=date(2022, 1, 10),
    )
    session.add(family)
    session.flush()
    for spec in members or [
        {
            "name": family.head_name,
            "birth_date": date(1988, 5, 4),
            "sex": "P",
            "relationship": "istri",
            "is_pengurus": True,
        }
    ]:
        session.add(Member(family_id=family.id or 0, **spec))  # type: ignore[arg-type]
    session.flush()
    return family


def topic_core(session: Session, no: int) -> Topic:
    from app.models import CurriculumModule

    return session.exec(
        select(Topic).join(CurriculumModule).where(Topic.no == no, CurriculumModule.core == True)  # noqa: E712
    ).one()


def meeting_make(
    session: Session,
    *,
    kelompok: Kelompok,
    topic_no: int,
    day: date,
    start: time = time(9, 0),
    status: str = "dijadwalkan",
) -> Meeting:
    meeting = Meeting(
        kelompok_id=kelompok.id or 0,
        topic_id=topic_core(session, topic_no).id or 0,
        date=day,
        start_time=start,
        place="Aula",
        status=status,
    )
    session.add(meeting)
    session.flush()
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    return meeting


@dataclass
class World:
    admin: User
    pendamping: User
    other_pendamping: User
    supervisor: User
    supervisor_utara: User
    peninjau: User
    kelompok: Kelompok
    second_kelompok: Kelompok
    other_kelompok: Kelompok
    families: list[Family]
    other_family: Family
    today: date


def world_make(session: Session) -> World:
    """Two pendamping in Cimahi Selatan; supervisors for the whole kota and for Cimahi Utara only."""
    admin = user_make(session, role=Role.ADMIN, area_code="32.77")
    p1 = user_make(session, full_name="Siti Pendamping")
    p2 = user_make(session, full_name="Dede Pendamping")
    k1 = kelompok_make(session, pendamping=p1, name="Kelompok Mawar")
    k1b = kelompok_make(session, pendamping=p1, name="Kelompok Melati", village_code="32.77.01.1002")
    k2 = kelompok_make(session, pendamping=p2, name="Kelompok Anggrek")
    families = [
        family_make(session, kelompok=k1, head_name=name)
        for name in ("Ani Suryani", "Budi Santoso", "Cucu Rohaeti", "Dewi Lestari")
    ]
    family_make(session, kelompok=k1b, head_name="Euis Komariah")
    other = family_make(session, kelompok=k2, head_name="Fitri Handayani")
    return World(
        admin=admin,
        pendamping=p1,
        other_pendamping=p2,
        supervisor=user_make(session, role=Role.SUPERVISOR, area_code="32.77"),
        supervisor_utara=user_make(session, role=Role.SUPERVISOR, area_code="32.77.03"),
        peninjau=user_make(session, role=Role.PENINJAU, area_code="32.77"),
        kelompok=k1,
        second_kelompok=k1b,
        other_kelompok=k2,
        families=families,
        other_family=other,
        today=today_local(),
    )


def days(n: int) -> date:
    return today_local() + timedelta(days=n)
