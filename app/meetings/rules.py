"""Scheduling rules as plain functions over plain values."""

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

MAX_DAYS_AHEAD = 550
MAX_DAYS_BACK = 90


def next_topic_id(
    *, ordered_topic_ids: Sequence[int], held: Iterable[int], scheduled: Iterable[int], completed_by_all: Iterable[int]
) -> int | None:
    """The first topic the group has neither held, nor scheduled, nor completed to the last KPM."""
    taken = set(held) | set(scheduled) | set(completed_by_all)
    return next((t for t in ordered_topic_ids if t not in taken), None)


def remaining_topic_ids(
    *, ordered_topic_ids: Sequence[int], held: Iterable[int], scheduled: Iterable[int], completed_by_all: Iterable[int]
) -> list[int]:
    taken = set(held) | set(scheduled) | set(completed_by_all)
    return [t for t in ordered_topic_ids if t not in taken]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def weekday_on_or_after(day: date) -> date:
    """Meetings fall on working days: a Saturday or Sunday moves to Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def monthly_dates(*, first: date, count: int) -> list[date]:
    return [weekday_on_or_after(add_months(first, i)) for i in range(count)]


def overlaps(*, start_a: datetime, minutes_a: int, start_b: datetime, minutes_b: int) -> bool:
    return start_a < start_b + timedelta(minutes=minutes_b) and start_b < start_a + timedelta(minutes=minutes_a)


def first_overlap(*, day: date, start: time, minutes: int, others: Iterable[tuple[int, date, time, int]]) -> int | None:
    """The id of the first other meeting (id, date, start, minutes) that overlaps the proposed one."""
    begin = datetime.combine(day, start)
    for other_id, other_day, other_start, other_minutes in others:
        if other_day == day and overlaps(
            start_a=begin, minutes_a=minutes, start_b=datetime.combine(other_day, other_start), minutes_b=other_minutes
        ):
            return other_id
    return None


def date_problem(*, day: date, today: date) -> str | None:
    """A message id when a meeting date is implausible, else None."""
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        return "too_far_ahead"
    if day < today - timedelta(days=MAX_DAYS_BACK):
        return "too_far_back"
    return None
