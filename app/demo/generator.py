"""Load a deterministic, realistic demo of Kota Cimahi: staff, kelompok, KPM, a year or more of meetings and
attendance, home-visit assessments, and every family's graduation readiness.

Everything is drawn from one `random.Random(seed)` and dated from `today`, so a seed always gives the same
people, NIKs and history. Rows are built as plain dicts with their primary keys assigned here and written in
bulk (the driver's executemany on SQLite, COPY on PostgreSQL): about 8,000 families, 100,000 attendance marks
and 230,000 indicator answers load in seconds. The derived counts and the verdicts are then computed by the
services that keep them in the running app.
"""

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Table, func, text
from sqlmodel import Session, SQLModel, col, select

from app.areas.service import areas_load
from app.assessments.service import DRAFT, assessment_scores_refresh
from app.attendance.service import attendance_summaries_refresh
from app.auth.security import password_hash
from app.clock import today_local
from app.curriculum.queries import TopicRef, topics_active
from app.curriculum.service import curriculum_load
from app.families.rules import age_on
from app.graduation.facts import FINAL
from app.graduation.service import readiness_recompute_all
from app.identity.rules import nik_make
from app.meetings.service import kelompok_last_held_refresh
from app.models import (
    Area,
    Assessment,
    AssessmentValue,
    Attendance,
    AttendanceStatus,
    Family,
    FamilyStatus,
    Indicator,
    Kelompok,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Member,
    Role,
    User,
)

CIMAHI = "32.77"
CIMAHI_SELATAN = "32.77.01"
# A quarter of the kelompok began the curriculum long enough ago to have held every core session.
MATURE_SHARE = 0.25
# Insert order follows the foreign keys.
TABLES: tuple[type[SQLModel], ...] = (
    User, Kelompok, Family, Member, Meeting, MeetingEvent, Attendance, Assessment, AssessmentValue,
)  # fmt: skip

Row = dict[str, Any]

# --- Names and places (Sundanese / Indonesian, as met in Kota Cimahi) ---

MALE_FIRST = (
    "Asep", "Dede", "Ujang", "Cecep", "Dadang", "Endang", "Agus", "Iwan", "Yayat", "Ade", "Aep", "Deden",
    "Dudi", "Jajang", "Usep", "Wawan", "Yana", "Rahmat", "Ridwan", "Hendra", "Budi", "Ahmad", "Dani", "Rudi",
    "Acep", "Tatang", "Nana", "Encep", "Didin", "Dindin", "Atep", "Yudi", "Herman", "Maman", "Dodi", "Apep",
)  # fmt: skip
MALE_LAST = (
    "Saepudin", "Kurniawan", "Hidayat", "Sutisna", "Suryana", "Permana", "Gunawan", "Setiawan", "Rohman",
    "Hermawan", "Nugraha", "Supriatna", "Sopandi", "Mulyana", "Firmansyah", "Ramdani", "Maulana", "Kusnadi",
    "Sukmana", "Suhendar", "Rosadi", "Solihin", "Jaelani", "Mulyadi", "Sunarya", "Rukmana", "Sudrajat",
    "Hamdani", "Taufik", "Iskandar", "Wahyudin", "Komarudin", "Sobari", "Ruhiyat", "Syarifudin",
)  # fmt: skip
FEMALE_FIRST = (
    "Siti", "Euis", "Neneng", "Ai", "Imas", "Enok", "Yati", "Iis", "Dewi", "Rina", "Nining", "Tati", "Lilis",
    "Cucu", "Eneng", "Entin", "Heni", "Yuyun", "Wulan", "Nurul", "Rini", "Sri", "Ela", "Dedeh", "Iin", "Nia",
    "Tuti", "Ani", "Rika", "Elis", "Yeni", "Mimin", "Nenden", "Titin", "Rosita", "Kokom", "Yanti", "Fitri",
)  # fmt: skip
FEMALE_LAST = (
    "Nurhaliza", "Rahmawati", "Kurniasih", "Nurhayati", "Sumarni", "Komalasari", "Susilawati", "Rohayati",
    "Handayani", "Lestari", "Suryani", "Wulandari", "Maryati", "Mulyani", "Fitriani", "Rosmiati", "Hasanah",
    "Aisyah", "Sulastri", "Nurjanah", "Herawati", "Yulianti", "Kartika", "Sopiah", "Maryam", "Rostika",
    "Juariah", "Setiawati", "Rusmiati", "Hayati", "Nurlela", "Suhaeti",
)  # fmt: skip
BOY_FIRST = (
    "Muhammad", "Rizky", "Raka", "Fajar", "Dimas", "Alif", "Rafi", "Zaki", "Fauzan", "Reza", "Arya", "Bagas",
    "Gilang", "Ilham", "Rangga", "Rendi", "Farhan", "Daffa", "Haikal", "Naufal", "Azka", "Galih", "Yoga",
)  # fmt: skip
BOY_LAST = (
    "Ramadhan", "Pratama", "Saputra", "Maulana", "Nugraha", "Hidayat", "Firmansyah", "Setiawan", "Permana",
    "Alfarizi", "Fadillah", "Kurniawan", "Akbar", "Hakim", "Syahputra",
)  # fmt: skip
GIRL_FIRST = (
    "Aulia", "Nabila", "Salsabila", "Putri", "Citra", "Nayla", "Zahra", "Keisha", "Anisa", "Dinda", "Intan",
    "Rahma", "Syifa", "Alya", "Kayla", "Tiara", "Nadia", "Vina", "Rani", "Amelia", "Neng",
)  # fmt: skip
GIRL_LAST = (
    "Rahmawati", "Azzahra", "Aprilia", "Nuraini", "Lestari", "Khairunnisa", "Ramadhani", "Maharani",
    "Oktaviani", "Safitri", "Permatasari", "Nurhasanah", "Fauziah", "Kirana",
)  # fmt: skip
ELDER_MALE = ("Odo", "Oman", "Emuh", "Karta", "Sarma", "Udin", "Enjang", "Adang", "Rasta", "Oji", "Ahim", "Encun")
ELDER_MALE_LAST = ("Sudarma", "Sumarna", "Wiganda", "Suparman", "Kartiwa")
ELDER_FEMALE = ("Icih", "Onah", "Enah", "Oyoh", "Iyah", "Enung", "Ocoh", "Imi", "Acih", "Ijah", "Odah", "Eem", "Oneng")
ELDER_FEMALE_LAST = ("Sumirah", "Rohmah", "Kusmiati", "Saadah")
STREETS = (
    "Jl. Kebon Kopi", "Jl. Sadarmanah", "Jl. Encep Kartawiria", "Jl. Cibaligo", "Jl. Mahar Martanegara",
    "Jl. Leuwigajah", "Jl. Baros", "Jl. Gatot Subroto", "Jl. Amir Machmud", "Jl. Sangkuriang", "Jl. Cihanjuang",
    "Jl. Kolonel Masturi", "Jl. Pesantren", "Jl. Cibeber", "Jl. Melong Raya", "Jl. Cijerah", "Jl. Pojok",
    "Jl. Cigugur Girang", "Jl. Citeureup", "Jl. Cipageran", "Jl. Sukarasa", "Jl. Kamarung", "Jl. Sriwijaya",
    "Jl. Sukaraja", "Jl. Tagog", "Gg. Manunggal", "Gg. Bakti", "Gg. Sukamaju", "Gg. Mesjid", "Gg. Kujang",
)  # fmt: skip
FLOWERS = (
    "Mawar", "Melati", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Teratai", "Flamboyan", "Kamboja", "Seruni",
    "Asoka", "Bougenvil", "Nusa Indah", "Edelweis", "Kemuning", "Soka", "Matahari", "Lili", "Tulip", "Sakura",
)  # fmt: skip
MOSQUES = ("Masjid Al-Ikhlas", "Masjid At-Taqwa", "Masjid Nurul Huda", "Masjid Al-Hidayah", "Masjid Baiturrahman")
CANCEL_REASONS = (
    "Aula dipakai untuk vaksinasi massal oleh puskesmas.",
    "Bertepatan dengan posyandu serentak; sebagian besar KPM bertugas sebagai kader.",
    "Hujan deras sejak pagi, sebagian jalan gang tergenang.",
    "Pendamping dipanggil rapat koordinasi mendadak di Dinas Sosial Kota Cimahi.",
    "Banyak KPM menghadiri hajatan warga di RW yang sama.",
    "Tempat pertemuan sedang direnovasi; dijadwalkan ulang bulan berikutnya.",
)
PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0895", "0896")
GRADUATION_NOTES = (
    "Suami bekerja tetap di pabrik tekstil; ibu membuka warung sembako di depan rumah.",
    "Usaha katering rumahan berjalan dua tahun, pesanan rutin dari kantor kelurahan.",
    "Anak sulung sudah bekerja dan ikut menanggung kebutuhan rumah tangga.",
    "Keluarga menyatakan siap keluar dari PKH; menabung di bank dan ikut arisan RT.",
    "Usaha jahit pakaian berkembang; rumah sudah diperbaiki, lantai keramik dan dinding tembok.",
    "Suami diangkat menjadi pegawai tetap di gudang ekspedisi; ibu berjualan kue basah.",
)
DRAFT_NOTES = (
    "Kunjungan belum selesai, dilanjutkan minggu depan.",
    "Ibu sedang bekerja; data penghasilan dan pengeluaran menyusul.",
    "Sebagian jawaban perlu dicek ulang dengan kader posyandu.",
)


