"""Hypothesis over the parser: whatever a file holds, it never crashes, and a row it refuses always says why."""

import csv
import io
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.roster.parsing import ReadReport, RosterFileRefused, file_kind, rows_read
from app.roster.rules import COLUMN_KEYS, HEADERS, REQUIRED_KEYS, row_parse
from app.roster.service import plan_make
from tests.roster.conftest import good_rows

CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(min_value=datetime(1, 1, 1)),
    st.sampled_from(["3.27701E+15", "3277010101900000", "31/02/1985", "45123", "'3277 0144 0588 0001", "L", "Ya"]),
)
CODES = {"32", "32.77", "32.77.01", "32.77.01.1001"}


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=len(COLUMN_KEYS), max_size=len(COLUMN_KEYS)))
def test_any_row_parses_or_says_why(values):
    data, problems = row_parse(
        position=1, sheet="", row_no=2, values=tuple(values), today=date(2026, 12, 1), area_known=CODES
    )
    if not problems:
        assert data.kk and data.name and data.birth_date and data.sex and data.relationship and data.area
    assert all(column in HEADERS and message for column, message in problems)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_refused_or_read(tmp_path_factory, data):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "file"
    path.write_bytes(data)
    try:
        kind = file_kind(data[:8192])
        list(rows_read(path, kind, ReadReport()))
    except RosterFileRefused as refused:
        assert refused.message


def _damaged_csv(cells: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    for row in good_rows(1):
        writer.writerow([row.get(h, "") for h in HEADERS])
    for line in cells:
        writer.writerow(line)
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=20), min_size=0, max_size=len(HEADERS) + 2), max_size=6))
def test_every_refused_row_of_a_file_has_a_message(session, world, tmp_path, cells):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(_damaged_csv(cells))
    plan = plan_make(session=session, user=world.admin, source=rows_read(path, "csv", ReadReport()))
    assert plan.rows_total >= 3
    for _row, problems in plan.refusals:
        assert problems and all(message for _, message in problems)
    assert REQUIRED_KEYS
