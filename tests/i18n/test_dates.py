"""One date format per context, through Babel: templates name a context of `DATE_FORMATS`, never a pattern."""

import re
from datetime import date

from app import i18n
from app.settings import ROOT

FMT_DATE_FORM = re.compile(r"""fmt_date\([^"']*?,\s*["']([^"']+)["']\)""")
# strftime stays only where a machine reads it: query values, data attributes, keys.
STRFTIME = re.compile(r"strftime\(['\"]([^'\"]+)['\"]\)")


def test_templates_format_dates_by_context_only() -> None:
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text()
        problems += [
            f"{path.name}: fmt_date(…, {f!r})" for f in FMT_DATE_FORM.findall(source) if f not in i18n.DATE_FORMATS
        ]
        problems += [f"{path.name}: strftime({p})" for p in STRFTIME.findall(source) if p != "%Y-%m"]
        if ".start_time.strftime" in source or "astimezone(" in source:
            problems.append(f"{path.name}: a time formatted by hand (use fmt_time / fmt_clock)")
    assert problems == []


def test_each_context_in_both_languages() -> None:
    day = date(2026, 11, 30)
    token = i18n.current_locale.set("id")
    try:
        assert [i18n.fmt_date(day, form) for form in ("medium", "long", "day", "month")] == [
            "30 Nov 2026",
            "Senin, 30 November 2026",
            "Sen, 30 Nov 2026",
            "November 2026",
        ]
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        assert i18n.fmt_date(day, "long") == "Monday, 30 November 2026"
        assert i18n.fmt_date(day) == "30 Nov 2026"
    finally:
        i18n.current_locale.reset(token)
