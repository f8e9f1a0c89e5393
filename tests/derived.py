"""The `check` command's recount run after data-heavy tests, inside the test's own transaction."""

from collections.abc import Iterator

import pytest

from app.check import derived_check


@pytest.fixture(autouse=True)
def derived_columns_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used the database: every derived column equals a recount of its source rows."""
    if "session" not in request.fixturenames:
        yield
        return
    session = request.getfixturevalue("session")
    yield
    drifts = [(d.column, d.count, d.first) for d in derived_check(session=session) if d.count]
    assert drifts == [], f"derived columns differ from a recount: {drifts}"