@dataclass(frozen=True)
class DemoSummary:
    users: int
    kelompok: int
    families: int
    members: int
    meetings: int
    attendance: int
    logins: list[tuple[str, str]]


@dataclass(frozen=True)
class _Village:
    code: str
    name: str

    @property
    def kecamatan_code(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class _Held:
    """A held meeting, remembered for make-up attendance in another kelompok."""

    meeting_id: int
    kelompok_id: int
    topic_id: int
    day: date


@dataclass(frozen=True)
class _IndicatorRef:
    id: int
    code: str
    domain: str
    target: float | None  # numbers only: met at or above it


@dataclass(frozen=True)
class _Outlook:
    """How far a family has come: its score at each kind of visit and its economy at the latest one."""

    scores: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]  # baseline, follow-up, graduation
    spending: tuple[int, int]  # Rupiah per head per month at the latest visit
    start: tuple[float, float]  # spending at baseline, as a share of that
    income: tuple[float, float]  # household income as a multiple of spending
    sources: tuple[int, int]  # income sources at later visits
    signs: float  # chance of each welfare sign (roof, water, latrine, ...) at baseline
    gain: float  # chance, at each later visit, of gaining a sign the family lacked
    income_cap: int | None  # below the Rp 4 juta household line: the economy criterion stays honest


# Per capita above 1.5 × the urban poverty line (Rp 944,342 in 2025) only for the thriving.
THRIVING = _Outlook(
    scores=((0.45, 0.70), (0.78, 0.95), (0.84, 1.0)),
    spending=(1_000_000, 1_450_000),
    start=(0.65, 0.85),
    income=(1.05, 1.3),
    sources=(2, 3),
    signs=0.6,
    gain=0.75,
    income_cap=None,
)
RISING = _Outlook(
    scores=((0.35, 0.60), (0.55, 0.82), (0.62, 0.86)),
    spending=(600_000, 900_000),
    start=(0.80, 0.95),
    income=(0.9, 1.1),
    sources=(1, 2),
    signs=0.55,
    gain=0.25,
    income_cap=3_950_000,
)
STRUGGLING = _Outlook(
    scores=((0.20, 0.50), (0.30, 0.65), (0.35, 0.70)),
    spending=(380_000, 620_000),
    start=(0.85, 1.0),
    income=(0.85, 1.05),
    sources=(1, 1),
    signs=0.45,
    gain=0.1,
    income_cap=3_950_000,
)
# Each welfare sign's chance at baseline, beside the outlook's: most roofs in Cimahi are tiled, savings are rare.
SIGN_BONUS = {
    "roof_ok": 0.35,
    "wall_ok": 0.2,
    "floor_ok": 0.3,
    "safe_water": 0.2,
    "healthy_latrine": 0.1,
    "has_savings": -0.3,
}
# Indicators of the default catalogue (migration 0002) that the economic profile already answers.
ECONOMY_LINKS = {"eko_tabungan": "has_savings", "sehat_jamban": "healthy_latrine", "sehat_air_minum": "safe_water"}
# The situation that makes an indicator apply; any other indicator always applies.
APPLIES = {
    "asuh_sekolah": "sekolah", "asuh_kehadiran_sekolah": "sekolah", "asuh_bantu_belajar": "sekolah",
    "asuh_disiplin_positif": "anak", "asuh_paud": "usia_dini", "sehat_k6": "hamil", "sehat_timbang_balita": "balita",
    "sehat_imunisasi": "balita", "sehat_asi_eksklusif": "bayi", "lindung_akta_lahir": "anak",
    "lindung_pekerja_anak": "anak", "lindung_perkawinan_anak": "anak", "kesos_disabilitas": "disabilitas",
    "kesos_posyandu_lansia": "lansia",
}  # fmt: skip
CHILD_AGES = {"bayi": (0, 1), "balita": (0, 4), "usia_dini": (3, 6), "sekolah": (7, 17)}


