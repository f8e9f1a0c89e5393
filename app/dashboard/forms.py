"""Dashboard filter input: the area code and a period of whole months (dari / sampai as YYYY-MM)."""

import re
from datetime import date

from app.dashboard.queries import Period
from app.forms import FormErrors
from app.i18n import N_

MAX_MONTHS = 36
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
DEFAULT_MONTHS = 12


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def period_default(today: date) -> Period:
    end = today.replace(day=1)
    return Period(start=month_from_index(month_index(end) - DEFAULT_MONTHS + 1), end=end)


def parse_month(raw: str, *, name: str, errors: FormErrors) -> date | None:
    raw = raw.strip()
    match = _MONTH.fullmatch(raw)
    if match and 1900 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    errors.add(name, N_("Bulan tidak valid: %(value)s (contoh 2026-01)."), value=raw[:40])
    return None


def period_parse(*, dari: str, sampai: str, today: date) -> tuple[Period, dict[str, str], FormErrors]:
    """The period asked for (or the last 12 months), the values to show back, and any messages."""
    default = period_default(today)
    values = {
        "dari": dari.strip() or default.start.strftime("%Y-%m"),
        "sampai": sampai.strip() or default.end.strftime("%Y-%m"),
    }
    errors = FormErrors()
    start = parse_month(values["dari"], name="dari", errors=errors)
    end = parse_month(values["sampai"], name="sampai", errors=errors)
    if start is None or end is None:
        return default, values, errors
    if end < start:
        errors.add("sampai", N_("Bulan akhir sebelum bulan awal. Tukar urutannya."))
    elif month_index(end) - month_index(start) + 1 > MAX_MONTHS:
        errors.add("sampai", N_("Rentang paling panjang %(max)s bulan."), max=MAX_MONTHS)
    if errors:
        return default, values, errors
    return Period(start=start, end=end), values, errors
