"""Bahasa Indonesia is the source language; other locales come from Babel .po catalogs."""

from contextvars import ContextVar
from datetime import date, datetime, time
from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.support import Translations

LOCALES = ("id", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
current_locale: ContextVar[str] = ContextVar("current_locale", default="id")


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


@lru_cache
def translations(locale: str) -> NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "id" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def gettext(message: str, **params: object) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


@lru_cache
def _symbols(locale: str) -> tuple[str, str]:
    return get_group_symbol(locale=locale), get_decimal_symbol(locale=locale)


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    """Grouped digits in the current locale (1.020.000 / 1,020,000): Python's formatting with the locale's symbols,
    as babel's format_decimal gives but without parsing a pattern per call (pages show thousands of figures)."""
    if value is None:
        return "–"
    group, decimal = _symbols(current_locale.get())
    return f"{value:,.{digits}f}".replace(",", "\0").replace(".", decimal).replace("\0", group)


def fmt_rupiah(value: float | int | None) -> str:
    return "–" if value is None else "Rp " + fmt_number(value)


def fmt_percent(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else fmt_number(value * 100, digits) + " %"


# One date format per context, everywhere (pages, prints, exports, messages): a context name, never a pattern.
DATE_FORMATS = {
    "medium": "d MMM y",  # lists, tables, history
    "long": "EEEE, d MMMM y",  # the heading of one meeting, a printed sheet
    "day": "EEE, d MMM y",  # agendas: the next meetings, a plan
    "month": "MMMM y",  # a report's month, a month's row
    "axis": "MMM yy",  # a chart's month axis
}


def fmt_date(value: date | None, form: str = "medium") -> str:
    """A date in the current locale, in the format of its context (`DATE_FORMATS`)."""
    return "–" if value is None else format_date(value, format=DATE_FORMATS[form], locale=current_locale.get())


def fmt_time(value: time | None) -> str:
    return "–" if value is None else value.strftime("%H:%M")


def fmt_clock(value: datetime | None) -> str:
    """The time of day (Jakarta) a change was saved, to the second."""
    return "–" if value is None else value.astimezone(get_timezone("Asia/Jakarta")).strftime("%H:%M:%S")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    return format_datetime(
        value, format="d MMM y HH:mm", tzinfo=get_timezone("Asia/Jakarta"), locale=current_locale.get()
    )
