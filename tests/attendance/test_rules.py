"""The roll-call cycle, without a database."""

from app.attendance.rules import next_status


def test_tapping_cycles_through_the_four_marks_and_back():
    seen = ["hadir"]
    for _ in range(4):
        seen.append(next_status(seen[-1]))
    assert seen == ["hadir", "izin", "sakit", "alpa", "hadir"]


def test_an_empty_or_unknown_mark_starts_at_hadir():
    assert next_status(None) == "hadir"
    assert next_status("held") == "hadir"
