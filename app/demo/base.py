"""What every part of the demo builder shares: the random source, today, the ids and the rows drawn."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import SQLModel

from app.curriculum.queries import TopicRef
from app.demo.bulk import TABLES, Row


@dataclass(frozen=True)
class Village:
    code: str
    name: str

    @property
    def kecamatan_code(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class IndicatorRef:
    id: int
    code: str
    domain: str
    target: float | None  # numbers only: met at or above it


def month_shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def slot_date(month_first: date, week: int, weekday: int) -> date:
    """The `week`-th (0-based) `weekday` of a month: always within its first 28 days."""
    return month_first + timedelta(days=(weekday - month_first.weekday()) % 7 + 7 * week)


def moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class DemoState:
    """The builder's state: one `random.Random`, today, the next id of each table and the rows so far."""

    def __init__(
        self,
        *,
        rng: random.Random,
        today: date,
        password_hash: str,
        next_ids: dict[type[SQLModel], int],
        topics: list[TopicRef],
        indicators: list[IndicatorRef],
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
