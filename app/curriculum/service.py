"""Writes to the curriculum: loading the reference modules and sessions."""

import csv
import re
from pathlib import Path

from sqlmodel import Session, select

from app.models import CurriculumModule, Topic
from app.settings import ROOT

CURRICULUM_CSV = Path(__file__).resolve().parent / "curriculum.csv"
SHARED_CURRICULUM_CSV = ROOT.parent / "shared" / "domain" / "curriculum.csv"
DEFAULT_DURATION_MINUTES = 120
_MINUTES_IN_NOTES = re.compile(r"(\d{2,3})\s*min", re.IGNORECASE)


def curriculum_csv_path() -> Path:
    """The repository's own copy of the curriculum, else the shared reference one."""
    return CURRICULUM_CSV if CURRICULUM_CSV.exists() else SHARED_CURRICULUM_CSV


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "ya", "true", "1"}


def _duration_minutes(notes: str) -> int:
    """Sessions whose notes say "about 140 minutes" run longer than the usual two hours."""
    found = _MINUTES_IN_NOTES.search(notes)
    return int(found.group(1)) if found else DEFAULT_DURATION_MINUTES


def curriculum_load(*, session: Session, csv_path: Path | None = None) -> int:
    """Insert the modules and sessions of the curriculum CSV that are missing; return how many rows were added.

    Rows already present (by module number, and by module + session number) are left as they are, so an
    administrator's later edits of titles, durations or switches survive a reload.
    """
    path = csv_path or curriculum_csv_path()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    modules = {module.no: module for module in session.exec(select(CurriculumModule)).all()}
    topic_keys = {(topic.module_id, topic.no) for topic in session.exec(select(Topic)).all()}
    inserted = 0
    for row in rows:
        module_no = int(row["module_no"])
        core = _yes(row["core"])
        module = modules.get(module_no)
        if module is None:
            module = CurriculumModule(
                no=module_no,
                code=row["module_code"].strip(),
                title=row["module_title"].strip(),
                core=core,
                # An optional module (stunting) stays off until an administrator switches it on.
                active=core,
            )
            session.add(module)
            session.flush()
            modules[module_no] = module
            inserted += 1
        assert module.id is not None
        key = (module.id, int(row["session_no"]))
        if key in topic_keys:
            continue
        notes = (row.get("notes") or "").strip()
        session.add(
            Topic(
                module_id=module.id,
                no=key[1],
                title=row["session_title"].strip(),
                core=core,
                confirmed=_yes(row["confirmed"]),
                duration_minutes=_duration_minutes(notes),
                active=True,
                notes=notes,
            )
        )
        topic_keys.add(key)
        inserted += 1
    session.commit()
    return inserted
