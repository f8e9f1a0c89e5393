"""Writes to the curriculum: loading the reference modules and sessions, and an administrator's edits."""

import csv
import re
from pathlib import Path

from sqlmodel import Session, select

from app.audit import audit_record, snapshot
from app.errors import NotFound, RuleViolation
from app.i18n import N_
from app.models import CurriculumModule, Topic, User
from app.settings import ROOT

CURRICULUM_CSV = Path(__file__).resolve().parent / "curriculum.csv"
SHARED_CURRICULUM_CSV = ROOT.parent / "shared" / "domain" / "curriculum.csv"
DEFAULT_DURATION_MINUTES = 120
DURATION_MIN = 30
DURATION_MAX = 300
TOPIC_TITLE_MAX = 300
MODULE_TITLE_MAX = 200
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


def _title_check(title: str, *, maximum: int) -> str:
    title = title.strip()
    if not title:
        raise RuleViolation(N_("Judul wajib diisi."), field="title")
    if len(title) > maximum:
        raise RuleViolation(N_("Terlalu panjang (maksimal %(max)s karakter)."), field="title", max=maximum)
    return title


def topic_update(
    *, session: Session, user: User | None, topic_id: int, title: str, duration_minutes: int, active: bool
) -> Topic:
    """Rename a session, change its usual length or switch it off; meetings already held keep their topic."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(N_("Sesi kurikulum tidak ditemukan."))
    title = _title_check(title, maximum=TOPIC_TITLE_MAX)
    if not DURATION_MIN <= duration_minutes <= DURATION_MAX:
        raise RuleViolation(
            N_("Durasi harus antara %(minimum)s dan %(maximum)s menit."),
            field="duration_minutes",
            minimum=DURATION_MIN,
            maximum=DURATION_MAX,
        )
    before = snapshot(topic)
    topic.title = title
    topic.duration_minutes = duration_minutes
    topic.active = active
    session.add(topic)
    session.flush()
    after = snapshot(topic)
    if after != before:
        audit_record(
            session=session, user=user, entity="topic", entity_id=topic_id, action="update", before=before, after=after
        )
    session.commit()
    return topic


def module_update(*, session: Session, user: User | None, module_id: int, title: str, active: bool) -> CurriculumModule:
    """Rename a module or switch it on and off (how the optional stunting module comes into use)."""
    module = session.get(CurriculumModule, module_id)
    if module is None:
        raise NotFound(N_("Modul kurikulum tidak ditemukan."))
    title = _title_check(title, maximum=MODULE_TITLE_MAX)
    before = snapshot(module)
    module.title = title
    module.active = active
    session.add(module)
    session.flush()
    after = snapshot(module)
    if after != before:
        audit_record(
            session=session,
            user=user,
            entity="curriculum_module",
            entity_id=module_id,
            action="update",
            before=before,
            after=after,
        )
    session.commit()
    return module
