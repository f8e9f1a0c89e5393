from app.models import RosterImportStatus
from tests.roster.conftest import apply, csv_bytes, dry_run, good_rows, problems_of


def test_good_file_dry_run_then_apply_then_unchanged(session, world, tmp_path):
    record = dry_run(session, world.admin, csv_bytes(good_rows(3)), tmp_path)
    assert record.status == RosterImportStatus.SIAP, (record.error, problems_of(session, record))
    assert (record.new_families, record.new_members, record.refused) == (3, 9, 0)
    record = apply(session, world.admin, record)
    assert record.status == RosterImportStatus.DITERAPKAN, record.error
    again = dry_run(session, world.admin, csv_bytes(good_rows(3)), tmp_path)
    assert (again.new_families, again.new_members, again.updated, again.unchanged) == (0, 0, 0, 9)