@dataclass
class _Track:
    """One family between visits: the spending per head it reaches, and what it has gained so far."""

    spending: int
    start: float  # baseline spending as a share of `spending`
    baseline: date
    sources: int = 1
    signs: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class _Household:
    """A KPM as its pendamping knows it on a home visit: adults who may attend, members, enrolment, desil."""

    family_id: int
    others: list[str]
    people: list[Row]
    enrolled: date
    desil: int | None
    outlook: _Outlook


def demo_load(
    *,
    session: Session,
    password: str,
    seed: int = 2026,
    today: date | None = None,
    pendamping_count: int = 40,
) -> DemoSummary:
    """Load the Kota Cimahi demo once; when a user `admin` already exists, only summarise what is there."""
    if session.exec(select(User.id).where(User.username == "admin")).first() is not None:
        return demo_summary(session=session)
    if session.get(Area, CIMAHI) is None:
        areas_load(session=session, province_codes={CIMAHI.split(".")[0]})
    builder = _DemoBuilder(
        rng=random.Random(seed),
        today=today or today_local(),
        password_hash=password_hash(password),  # hashed once: argon2 is slow by design
        next_ids={model: _max_id(session=session, model=model) + 1 for model in TABLES},
        topics=_core_topics(session=session),
        indicators=_indicators(session=session),
    )
    builder.build(villages=_cimahi_villages(session=session), pendamping_count=pendamping_count)
    postgresql = session.get_bind().dialect.name == "postgresql"
    for model in TABLES:
        if postgresql:
            _rows_copy(session=session, table=_table(model), rows=builder.rows[model])
        else:
            _rows_insert(session=session, table=_table(model), rows=builder.rows[model])
    if postgresql:
        _sequences_reset(session=session)
    # The counts the services keep beside marks and answers, for every row at once.
    attendance_summaries_refresh(session=session)
    assessment_scores_refresh(session=session)
    kelompok_last_held_refresh(session=session, kelompok_ids=None)
    session.commit()
    readiness_recompute_all(session=session, today=builder.today)
    return demo_summary(session=session)


def demo_summary(*, session: Session) -> DemoSummary:
    """Count what the database holds and list its logins (username, role)."""

    def count(model: type[SQLModel]) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    logins = session.exec(select(User.username, User.role).order_by(col(User.id))).all()
    return DemoSummary(
        users=count(User),
        kelompok=count(Kelompok),
        families=count(Family),
        members=count(Member),
        meetings=count(Meeting),
        attendance=count(Attendance),
        logins=[(username, role) for username, role in logins],
    )


# --- What the demo needs before it starts ---


def _cimahi_villages(*, session: Session) -> list[_Village]:
    kecamatan = select(Area.code).where(Area.parent_code == CIMAHI)
    areas = session.exec(
        select(Area).where(col(Area.parent_code).in_(kecamatan), Area.level == 4).order_by(col(Area.code))
    ).all()
    if not areas:
        raise LookupError("Kota Cimahi (32.77) has no kelurahan in the area table")
    return [_Village(code=area.code, name=area.name) for area in areas]


def _core_topics(*, session: Session) -> list[TopicRef]:
    topics = topics_active(session=session, core_only=True)
    if not topics:
        curriculum_load(session=session)
        topics = topics_active(session=session, core_only=True)
    return topics


def _indicators(*, session: Session) -> list[_IndicatorRef]:
    """The active indicator catalogue (seeded by migration 0002); an empty one means no assessments."""
    rows = session.exec(
        select(Indicator).where(col(Indicator.active).is_(True)).order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    return [
        _IndicatorRef(
            id=row.id or 0, code=row.code, domain=row.domain, target=row.target if row.value_type == "number" else None
        )
        for row in rows
    ]


def _table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _max_id(*, session: Session, model: type[SQLModel]) -> int:
    return int(session.exec(select(func.coalesce(func.max(_table(model).c.id), 0))).one())


def _rows_insert(*, session: Session, table: Table, rows: list[Row]) -> None:
    """SQLite: the driver's executemany within the session's transaction, each value through its column type's
    bind processor as Core would do it; Core's own executemany spends longer on the parameters than SQLite on
    the rows (the ORM's bulk path is slower still: it splits a batch wherever optional values turn None)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = [
        (column.name, _memoised(column.type.dialect_impl(dialect).bind_processor(dialect)))
        for column in table.columns
        if column.name in rows[0]
    ]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    statement = f"""INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})"""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    driver.executemany(
        statement, ([process(row[name]) if process else row[name] for name, process in columns] for row in rows)
    )


def _memoised(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor that converts each distinct value once: the demo's dates and flags repeat endlessly."""
    if process is None:
        return None
    done: dict[Any, Any] = {}

    def processed(value: Any) -> Any:
        if value not in done:
            done[value] = process(value)
        return done[value]

    return processed


