"""One vocabulary: status and code values live as enums in app/models.py; templates and new migrations use them."""

import re
from enum import StrEnum
from pathlib import Path

import pytest

from app.models import (
    VOCABULARY,
    AccessAction,
    AssessmentStatus,
    AttendanceStatus,
    CorrectionStatus,
    FamilyStatus,
    JobStatus,
    MeetingStatus,
    ProposalStatus,
    ReadinessVerdict,
    Role,
)
from app.settings import ROOT
from app.web import templates

ENUMS = [value for value in VOCABULARY.values() if isinstance(value, type) and issubclass(value, StrEnum)]
# Statements and expressions of a template, with their translated texts (msgids) taken out.
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
MSGID = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')""")
QUOTED = re.compile(r""""([^"]*)"|'([^']*)'""")
# Strings that only look like vocabulary: the yes/no answer "tidak", the dashboard export table "pendamping" and
# the candidates page's and the monthly report's "pendamping" field.
NOT_VOCABULARY = {
    "assessments/form.html": {"tidak"},
    "families/member.html": {"tidak"},
    "dashboard/index.html": {"pendamping"},
    "graduation/candidates.html": {"pendamping"},
    "reports/monthly.html": {"pendamping"},
}
# Migrations up to 0004 predate the vocabulary; later ones write no status value by hand.
FIRST_CHECKED_MIGRATION = 5
STATUSES = (
    Role,
    MeetingStatus,
    AttendanceStatus,
    FamilyStatus,
    AssessmentStatus,
    ReadinessVerdict,
    ProposalStatus,
    CorrectionStatus,
    JobStatus,
    AccessAction,
)


def literals(source: str) -> set[str]:
    found = set()
    for block in JINJA.findall(source):
        for a, b in QUOTED.findall(MSGID.sub("", block)):
            found.add(a or b)
    return found


def test_every_enum_is_a_template_global_and_compares_equal_to_its_stored_string() -> None:
    for enum in ENUMS:
        assert templates.env.globals[enum.__name__] is enum
        for member in enum:
            assert member == member.value and f"{member}" == member.value and hash(member) == hash(member.value)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: str(p.relative_to(ROOT / "templates"))
)
def test_no_status_literal_in_templates(path: Path) -> None:
    values = {member.value for enum in ENUMS for member in enum}
    allowed = NOT_VOCABULARY.get(str(path.relative_to(ROOT / "templates")), set())
    assert literals(path.read_text()) & values - allowed == set()


def test_the_literal_scan_finds_a_literal() -> None:
    assert literals('{% if p.status == "diusulkan" %}{{ _("diusulkan") }}{% endif %}') == {"diusulkan"}


def test_no_status_literal_in_new_migrations() -> None:
    values = {member.value for enum in STATUSES for member in enum}
    for path in sorted((ROOT / "alembic" / "versions").glob("*.py")):
        number = re.search(r"_(\d{4})_", path.name)
        if number is None or int(number.group(1)) < FIRST_CHECKED_MIGRATION:
            continue
        quoted = {a or b for a, b in QUOTED.findall(path.read_text())}
        assert quoted & values == set(), path.name
