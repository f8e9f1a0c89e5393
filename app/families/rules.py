"""Family rules as plain values: the PKH payment cap, and the register's checks on identity numbers, dates and
reasons (the components themselves are in graduation.rules). The roster import calls the same functions.

Every `*_check` returns the problems as messages in the current locale; an empty list means valid.
"""

from collections.abc import Callable
from datetime import date

from app.i18n import N_, gettext
from app.identity.rules import kk_check, nik_check, number_clean
from app.models import ExitReason, MemberJoinReason, MemberLeaveReason, name_key_of

__all__ = [
    "EXIT_REASONS",
    "JOIN_REASONS",
    "LEAVE_REASONS",
    "MAX_PAID_COMPONENTS",
    "date_check",
    "kk_check",
    "name_key",
    "nik_check",
    "nik_duplicates",
    "number_clean",
    "village_check",
]

MAX_PAID_COMPONENTS = 4
EXIT_REASONS = tuple(ExitReason)
JOIN_REASONS = tuple(MemberJoinReason)
LEAVE_REASONS = tuple(MemberLeaveReason)
VILLAGE_LEVEL = 4

MSG_FUTURE = N_("Tanggal tidak boleh di masa depan.")
MSG_BEFORE = N_("Tanggal tidak boleh sebelum %(what)s (%(day)s).")
MSG_VILLAGE_UNKNOWN = N_("Kode kelurahan/desa %(code)s tidak dikenal.")
MSG_NIK_TWICE = N_("NIK %(nik)s tercantum lebih dari sekali.")


def name_key(name: str) -> str:
    """The form of a name that search compares (accents dropped, case folded)."""
    return name_key_of(name)


def date_check(day: date, *, today: date, not_before: list[tuple[date | None, str]] | None = None) -> list[str]:
    """A register date (enrolment, member joined or left, transfer, exit): not in the future, and not before any
    of `not_before` — pairs of (date, what it is, as an N_ message such as "tanggal lahir")."""
    if day > today:
        return [gettext(MSG_FUTURE)]
    for earliest, what in not_before or []:
        if earliest is not None and day < earliest:
            return [gettext(MSG_BEFORE, what=gettext(what), day=earliest.strftime("%d-%m-%Y"))]
    return []


def village_check(code: str, *, area_level: Callable[[str], int | None]) -> list[str]:
    """A family's village: a known Kemendagri kelurahan/desa code (level 4)."""
    return [] if area_level(code) == VILLAGE_LEVEL else [gettext(MSG_VILLAGE_UNKNOWN, code=code)]


def nik_duplicates(niks: list[str | None]) -> list[str]:
    """The NIKs given more than once in one family form or one file (cleaned; blanks ignored)."""
    seen: set[str] = set()
    twice: list[str] = []
    for raw in niks:
        nik = number_clean(raw or "")
        if nik and nik in seen and nik not in twice:
            twice.append(nik)
        seen.add(nik)
    return [gettext(MSG_NIK_TWICE, nik=nik) for nik in twice]