def _rows_copy(*, session: Session, table: Table, rows: list[Row]) -> None:
    """COPY into PostgreSQL within the session's transaction: psycopg's executemany sends one INSERT per row.
    Columns the rows leave out (derived counts) take their server defaults, as with executemany."""
    if not rows:
        return
    names = [column.name for column in table.columns if column.name in rows[0]]
    statement = f"""COPY "{table.name}" ({", ".join(f'"{name}"' for name in names)}) FROM STDIN"""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _sequences_reset(*, session: Session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move each past the highest id. ANALYZE too: the counts
    that follow join the new rows, and a planner that still believes the tables empty picks nested loops."""
    for model in TABLES:
        name = _table(model).name
        session.execute(
            text(f"""SELECT setval(pg_get_serial_sequence('"{name}"', 'id'), (SELECT max(id) FROM "{name}"))""")
        )
        session.execute(text(f'ANALYZE "{name}"'))


def _schooling(age: int) -> str:
    if age < 4:
        return "belum"
    if age <= 6:
        return "paud"
    if age <= 12:
        return "sd"
    if age <= 15:
        return "smp"
    return "sma"


def _month_shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _slot_date(month_first: date, week: int, weekday: int) -> date:
    """The `week`-th (0-based) `weekday` of a month: always within its first 28 days."""
    return month_first + timedelta(days=(weekday - month_first.weekday()) % 7 + 7 * week)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class _DemoBuilder:
    """Draws the whole demo into `rows` (one list of dicts per table), ids included."""

    def __init__(
        self,
        *,
        rng: random.Random,
        today: date,
        password_hash: str,
        next_ids: dict[type[SQLModel], int],
        topics: list[TopicRef],
        indicators: list[_IndicatorRef],
    ) -> None:
        if not topics:
            raise LookupError("the core curriculum has no active session to hold")
        self.rng = rng
        self.today = today
        self.password_hash = password_hash
        self.next_ids = next_ids
        self.topics = topics
        self.indicators = indicators
        self.rows: dict[type[SQLModel], list[Row]] = {model: [] for model in TABLES}
        self.nik_serials: dict[tuple[str, date, str], int] = defaultdict(int)
        self.kk_serial = 0
        self.used_names: set[str] = set()
        self.kelompok_per_village: dict[str, int] = defaultdict(int)

    def _id(self, model: type[SQLModel]) -> int:
        new_id = self.next_ids[model]
        self.next_ids[model] = new_id + 1
        return new_id

    # --- People ---

    def _adult_name(self, sex: str) -> str:
        if sex == "L":
            return f"{self.rng.choice(MALE_FIRST)} {self.rng.choice(MALE_LAST)}"
        return f"{self.rng.choice(FEMALE_FIRST)} {self.rng.choice(FEMALE_LAST)}"

    def _child_name(self, sex: str) -> str:
        if sex == "L":
            return f"{self.rng.choice(BOY_FIRST)} {self.rng.choice(BOY_LAST)}"
        return f"{self.rng.choice(GIRL_FIRST)} {self.rng.choice(GIRL_LAST)}"

    def _elder_name(self, sex: str) -> str:
        first, last = (ELDER_MALE, ELDER_MALE_LAST) if sex == "L" else (ELDER_FEMALE, ELDER_FEMALE_LAST)
        name = self.rng.choice(first)
        return f"{name} {self.rng.choice(last)}" if self.rng.random() < 0.4 else name

    def _unique_adult_name(self, sex: str) -> str:
        for _ in range(50):
            name = self._adult_name(sex)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("ran out of distinct staff names")

    def _phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _birth_date(self, age: int) -> date:
        """A birthday that makes the person exactly `age` years old today."""
        try:
            latest = self.today.replace(year=self.today.year - age)
        except ValueError:  # 29 February
            latest = date(self.today.year - age, 2, 28)
        return latest - timedelta(days=self.rng.randint(0, 364))

    def _nik(self, *, kecamatan_code: str, birth_date: date, sex: str) -> str | None:
        """A structurally valid NIK, serial counted per kecamatan, birth date and sex; about 2 % have none."""
        if self.rng.random() < 0.02:
            return None
        key = (kecamatan_code, birth_date, sex)
        self.nik_serials[key] += 1
        return nik_make(kecamatan_code=kecamatan_code, birth_date=birth_date, sex=sex, serial=self.nik_serials[key])

    # --- Whole demo ---

    def build(self, *, villages: list[_Village], pendamping_count: int) -> None:
        created = _at(self.today - timedelta(days=420), 2)
        staff = (
            ("admin", Role.ADMIN, CIMAHI),
            ("supervisor", Role.SUPERVISOR, CIMAHI),
            ("supervisor_selatan", Role.SUPERVISOR, CIMAHI_SELATAN),
            ("peninjau", Role.PENINJAU, CIMAHI),
        )
        for username, role, area in staff:
            self._user(username=username, role=role, area_code=area, created=created)
        # Pendamping spread over the kelurahan in turn, each with 180–230 KPM.
        plans = [
            (villages[i % len(villages)], self._group_sizes(self.rng.randint(180, 230)))
            for i in range(pendamping_count)
        ]
        family_total = sum(sum(sizes) for _, sizes in plans)
        # About ten families in the full demo have no component left: candidates for graduasi alamiah.
        alamiah = set(self.rng.sample(range(family_total), min(family_total, max(1, round(pendamping_count / 4)))))
        family_index = 0
        for number, (village, sizes) in enumerate(plans, start=1):
            pendamping_id = self._user(
                username=f"pendamping{number:02d}", role=Role.PENDAMPING, area_code=village.code, created=created
            )
            family_index = self._pendamping_load(
                pendamping_id=pendamping_id,
                village=village,
                sizes=sizes,
                alamiah=alamiah,
                family_index=family_index,
            )

    def _user(self, *, username: str, role: str, area_code: str, created: datetime) -> int:
        user_id = self._id(User)
        sex = self.rng.choice("LP")
        self.rows[User].append(
            {
                "id": user_id,
                "username": username,
                "full_name": self._unique_adult_name(sex),
                "password_hash": self.password_hash,
                "role": role,
                "area_code": area_code,
                "phone": self._phone(),
                "locale": "id",
                "is_active": True,
                "created_at": created,
                "last_login_at": None,
            }
        )
        return user_id

    def _group_sizes(self, total: int) -> list[int]:
        """Split a caseload into kelompok of 15–30 KPM, about 22 each."""
        count = max(math.ceil(total / 30), min(total // 15, round(total / self.rng.uniform(20, 25))))
        base, extra = divmod(total, count)
        sizes = [base + (1 if i < extra else 0) for i in range(count)]
        for _ in range(count * 2):
            source, target, shift = self.rng.randrange(count), self.rng.randrange(count), self.rng.randint(1, 4)
            if source != target and sizes[source] - shift >= 15 and sizes[target] + shift <= 30:
                sizes[source] -= shift
                sizes[target] += shift
        return sizes

    # --- One pendamping's caseload ---

    def _pendamping_load(
        self, *, pendamping_id: int, village: _Village, sizes: list[int], alamiah: set[int], family_index: int
    ) -> int:
        # Each kelompok meets on its own (week of month, weekday): a pendamping's meetings never share a day.
        slots = self.rng.sample([(week, weekday) for week in range(4) for weekday in range(5)], len(sizes))
        held: list[_Held] = []
        misses: list[tuple[int, _Held]] = []
        futures: list[tuple[int, str, time, int, date]] = []
        for size, (week, weekday) in zip(sizes, slots, strict=True):
            mature = self.rng.random() < MATURE_SHARE
            # Months of meetings on record: a mature kelompok held all core sessions (and has begun again).
            months = len(self.topics) + self.rng.randint(2, 5) if mature else 12
            kelompok_id, place, rw = self._kelompok(pendamping_id=pendamping_id, village=village, months=months)
            families: list[_Household] = []
            for _ in range(size):
                # Families in a kelompok that went through the whole curriculum have more often come far.
                outlook = self.rng.choices(
                    (THRIVING, RISING, STRUGGLING), weights=(8, 50, 42) if mature else (3, 47, 50)
                )
                families.append(
                    self._family(
                        kelompok_id=kelompok_id,
                        village=village,
                        rw=rw,
                        alamiah=family_index in alamiah,
                        months=months,
                        outlook=outlook[0],
                    )
                )
                family_index += 1
            start = time(self.rng.choice((9, 13)))
            meetings, next_topic = self._history(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                place=place,
                start=start,
                slot=(week, weekday),
                months=months,
                mature=mature,
            )
            held.extend(meetings)
            misses.extend(self._attendance(pendamping_id=pendamping_id, meetings=meetings, families=families))
            self._assessments(observer_id=pendamping_id, households=families, meetings=meetings, mature=mature)
            natural = next(
                day
                for ahead in range(3)
                if (day := _slot_date(_month_shift(self.today.replace(day=1), ahead), week, weekday)) > self.today
            )
            if next_topic is not None and self.rng.random() < 0.92:
                futures.append((kelompok_id, place, start, next_topic, natural))
        self._upcoming(pendamping_id=pendamping_id, futures=futures)
        self._makeups(pendamping_id=pendamping_id, held=held, misses=misses)
        return family_index

    def _kelompok(self, *, pendamping_id: int, village: _Village, months: int) -> tuple[int, str, int]:
        kelompok_id = self._id(Kelompok)
        rw = self.rng.randint(1, 16)
        self.kelompok_per_village[village.code] += 1
        numbered = self.kelompok_per_village[village.code]
        if self.rng.random() < 0.3:
            name = f"Kelompok {self.rng.choice(FLOWERS)} RW {rw:02d}"
        else:
            name = f"Kelompok {village.name} {numbered:02d}"
        place = self.rng.choice(
            (
                f"Aula Kelurahan {village.name}",
                f"Rumah Ibu Ketua RW {rw:02d}",
                f"Posyandu {self.rng.choice(FLOWERS)} RW {rw:02d}",
                f"Balai Warga RW {rw:02d}",
                f"{self.rng.choice(MOSQUES)} RW {rw:02d}",
            )
        )
        self.rows[Kelompok].append(
            {
                "id": kelompok_id,
                "name": name,
                "village_code": village.code,
                "pendamping_id": pendamping_id,
                "default_place": place,
                "active": True,
                "created_at": _at(self.today - timedelta(days=self.rng.randint(max(400, 31 * months + 30), 1500)), 2),
            }
        )
        return kelompok_id, place, rw

    # --- A family and its members ---

    def _family(
        self, *, kelompok_id: int, village: _Village, rw: int, alamiah: bool, months: int, outlook: _Outlook
    ) -> _Household:
        """Add a KPM with 3–6 members, enrolled before its kelompok's first meeting on record (`months` ago)."""
        rng = self.rng
        family_id = self._id(Family)
        kecamatan = village.kecamatan_code
        mother_age = rng.randint(46, 60) if alamiah else rng.randint(24, 52)
        single = rng.random() < 0.15
        elderly = not alamiah and rng.random() < 0.10
        children = rng.randint(1, 4)
        adults = 1 + (0 if single else 1) + (1 if elderly else 0)
        children = max(children, 3 - adults)
        children = max(1, min(children, 6 - adults))

        people: list[Row] = []

        def person(*, name: str, age: int, sex: str, relationship: str, schooling: str) -> Row:
            born = self._birth_date(age)
            row: Row = {
                "id": 0,
                "family_id": family_id,
                "name": name,
                "nik": self._nik(kecamatan_code=kecamatan, birth_date=born, sex=sex),
                "birth_date": born,
                "sex": sex,
                "relationship": relationship,
                "is_pengurus": False,
                "schooling": schooling,
                "pregnant": False,
                "severe_disability": False,
                "has_birth_certificate": None,
                "active": True,
            }
            people.append(row)
            return row

        adult_schooling = ("lulus", "tidak", "tidak")
        mother = person(
            name=self._adult_name("P"),
            age=mother_age,
            sex="P",
            relationship="kepala" if single else "istri",
            schooling=rng.choice(adult_schooling),
        )
        mother["is_pengurus"] = True
        mother["pregnant"] = not alamiah and mother_age <= 42 and rng.random() < 0.125
        head_name = mother["name"]
        others: list[str] = []
        if not single:
            husband = person(
                name=self._adult_name("L"),
                age=max(22, mother_age + rng.randint(-2, 8)),
                sex="L",
                relationship="kepala",
                schooling=rng.choice(adult_schooling),
            )
            head_name = husband["name"]
            others.append(husband["name"])
        if elderly:
            sex = "P" if rng.random() < 0.65 else "L"
            grandparent = person(
                name=self._elder_name(sex),
                age=rng.randint(70, 86),
                sex=sex,
                relationship="orang_tua",
                schooling="tidak",
            )
            others.append(grandparent["name"])
        # Children from the youngest up, two to five years apart; none born to a mother under 18.
        eldest = mother_age - 18
        youngest = 19 if alamiah else 0
        age = rng.randint(youngest, min(26, mother_age - 19)) if alamiah else rng.randint(0, min(15, eldest - 1))
        for _ in range(children):
            if age > eldest:
                age = rng.randint(youngest, eldest)
            sex = rng.choice("LP")
            schooling = _schooling(age) if age < 19 else "lulus" if alamiah or rng.random() < 0.8 else "tidak"
            child = person(name=self._child_name(sex), age=age, sex=sex, relationship="anak", schooling=schooling)
            child["has_birth_certificate"] = age >= 18 or rng.random() >= 0.05
            if age >= 17:
                others.append(child["name"])
            age += rng.randint(2, 5)
        if not alamiah and rng.random() < 0.03:
            rng.choice(people[1:] or people)["severe_disability"] = True
        for row in people:
            row["id"] = self._id(Member)
        self.rows[Member].extend(people)

        enrolled = self.today - timedelta(days=rng.randint(max(400, 31 * months + 14), 2850))
        issued = enrolled - timedelta(days=rng.randint(200, 4000))
        self.kk_serial = self.kk_serial % 9999 + 1
        desil = rng.choices((1, 2, 3, 4, None), weights=(25, 30, 22, 13, 10))[0]
        self.rows[Family].append(
            {
                "id": family_id,
                "programme_id": f"PKH-3277-{family_id:06d}",
                "kk_number": f"{kecamatan.replace('.', '')}{issued:%d%m%y}{self.kk_serial:04d}",
                "head_name": head_name,
                "address": self._address(rw),
                "village_code": village.code,
                "kelompok_id": kelompok_id,
                "status": FamilyStatus.AKTIF,
                "enrolled_on": enrolled,
                "exited_on": None,
                "desil": desil,
                "created_at": _at(enrolled, 3),
                "updated_at": _at(enrolled, 3),
            }
        )
        return _Household(
            family_id=family_id, others=others, people=people, enrolled=enrolled, desil=desil, outlook=outlook
        )

    def _address(self, rw: int) -> str:
        street = self.rng.choice(STREETS)
        number = f" No. {self.rng.randint(1, 120)}" if street.startswith("Jl.") else ""
        return f"{street}{number} RT {self.rng.randint(1, 12):02d}/RW {rw:02d}"

    # --- Meetings ---

    def _meeting(
        self,
        *,
        pendamping_id: int,
        kelompok_id: int,
        topic: TopicRef,
        day: date,
        start: time,
        place: str,
        status: str,
        scheduled_at: datetime,
    ) -> int:
        meeting_id = self._id(Meeting)
        updated = scheduled_at if status == MeetingStatus.SCHEDULED else _at(day, 11)
        self.rows[Meeting].append(
            {
                "id": meeting_id,
                "kelompok_id": kelompok_id,
                "topic_id": topic.id,
                "date": day,
                "start_time": start,
                "duration_minutes": topic.duration_minutes,
                "place": place,
                "status": status,
                "is_makeup": False,
                "notes": "",
                "created_by_id": pendamping_id,
                "created_at": scheduled_at,
                "updated_at": updated,
            }
        )
        self._event(
            meeting_id=meeting_id,
            kind=MeetingStatus.SCHEDULED,
            detail=f"Sesi {topic.no}, {day:%d/%m/%Y} {start:%H.%M}, {place}",
            user_id=pendamping_id,
            at=scheduled_at,
        )
        return meeting_id

    def _event(self, *, meeting_id: int, kind: str, detail: str, user_id: int, at: datetime, reason: str = "") -> None:
        self.rows[MeetingEvent].append(
            {
                "id": self._id(MeetingEvent),
                "meeting_id": meeting_id,
                "kind": kind,
                "detail": detail,
                "reason": reason,
                "user_id": user_id,
                "at": at,
            }
        )

    def _history(
        self,
        *,
        pendamping_id: int,
        kelompok_id: int,
        place: str,
        start: time,
        slot: tuple[int, int],
        months: int,
        mature: bool,
    ) -> tuple[list[_Held], int | None]:
        """`months` of monthly meetings through the core sessions; return the held ones and the next session.

        A mature kelompok starts at session 1 and, once past the last, begins again for the KPM who missed some."""
        rng = self.rng
        this_month = self.today.replace(day=1)
        days = [_slot_date(_month_shift(this_month, shift), *slot) for shift in range(-months - 1, 1)]
        days = [day for day in days if day < self.today][-months:]
        overdue = rng.random() < 0.08
        recent = self.today - timedelta(days=60)
        plan: list[tuple[date, str]] = []
        for index, day in enumerate(days):
            if overdue and day >= recent:
                continue
            latest = index == len(days) - 1
            draw = rng.random()
            if not latest and draw < 0.05:
                continue
            plan.append((day, MeetingStatus.CANCELLED if not latest and draw < 0.08 else MeetingStatus.HELD))
        held_count = sum(1 for _, status in plan if status == MeetingStatus.HELD)
        # Groups started at different points of the curriculum; each still has a core session ahead of it.
        position = 0 if mature else rng.randint(0, max(0, min(3, len(self.topics) - 1 - held_count)))
        held: list[_Held] = []
        for day, status in plan:
            if position == len(self.topics):
                if not mature:  # an administrator switched core sessions off
                    break
                position = 0
            topic = self.topics[position]
            meeting_id = self._meeting(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                topic=topic,
                day=day,
                start=start,
                place=place,
                status=status,
                scheduled_at=_at(day - timedelta(days=rng.randint(5, 14)), 2),
            )
            if status == MeetingStatus.CANCELLED:
                self._event(
                    meeting_id=meeting_id,
                    kind=MeetingStatus.CANCELLED,
                    detail=f"Sesi {topic.no} batal",
                    reason=rng.choice(CANCEL_REASONS),
                    user_id=pendamping_id,
                    at=_at(day - timedelta(days=1), 3),
                )
                continue
            self._event(
                meeting_id=meeting_id,
                kind=MeetingStatus.HELD,
                detail=f"Sesi {topic.no} terlaksana",
                user_id=pendamping_id,
                at=_at(day, 11),
            )
            held.append(_Held(meeting_id=meeting_id, kelompok_id=kelompok_id, topic_id=topic.id, day=day))
            position += 1
        if mature:
            return held, position % len(self.topics)
        return held, position if position < len(self.topics) else None

    def _upcoming(self, *, pendamping_id: int, futures: list[tuple[int, str, time, int, date]]) -> None:
        """Schedule each kelompok's next session within three weeks, on a day none of its siblings uses."""
        horizon = self.today + timedelta(days=21)
        taken = {natural for *_, natural in futures if natural <= horizon}
        free = [
            day
            for offset in range(1, 22)
            if (day := self.today + timedelta(days=offset)).weekday() < 5 and day not in taken
        ]
        for kelompok_id, place, start, position, natural in futures:
            day = natural
            if natural > horizon:
                if not free:
                    continue
                day = free.pop(self.rng.randrange(len(free)))
            self._meeting(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                topic=self.topics[position],
                day=day,
                start=start,
                place=place,
                status=MeetingStatus.SCHEDULED,
                scheduled_at=_at(self.today - timedelta(days=self.rng.randint(1, 10)), 2),
            )

    # --- Attendance ---

    def _attendance_row(
        self, *, meeting: _Held, family_id: int, status: str, attendee: str, name: str, pendamping_id: int
    ) -> None:
        self.rows[Attendance].append(
            {
                "id": self._id(Attendance),
                "meeting_id": meeting.meeting_id,
                "family_id": family_id,
                "status": status,
                "attendee": attendee,
                "attendee_name": name,
                "recorded_by_id": pendamping_id,
                "recorded_at": _at(meeting.day, 11),
            }
        )

    def _attendance(
        self, *, pendamping_id: int, meetings: list[_Held], families: list[_Household]
    ) -> list[tuple[int, _Held]]:
        """Record every family at every held meeting of its kelompok; return the (family, meeting) misses."""
        rng = self.rng
        misses: list[tuple[int, _Held]] = []
        for family in families:
            family_id, others = family.family_id, family.others
            habit = rng.random()
            absence = 0.10 if habit < 0.75 else 0.25 if habit < 0.97 else 0.45
            if family.outlook is THRIVING:  # the families that changed most are the ones that keep coming
                absence = 0.06
            # A few families stop coming for three or four meetings in a row (the 3x alpa warning).
            streak = range(0)
            if len(meetings) >= 4 and rng.random() < 0.01:
                length = rng.randint(3, 4)
                first = rng.randint(0, len(meetings) - length)
                streak = range(first, first + length)
            for index, meeting in enumerate(meetings):
                attendee, name = "pengurus", ""
                if index in streak:
                    status = AttendanceStatus.ALPA
                elif rng.random() >= absence:
                    status = AttendanceStatus.HADIR
                    if others and rng.random() < 0.12:
                        attendee, name = "anggota_lain", rng.choice(others)
                else:
                    status = rng.choices(
                        (AttendanceStatus.IZIN, AttendanceStatus.SAKIT, AttendanceStatus.ALPA), weights=(36, 28, 36)
                    )[0]
                if status != AttendanceStatus.HADIR:
                    misses.append((family_id, meeting))
                self._attendance_row(
                    meeting=meeting,
                    family_id=family_id,
                    status=status,
                    attendee=attendee,
                    name=name,
                    pendamping_id=pendamping_id,
                )
        return misses

    def _makeups(self, *, pendamping_id: int, held: list[_Held], misses: list[tuple[int, _Held]]) -> None:
        """Some families make up a missed session at a later meeting of it in a sibling kelompok."""
        by_topic: dict[int, list[_Held]] = defaultdict(list)
        for meeting in sorted(held, key=lambda item: item.day):
            by_topic[meeting.topic_id].append(meeting)
        for family_id, missed in misses:
            if self.rng.random() >= 0.05:
                continue
            later = next(
                (
                    meeting
                    for meeting in by_topic[missed.topic_id]
                    if meeting.day > missed.day and meeting.kelompok_id != missed.kelompok_id
                ),
                None,
            )
            if later is not None:
                self._attendance_row(
                    meeting=later,
                    family_id=family_id,
                    status=AttendanceStatus.HADIR,
                    attendee="pengurus",
                    name="",
                    pendamping_id=pendamping_id,
                )

    # --- Home visits: assessments ---

    def _modules_finished(self, meetings: list[_Held]) -> list[tuple[int, str, date]]:
        """(module id, code, day of its last session) of each core module the kelompok has held in full."""
        first: dict[int, date] = {}
        for meeting in meetings:
            first.setdefault(meeting.topic_id, meeting.day)
        modules: dict[int, list[TopicRef]] = defaultdict(list)
        for topic in self.topics:
            modules[topic.module_id].append(topic)
        finished = [
            (module_id, topics[0].module_code, max(first[topic.id] for topic in topics))
            for module_id, topics in modules.items()
            if all(topic.id in first for topic in topics)
        ]
        return sorted(finished, key=lambda item: item[2])

    def _assessments(
        self, *, observer_id: int, households: list[_Household], meetings: list[_Held], mature: bool
    ) -> None:
        """A baseline for most KPM some 18–24 months ago (or soon after enrolment), a follow-up after modules the
        kelompok finished, a recent graduation assessment for those who look ready, and a few visits in draft."""
        if not self.indicators:
            return
        rng = self.rng
        modules = self._modules_finished(meetings)
        for household in households:
            visit = partial(self._assessment, household, observer_id=observer_id)
            if rng.random() >= 0.88:  # not visited yet; now and then the first visit is still being written up
                if rng.random() < 0.25:
                    visit(kind="baseline", day=self.today - timedelta(days=rng.randint(1, 30)), draft=True)
                continue
            outlook = household.outlook
            baseline = max(
                self.today - timedelta(days=rng.randint(540, 730)),
                household.enrolled + timedelta(days=rng.randint(14, 60)),
            )
            track = _Track(
                spending=rng.randint(*outlook.spending), start=rng.uniform(*outlook.start), baseline=baseline
            )
            visit(kind="baseline", day=baseline, track=track)
            last = baseline
            for module, day in self._follow_ups(household, modules=modules, after=baseline):
                visit(kind="lanjutan", day=day, module=module, track=track)
                last = day
            chance = (0.8 if mature else 0.45) if outlook is THRIVING else 0.02
            day = self.today - timedelta(days=rng.randint(5, 75))
            if rng.random() < chance and day > last + timedelta(days=14):
                visit(kind="graduasi", day=day, track=track)
                last = day
            day = self.today - timedelta(days=rng.randint(1, 20))
            if rng.random() < 0.03 and day > last:
                if outlook is THRIVING:
                    visit(kind="graduasi", day=day, track=track, draft=True)
                elif modules and self._scope(household, day=day, domain=modules[-1][1]):
                    visit(kind="lanjutan", day=day, module=modules[-1][:2], track=track, draft=True)

    def _follow_ups(
        self, household: _Household, *, modules: list[tuple[int, str, date]], after: date
    ) -> list[tuple[tuple[int, str], date]]:
        """None, one or two follow-ups, after the latest modules finished since the baseline that have something
        to ask this family (without an elder or a severe disability there is no Kesos follow-up)."""
        count = self.rng.choices((0, 1, 2), weights=(12, 55, 33))[0]
        chosen: list[tuple[tuple[int, str], date]] = []
        for module_id, code, done in reversed(modules):
            if len(chosen) == count:
                break
            day = done + timedelta(days=self.rng.randint(7, 35))
            if after + timedelta(days=30) < day < self.today and self._scope(household, day=day, domain=code):
                chosen.append(((module_id, code), day))
        return chosen[::-1]

    def _scope(self, household: _Household, *, day: date, domain: str | None) -> list[_IndicatorRef]:
        """The indicators a visit asks (one module's after it, else all) that apply to the family on `day`."""
        situations = self._situations(household.people, day)
        return [
            indicator
            for indicator in self.indicators
            if (domain is None or indicator.domain == domain) and APPLIES.get(indicator.code, "") in situations
        ]

    def _situations(self, people: list[Row], day: date) -> set[str]:
        """What makes indicators apply on `day`: children by age, a pregnancy, a severe disability, an elder."""
        found = {""}
        for person in people:
            born = person["birth_date"]
            if born > day:
                if born <= day + timedelta(days=270):
                    found.add("hamil")
                continue
            age = age_on(born, day)
            if person["pregnant"] and day >= self.today - timedelta(days=180):
                found.add("hamil")
            if person["severe_disability"]:
                found.add("disabilitas")
            if age >= 60:
                found.add("lansia")
            if person["relationship"] != "anak" or age >= 18:
                continue
            found.add("anak")
            found.update(name for name, (low, high) in CHILD_AGES.items() if low <= age <= high)
        return found

    def _assessment(
        self,
        household: _Household,
        *,
        observer_id: int,
        kind: str,
        day: date,
        module: tuple[int, str] | None = None,
        track: _Track | None = None,
        draft: bool = False,
    ) -> None:
        """One visit: the economic profile and an answer (yes/no, a number, or not applicable) per indicator."""
        rng = self.rng
        outlook = household.outlook
        track = track or _Track(
            spending=rng.randint(*outlook.spending), start=rng.uniform(*outlook.start), baseline=day
        )
        stage = {"baseline": 0, "lanjutan": 1}.get(kind, 2)
        economy = self._economy(household, track=track, stage=stage, day=day)
        asked = [i for i in self.indicators if module is None or i.domain == module[1]]
        applicable = self._scope(household, day=day, domain=module[1] if module else None)
        applies = {indicator.id for indicator in applicable}
        met = self._met(
            household, applicable=applicable, economy=economy, day=day, share=rng.uniform(*outlook.scores[stage])
        )
        if draft:  # part of the form is filled in; the rest waits for the next visit
            asked = asked[: rng.randint(len(asked) // 3, max(len(asked) // 3, len(asked) - 1))]
            if rng.random() < 0.5:
                economy.update(monthly_income=None, monthly_spending=None)
        assessment_id = self._id(Assessment)
        self.rows[Assessment].append(
            {
                "id": assessment_id,
                "family_id": household.family_id,
                "kind": kind,
                "assessed_on": day,
                "observer_id": observer_id,
                "status": DRAFT if draft else FINAL,
                "module_id": module[0] if module else None,
                **economy,
                "notes": rng.choice(DRAFT_NOTES if draft else GRADUATION_NOTES)
                if draft or (kind == "graduasi" and outlook is THRIVING)
                else "",
                "created_at": _at(day, 6),
                "updated_at": _at(day, 6),
            }
        )
        for indicator in asked:
            value_bool: bool | None = None
            value_num: float | None = None
            if indicator.id in applies:
                hit = indicator.id in met
                if indicator.target is None:
                    value_bool = hit
                elif hit:
                    value_num = float(math.ceil(indicator.target * rng.uniform(1.0, 1.17)))
                else:
                    value_num = float(math.floor(indicator.target * rng.uniform(0.6, 0.97)))
            self.rows[AssessmentValue].append(
                {
                    "id": self._id(AssessmentValue),
                    "assessment_id": assessment_id,
                    "indicator_id": indicator.id,
                    "value_bool": value_bool,
                    "value_num": value_num,
                    "observed_on": day,
                    "observer_id": observer_id,
                }
            )

    def _met(
        self, household: _Household, *, applicable: list[_IndicatorRef], economy: Row, day: date, share: float
    ) -> set[int]:
        """Which applicable indicators are met: those the economy or the records settle, then enough of the rest
        to bring the score near `share`."""
        settled: dict[int, bool] = {}
        for indicator in applicable:
            if indicator.code in ECONOMY_LINKS:
                settled[indicator.id] = bool(economy[ECONOMY_LINKS[indicator.code]])
            elif indicator.code == "eko_sumber_penghasilan":
                settled[indicator.id] = (economy["income_sources"] or 0) > 1
            elif indicator.code == "lindung_akta_lahir":
                settled[indicator.id] = all(
                    person["has_birth_certificate"] is not False
                    for person in household.people
                    if person["relationship"] == "anak" and person["birth_date"] <= day
                )
        free = [indicator.id for indicator in applicable if indicator.id not in settled]
        wanted = round(share * len(applicable)) - sum(settled.values())
        chosen = self.rng.sample(free, max(0, min(len(free), wanted)))
        return {indicator_id for indicator_id, hit in settled.items() if hit} | set(chosen)

    def _economy(self, household: _Household, *, track: _Track, stage: int, day: date) -> Row:
        """Household size, income, spending, income sources, welfare signs and desil seen on `day`; spending moves
        from the baseline share towards the family's level, and a sign once gained stays."""
        rng = self.rng
        outlook = household.outlook
        progress = 1.0 if stage == 2 else (day - track.baseline).days / max(1, (self.today - track.baseline).days)
        size = max(1, sum(1 for person in household.people if person["birth_date"] <= day))
        per_head = track.spending * (track.start + (1 - track.start) * progress) * rng.uniform(0.97, 1.03)
        spending = max(50_000, round(per_head * size / 50_000) * 50_000)
        income = round(spending * rng.uniform(*outlook.income) / 50_000) * 50_000
        if outlook.income_cap is not None:
            income = min(income, outlook.income_cap)
        for name, bonus in SIGN_BONUS.items():
            had = track.signs.get(name)
            if had is None:
                track.signs[name] = rng.random() < outlook.signs + bonus
            elif not had and rng.random() < outlook.gain:
                track.signs[name] = True
        if stage == 0:
            track.sources = 2 if outlook.sources[1] > 1 and rng.random() < 0.2 else 1
        else:
            track.sources = max(track.sources, rng.randint(*outlook.sources))
        desil = household.desil
        if stage == 2 and outlook is THRIVING:
            desil = rng.choice((5, 5, 6, household.desil))
        return {
            "household_size": size,
            "monthly_income": income,
            "monthly_spending": spending,
            "income_sources": track.sources,
            **track.signs,
            "desil": desil,
        }
