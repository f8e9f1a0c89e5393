"""Parsing raw form values into typed ones, collecting a message per field instead of raising."""

import re
from dataclasses import dataclass, field
from datetime import date, time
from types import TracebackType

from fastapi import Request
from sqlmodel import Session

from app.errors import RuleViolation
from app.i18n import N_, gettext
from app.params import ID_MAX, text_clean

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
"""Dates typed into any form lie in this range (birth dates of the oldest members to plans years ahead)."""
DECIMAL_MAX = 1e15
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,16}(?:\.[0-9]{1,6})?")


@dataclass
class FormErrors:
    messages: dict[str, str] = field(default_factory=dict)
    refused: RuleViolation | None = None  # the rule that refused the save, when one did

    def add(self, name: str, message: str, **params: object) -> None:
        self.messages.setdefault(name, gettext(message, **params))

    def __bool__(self) -> bool:
        return bool(self.messages)


def parse_date(raw: str, *, name: str, errors: FormErrors, required: bool = True) -> date | None:
    raw = raw.strip()
    if not raw:
        if required:
            errors.add(name, N_("Tanggal wajib diisi."))
        return None
    try:
        day = date.fromisoformat(raw) if raw.isascii() else None
    except ValueError:
        day = None
    if day is None:
        errors.add(name, N_("Tanggal tidak valid: %(value)s."), value=raw[:40])
    elif not DATE_MIN <= day <= DATE_MAX:
        errors.add(name, N_("Tanggal di luar rentang %(first)s–%(last)s."), first=DATE_MIN.year, last=DATE_MAX.year)
        return None
    return day


def parse_time(raw: str, *, name: str, errors: FormErrors) -> time | None:
    raw = raw.strip()
    value = None
    if raw.isascii() and len(raw) <= 8:
        try:
            value = time.fromisoformat(raw)
        except ValueError:
            value = None
    if value is None:
        errors.add(name, N_("Jam tidak valid (contoh 09:00)."))
    return value


def parse_int(
    raw: str,
    *,
    name: str,
    errors: FormErrors,
    minimum: int | None = None,
    maximum: int | None = None,
    required: bool = True,
) -> int | None:
    """Digits 0-9 with an optional sign (dots and spaces as thousands separators), within minimum..maximum
    (by default what an INTEGER column holds)."""
    raw = raw.strip().replace(".", "").replace(" ", "")
    if not raw:
        if required:
            errors.add(name, N_("Wajib diisi."))
        return None
    if not _INTEGER.fullmatch(raw):
        errors.add(name, N_("Harus berupa angka."))
        return None
    value = int(raw)
    minimum = -ID_MAX if minimum is None else minimum
    maximum = ID_MAX if maximum is None else maximum
    if minimum is not None and value < minimum:
        errors.add(name, N_("Tidak boleh kurang dari %(minimum)s."), minimum=minimum)
        return None
    if maximum is not None and value > maximum:
        errors.add(name, N_("Tidak boleh lebih dari %(maximum)s."), maximum=maximum)
        return None
    return value


def parse_decimal(
    raw: str,
    *,
    name: str,
    errors: FormErrors,
    minimum: float = -DECIMAL_MAX,
    maximum: float = DECIMAL_MAX,
    required: bool = True,
) -> float | None:
    """A number with an optional decimal comma or point (1,5 or 1.5), digits 0-9 only: no exponent, NaN or
    infinity."""
    raw = raw.strip().replace(",", ".")
    if not raw:
        if required:
            errors.add(name, N_("Wajib diisi."))
        return None
    if not _DECIMAL.fullmatch(raw):
        errors.add(name, N_("Harus berupa angka."))
        return None
    value = float(raw)
    if value < minimum:
        errors.add(name, N_("Tidak boleh kurang dari %(minimum)s."), minimum=minimum)
        return None
    if value > maximum:
        errors.add(name, N_("Tidak boleh lebih dari %(maximum)s."), maximum=maximum)
        return None
    return value


def parse_text(raw: str, *, name: str, errors: FormErrors, required: bool = False, max_length: int = 300) -> str:
    value = raw.strip()
    if required and not value:
        errors.add(name, N_("Wajib diisi."))
    elif len(value) > max_length:
        errors.add(name, N_("Terlalu panjang (maksimal %(max)s karakter)."), max=max_length)
    return value


async def form_values(request: Request) -> dict[str, str]:
    """The submitted text fields, minus the CSRF token, to parse and to echo back into a form."""
    form = await request.form()
    return {k: text_clean(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


class form_refusal:  # noqa: N801 - used as a function: `with form_refusal(session=...) as errors:`
    """The one way a form answers a refused rule: run the service inside `with`; a RuleViolation rolls the
    session back and becomes a message on its field (`field` overrides it, `prefix` namespaces it), so the
    route falls through to re-render its form at 422 with the values kept. Any other error passes through."""

    def __init__(
        self, *, session: Session, errors: FormErrors | None = None, field: str | None = None, prefix: str = ""
    ) -> None:
        self.session = session
        self.errors = errors if errors is not None else FormErrors()
        self.field = field
        self.prefix = prefix

    def __enter__(self) -> FormErrors:
        return self.errors

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if not isinstance(exc, RuleViolation):
            return False
        self.session.rollback()
        self.errors.refused = exc
        name = self.field or (self.prefix + exc.field if exc.field else "form")
        self.errors.messages[name] = gettext(exc.message, **exc.params)
        return True
