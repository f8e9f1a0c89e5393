"""Roster import: a file is stored, checked in the background (dry run: counts and refused rows), then applied on
request in one transaction (all or nothing), matched to families by No. KK and members by NIK, every change audited."""

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text, update
from sqlmodel import Session, col, select

from app.access import area_visible, roster_require_importer
from app.audit import values_mask
from app.clock import today_local
from app.db import write_intent
from app.errors import RuleViolation
from app.i18n import N_, gettext
from app.models import (
    AuditLog,
    Family,
    FamilyStatus,
    Member,
    RosterImport,
    RosterImportRefusal,
    RosterImportStatus,
    Schooling,
    User,
    name_key_of,
    utcnow,
)
from app.roster import queries
from app.roster.parsing import (
    ReadReport,
    RosterFileRefused,
    SourceRow,
    file_kind,
    rows_read,
    rows_reread,
    rows_saved,
    xlsx_check,
)
from app.roster.rules import (
    BY_KEY,
    Problems,
    RowData,
    cell_text,
    head_name_of,
    header_normal,
    row_parse,
    row_place,
)
from app.settings import get_settings

log = logging.getLogger("p2k2.roster")
PROGRESS_EVERY = 5000
INSERT_CHUNK = 5000
APPLY_LOCK = 804202  # pg_advisory_xact_lock key: one roster apply at a time
# sqlmodel's stubs do not declare the `__table__` SQLAlchemy sets on table models.
FAMILY_TABLE = Family.__table__  # type: ignore[attr-defined]
MEMBER_TABLE = Member.__table__  # type: ignore[attr-defined]
AUDIT_TABLE = AuditLog.__table__  # type: ignore[attr-defined]
IMPORT_TABLE = RosterImport.__table__  # type: ignore[attr-defined]
REFUSAL_TABLE = RosterImportRefusal.__table__  # type: ignore[attr-defined]
MEMBER_COMPARED = (
    "nik",
    "name",
    "birth_date",
    "sex",
    "relationship",
    "is_pengurus",
    "schooling",
    "pregnant",
    "severe_disability",
    "has_birth_certificate",
)
FAMILY_COMPARED = ("programme_id", "head_name", "address", "village_code", "kelompok_id", "desil", "enrolled_on")
MSG_FAMILY_REFUSED = N_("ditolak bersama keluarganya: %(places)s bermasalah")
MSG_CHANGED_SINCE = N_(
    "Data berubah sejak uji coba (baris yang ditolak kini berbeda). Unggah berkas lagi untuk uji coba baru."
)


def storage_dir() -> Path:
    path = get_settings().upload_dir / "roster"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- storing the upload ---


def roster_import_create(
    *, session: Session, user: User, filename: str, path: Path, max_bytes: int | None = None
) -> RosterImport:
    """Check the uploaded file (size, type by content, zip bomb) and queue its dry run. `path` is moved into the
    store; nothing is recorded when the file is refused."""
    roster_require_importer(user)
    max_bytes = max_bytes or get_settings().roster_max_bytes
    size = path.stat().st_size
    if size == 0:
        raise RosterFileRefused(N_("Pilih berkas CSV atau XLSX untuk diimpor."), field="file")
    if size > max_bytes:
        raise RosterFileRefused(N_("Berkas terlalu besar (maksimal %(mb)s MB)."), field="file", mb=max_bytes >> 20)
    with path.open("rb") as fh:
        kind = file_kind(fh.read(8192))
    if kind == "xlsx":
        xlsx_check(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    stored_name = secrets.token_hex(16) + "." + kind
    path.replace(storage_dir() / stored_name)
    record = RosterImport(
        filename=_filename_safe(filename),
        stored_name=stored_name,
        file_kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        created_by_id=user.id or 0,
        area_code=user.area_code,
    )
    session.add(record)
    session.commit()
    return record


def _filename_safe(name: str) -> str:
    kept = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    return kept.strip()[:200] or "roster"


def roster_apply_request(*, session: Session, user: User, record: RosterImport) -> None:
    """Queue the apply of a checked import: one UPDATE from `siap`, so a second click queues nothing."""
    roster_require_importer(user)
    moved = session.execute(
        update(IMPORT_TABLE)
        .where(IMPORT_TABLE.c.id == record.id, IMPORT_TABLE.c.status == RosterImportStatus.SIAP)
        .values(status=RosterImportStatus.ANTRE_TERAP, applied_by_id=user.id)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if not moved:
        raise RuleViolation(N_("Impor ini tidak menunggu untuk diterapkan (sudah diterapkan atau sedang diproses)."))


# --- the plan: what the file would change ---


@dataclass
class Plan:
    rows_total: int = 0
    refusals: list[tuple[RowData, Problems]] = field(default_factory=list)
    # Members as tuples in MEMBER_COMPARED order: a 100,000-row file holds them all at once.
    new_families: list[tuple[dict[str, Any], list[tuple[Any, ...]]]] = field(default_factory=list)
    new_members: list[dict[str, Any]] = field(default_factory=list)  # into existing families
    family_updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    member_updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows_total": self.rows_total,
            "new_families": len(self.new_families),
            "new_members": sum(len(m) for _, m in self.new_families) + len(self.new_members),
            "updated": len(self.family_updates) + len(self.member_updates),
            "unchanged": self.unchanged,
            "refused": len(self.refusals),
        }


def _fold(text: str) -> str:
    return header_normal(text)


@dataclass
class _Lookups:
    families: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]
    members_of: dict[int, list[dict[str, Any]]]
    programme_owner: dict[str, str]
    kk_of_family: dict[int, str]
    kelompok_by_name: dict[str, list[queries.KelompokRef]]
    pendamping_names: set[str]
    codes: set[str]


def _lookups(*, session: Session, user: User, rows: list[RowData], codes: set[str]) -> _Lookups:
    families = queries.families_by_kk(session=session, kk_numbers=[r.kk for r in rows if r.kk])
    members = queries.members_by_nik(session=session, niks=[r.nik for r in rows if r.nik])
    by_name: dict[str, list[queries.KelompokRef]] = {}
    for ref in queries.kelompok_in_scope(session=session, user=user):
        by_name.setdefault(_fold(ref.name), []).append(ref)
    return _Lookups(
        families=families,
        members=members,
        members_of=queries.members_of_families(session=session, family_ids=[f["id"] for f in families.values()]),
        programme_owner=queries.families_by_programme_id(
            session=session, programme_ids=[r.id_pkh for r in rows if r.id_pkh]
        ),
        kk_of_family=queries.kk_of_families(session=session, family_ids={m["family_id"] for m in members.values()}),
        kelompok_by_name=by_name,
        pendamping_names={_fold(n) for n in queries.pendamping_names_in_scope(session=session, user=user)},
        codes=codes,
    )


def _member_values(row: RowData, current: dict[str, Any] | None) -> dict[str, Any]:
    """The member as the row says; a cell left empty keeps what is stored (or the default)."""
    base = current or {
        "schooling": Schooling.BELUM,
        "pregnant": False,
        "severe_disability": False,
        "has_birth_certificate": None,
        "is_pengurus": False,
    }
    return {
        "nik": row.nik if row.nik else (current or {}).get("nik"),
        "name": row.name,
        "birth_date": row.birth_date,
        "sex": row.sex,
        "relationship": row.relationship,
        "is_pengurus": base["is_pengurus"] if row.pengurus is None else row.pengurus,
        "schooling": row.schooling or base["schooling"],
        "pregnant": base["pregnant"] if row.pregnant is None else row.pregnant,
        "severe_disability": base["severe_disability"] if row.disability is None else row.disability,
        "has_birth_certificate": base["has_birth_certificate"]
        if row.birth_certificate is None
        else row.birth_certificate,
    }


def plan_make(
    *,
    session: Session,
    user: User,
    source: Iterable[SourceRow],
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Every row parsed and checked against the database in the user's scope; nothing written."""
    today = today or today_local()
    codes = queries.area_codes(session=session)
    plan = Plan()
    rows: list[RowData] = []
    problems: dict[int, Problems] = {}
    for src in source:
        data, found = row_parse(
            position=src.position, sheet=src.sheet, row_no=src.row_no, values=src.values, today=today, area_known=codes
        )
        rows.append(data)
        if found:
            problems[data.position] = found
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    plan.rows_total = len(rows)
    nik_header, kk_header = BY_KEY["nik"].header, BY_KEY["kk"].header

    by_nik: dict[str, list[RowData]] = {}
    for row in rows:
        if row.nik:
            by_nik.setdefault(row.nik, []).append(row)
    for same in by_nik.values():
        if len(same) > 1:
            for row in same:
                others = ", ".join(row_place(o) for o in same if o is not row)
                problems.setdefault(row.position, []).append(
                    (nik_header, gettext(N_("NIK ganda dalam berkas (juga di %(places)s)"), places=others))
                )

    look = _lookups(session=session, user=user, rows=rows, codes=codes)
    families: dict[str, list[RowData]] = {}
    for row in rows:
        if row.kk:
            families.setdefault(row.kk, []).append(row)
        elif row.position not in problems:
            problems[row.position] = [(kk_header, gettext(N_("wajib diisi")))]
    for kk, members in families.items():
        _family_plan(plan=plan, user=user, kk=kk, rows=members, problems=problems, look=look, today=today)
    for row in rows:
        if row.position in problems:
            plan.refusals.append((row, problems[row.position]))
    plan.refusals.sort(key=lambda item: item[0].position)
    return plan


def _note(problems: dict[int, Problems], row: RowData, key: str, message: str) -> None:
    problems.setdefault(row.position, []).append((BY_KEY[key].header, message))


def _family_plan(
    *,
    plan: Plan,
    user: User,
    kk: str,
    rows: list[RowData],
    problems: dict[int, Problems],
    look: _Lookups,
    today: date,
) -> None:
    areas = {r.area for r in rows if r.area}
    existing = look.families.get(kk)
    for row in rows:
        if row.area and len(areas) > 1:
            _note(problems, row, "area", gettext(N_("kode wilayah berbeda-beda untuk No. KK yang sama")))
        elif row.area and row.area not in look.codes:
            _note(problems, row, "area", gettext(N_("kode wilayah %(code)s tidak dikenal"), code=row.area))
    area = next(iter(areas)) if len(areas) == 1 else None
    if area is not None and not area_visible(user, area):
        for row in rows:
            _note(problems, row, "area", gettext(N_("kode wilayah %(code)s di luar wilayah Anda"), code=area))
        area = None
    if existing is not None and not area_visible(user, existing["village_code"]):
        for row in rows:
            _note(problems, row, "kk", gettext(N_("No. KK ini sudah terdaftar di wilayah lain, di luar wilayah Anda")))
    kelompok_id = _kelompok_resolve(rows=rows, area=area, problems=problems, look=look)
    id_pkh = next((r.id_pkh for r in rows if r.id_pkh), "")
    if id_pkh and look.programme_owner.get(id_pkh, kk) != kk:
        for row in rows:
            _note(problems, row, "id_pkh", gettext(N_("ID PKH %(id)s sudah dipakai keluarga lain"), id=id_pkh))
    seen: dict[tuple[str, date | None], RowData] = {}
    for row in rows:
        if row.nik:
            owner = look.members.get(row.nik)
            if owner is not None and look.kk_of_family.get(owner["family_id"]) != kk:
                _note(
                    problems,
                    row,
                    "nik",
                    gettext(
                        N_("NIK ini sudah terdaftar pada anggota keluarga lain (No. KK %(kk)s)"),
                        kk=_masked(look.kk_of_family.get(owner["family_id"], "")),
                    ),
                )
        else:
            same = (_fold(row.name), row.birth_date)
            if same in seen:
                _note(
                    problems,
                    row,
                    "name",
                    gettext(N_("anggota ganda: sama dengan %(place)s"), place=row_place(seen[same])),
                )
            seen[same] = row
    bad = [r for r in rows if r.position in problems]
    if bad:
        places = ", ".join(row_place(r) for r in bad[:5])
        for row in rows:
            if row.position not in problems:
                _note(problems, row, "kk", gettext(MSG_FAMILY_REFUSED, places=places))
        return
    assert area is not None
    enrolled = next((r.enrolled_on for r in rows if r.enrolled_on), None)
    desil = next((r.desil for r in rows if r.desil is not None), None)
    address = next((r.address for r in rows if r.address), "")
    wanted = {
        "programme_id": id_pkh or f"KK-{kk}",
        "head_name": head_name_of(rows),
        "address": address,
        "village_code": area,
        "kelompok_id": kelompok_id,
        "desil": desil,
        "enrolled_on": enrolled or today,
    }
    if existing is None:
        plan.new_families.append(
            (
                {"kk_number": kk, **wanted},
                [tuple(_member_values(r, None).values()) for r in rows],
            )
        )
        return
    after = dict(existing)
    # A cell left empty keeps what is stored; the name and area always follow the file.
    given: dict[str, Any] = {
        **wanted,
        "programme_id": id_pkh,
        "address": address,
        "kelompok_id": kelompok_id,
        "desil": desil,
        "enrolled_on": enrolled,
    }
    for key in FAMILY_COMPARED:
        if given[key] not in (None, ""):
            after[key] = given[key]
    if after != existing:
        plan.family_updates.append((existing, after))
    stored = look.members_of.get(existing["id"], [])
    used: set[int] = set()
    for row in rows:
        current = None
        if row.nik:
            current = next((m for m in stored if m["nik"] == row.nik), None)
        if current is None:
            current = next(
                (
                    m
                    for m in stored
                    if m["id"] not in used
                    and (not m["nik"] or not row.nik)
                    and _fold(m["name"]) == _fold(row.name)
                    and m["birth_date"] == row.birth_date
                ),
                None,
            )
        values = _member_values(row, current)
        if current is None:
            plan.new_members.append({"family_id": existing["id"], **values})
            continue
        used.add(current["id"])
        if all(current[k] == values[k] for k in MEMBER_COMPARED):
            plan.unchanged += 1
        else:
            plan.member_updates.append((current, {**current, **values}))


def _masked(number: str) -> str:
    return number[:4] + "•" * 8 + number[-4:] if len(number) == 16 else number


def _kelompok_resolve(
    *, rows: list[RowData], area: str | None, problems: dict[int, Problems], look: _Lookups
) -> int | None:
    name = next((r.kelompok for r in rows if r.kelompok), "")
    pendamping = next((r.pendamping for r in rows if r.pendamping), "")
    first = next((r for r in rows if r.kelompok), rows[0])
    if not name:
        if pendamping and _fold(pendamping) not in look.pendamping_names:
            _note(
                problems,
                first,
                "pendamping",
                gettext(N_("pendamping %(name)s tidak ada di wilayah Anda"), name=pendamping),
            )
        return None
    candidates = look.kelompok_by_name.get(_fold(name), [])
    if len(candidates) > 1 and area:
        candidates = [c for c in candidates if c.village_code == area] or candidates
    if not candidates:
        _note(problems, first, "kelompok", gettext(N_("kelompok %(name)s tidak ada di wilayah Anda"), name=name))
        return None
    if len(candidates) > 1:
        _note(
            problems,
            first,
            "kelompok",
            gettext(N_("ada beberapa kelompok bernama %(name)s; beri nama yang unik"), name=name),
        )
        return None
    chosen = candidates[0]
    if pendamping and _fold(pendamping) not in {_fold(n) for n in chosen.pendamping_names}:
        _note(
            problems,
            first,
            "pendamping",
            gettext(N_("%(name)s bukan pendamping kelompok %(kelompok)s"), name=pendamping, kelompok=chosen.name),
        )
    return chosen.id


# --- the background steps ---


def _source(record: RosterImport, report: ReadReport) -> Iterator[SourceRow]:
    """The file's rows; while the dry run reads them a copy is kept, which the apply reads instead."""
    saved = storage_dir() / (record.stored_name + ".rows")
    if record.status in (RosterImportStatus.ANTRE_TERAP, RosterImportStatus.MENERAPKAN) and saved.exists():
        return rows_reread(saved)
    return rows_saved(rows_read(storage_dir() / record.stored_name, record.file_kind, report), saved)


def _creator(session: Session, record: RosterImport) -> User:
    user = session.get(User, record.created_by_id)
    assert user is not None
    return user


def _set(session: Session, record_id: int, **values: Any) -> None:
    session.execute(update(IMPORT_TABLE).where(IMPORT_TABLE.c.id == record_id).values(**values))


def roster_import_check(*, session: Session, record_id: int, beat: Callable[[], None] | None = None) -> None:
    """The dry run: counts and refused rows stored, status `siap` (or `gagal` with the reason). Commits."""
    record = session.get(RosterImport, record_id, populate_existing=True)
    assert record is not None
    user = _creator(session, record)
    _set(session, record_id, status=RosterImportStatus.MENGUJI, rows_done=0)
    session.commit()

    def progress(done: int) -> None:
        _set(session, record_id, rows_done=done)
        if beat is not None:
            beat()
        session.commit()

    report = ReadReport()
    try:
        plan = plan_make(session=session, user=user, source=_source(record, report), progress=progress)
    except RuleViolation as exc:
        session.rollback()
        _set(session, record_id, status=RosterImportStatus.GAGAL, error=gettext(exc.message, **exc.params))
        session.commit()
        _files_remove(record)
        return
    session.execute(REFUSAL_TABLE.delete().where(REFUSAL_TABLE.c.import_id == record_id))
    refused = {row.position: found for row, found in plan.refusals}
    refusals = [
        {
            "import_id": record_id,
            "position": row.position,
            "sheet": row.sheet[:64],
            "row_no": row.row_no,
            "cells": json.dumps([cell_text(v) for v in row.values], ensure_ascii=False),
            "problems": json.dumps(refused[row.position], ensure_ascii=False),
        }
        for row in (rows_reread(storage_dir() / (record.stored_name + ".rows")) if refused else ())
        if row.position in refused
    ]
    for start in range(0, len(refusals), INSERT_CHUNK):
        session.execute(insert(REFUSAL_TABLE), refusals[start : start + INSERT_CHUNK])
    _set(
        session,
        record_id,
        status=RosterImportStatus.SIAP,
        checked_at=utcnow(),
        rows_done=plan.rows_total,
        sheets=", ".join(s or "CSV" for s in report.sheets)[:300],
        error="",
        **plan.counts,
    )
    session.commit()


def roster_import_apply(*, session: Session, record_id: int, beat: Callable[[], None] | None = None) -> bool:
    """Apply a queued import in one transaction: rows checked again under a lock (one apply at a time), refused
    when the database changed so that other rows would now be refused; else every family and member written and
    audited with the counts. Any failure rolls everything back and records why. True when applied."""
    session.commit()
    moved = session.execute(
        update(IMPORT_TABLE)
        .where(
            IMPORT_TABLE.c.id == record_id,
            col(IMPORT_TABLE.c.status).in_((RosterImportStatus.ANTRE_TERAP, RosterImportStatus.MENERAPKAN)),
        )
        .values(status=RosterImportStatus.MENERAPKAN)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if not moved:
        return False
    record = session.get(RosterImport, record_id, populate_existing=True)
    assert record is not None
    user = _creator(session, record)
    applier = session.get(User, record.applied_by_id) if record.applied_by_id else user
    expected = queries.refused_positions(session=session, import_id=record_id)
    session.commit()
    try:
        write_intent(session)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPLY_LOCK})
        else:  # the first statement writes: SQLite's write lock is taken before anything is read
            _set(session, record_id, rows_done=0)
        status = session.exec(select(RosterImport.status).where(RosterImport.id == record_id)).one()
        if status != RosterImportStatus.MENERAPKAN:  # another worker applied it while this one waited for the lock
            session.rollback()
            return False
        plan = plan_make(session=session, user=user, source=_source(record, ReadReport()))
        if {row.position for row, _ in plan.refusals} != expected:
            raise RuleViolation(MSG_CHANGED_SINCE)
        plan_write(session=session, user=applier, plan=plan, import_id=record_id)
        _set(
            session,
            record_id,
            status=RosterImportStatus.DITERAPKAN,
            applied_at=utcnow(),
            rows_done=plan.rows_total,
            **plan.counts,
        )
        session.commit()
    except Exception as exc:
        session.rollback()
        if isinstance(exc, RuleViolation):
            reason = gettext(exc.message, **exc.params)
        else:
            log.exception("roster import %s failed", record_id)
            reason = gettext(N_("Penerapan gagal, tidak ada yang diubah: %(error)s"), error=type(exc).__name__)
        _set(session, record_id, status=RosterImportStatus.GAGAL, error=reason)
        session.commit()
        _files_remove(record)
        return False
    _files_remove(record)
    return True


def _files_remove(record: RosterImport) -> None:
    """A finished import keeps no personal data on disk: its counts and refused rows are in the database."""
    for name in (record.stored_name, record.stored_name + ".rows"):
        (storage_dir() / name).unlink(missing_ok=True)


def _audit_row(
    *, user: User | None, entity: str, entity_id: object, action: str, before: Any, after: Any
) -> dict[str, Any]:
    before, after = values_mask(before, after)
    return {
        "at": utcnow(),
        "user_id": user.id if user else None,
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "before": None if before is None else json.dumps(before, default=str, sort_keys=True),
        "after": None if after is None else json.dumps(after, default=str, sort_keys=True),
    }


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def plan_write(*, session: Session, user: User | None, plan: Plan, import_id: int) -> None:
    """Write the plan with bulk statements, in the caller's transaction (the caller commits or rolls back)."""
    now = utcnow()
    audits: list[dict[str, Any]] = []
    action = f"impor:{import_id}"
    for start in range(0, len(plan.new_families), INSERT_CHUNK // 2):
        part = plan.new_families[start : start + INSERT_CHUNK // 2]
        family_rows = [
            {
                **family,
                "status": FamilyStatus.AKTIF,
                "sessions_done": 0,
                "alpa_streak": 0,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for family, _ in part
        ]
        ids = (
            session.execute(
                insert(FAMILY_TABLE).returning(FAMILY_TABLE.c.id, sort_by_parameter_order=True), family_rows
            )
            .scalars()
            .all()
        )
        member_rows = []
        for family_id, (family, member_tuples) in zip(ids, part, strict=True):
            members = [dict(zip(MEMBER_COMPARED, m, strict=True)) for m in member_tuples]
            member_rows += [_member_row(family_id, m) for m in members]
            audits.append(
                _audit_row(
                    user=user,
                    entity="family",
                    entity_id=family_id,
                    action=action,
                    before=None,
                    after={**_jsonable(family), "members": [_jsonable(m) for m in members]},
                )
            )
        session.execute(insert(MEMBER_TABLE), member_rows)
        session.execute(insert(AUDIT_TABLE), audits)
        audits = []
    if plan.new_members:
        member_rows = [_member_row(m["family_id"], m) for m in plan.new_members]
        for start in range(0, len(member_rows), INSERT_CHUNK):
            ids = (
                session.execute(
                    insert(MEMBER_TABLE).returning(MEMBER_TABLE.c.id, sort_by_parameter_order=True),
                    member_rows[start : start + INSERT_CHUNK],
                )
                .scalars()
                .all()
            )
            for member_id, row in zip(ids, member_rows[start : start + INSERT_CHUNK], strict=True):
                audits.append(
                    _audit_row(
                        user=user,
                        entity="member",
                        entity_id=member_id,
                        action=action,
                        before=None,
                        after=_jsonable(row),
                    )
                )
    for before, after in plan.family_updates:
        changes = {k: after[k] for k in FAMILY_COMPARED if after[k] != before[k]}
        session.execute(
            update(FAMILY_TABLE)
            .where(FAMILY_TABLE.c.id == before["id"])
            .values(**changes, updated_at=now, version=FAMILY_TABLE.c.version + 1)
        )
        audits.append(
            _audit_row(
                user=user,
                entity="family",
                entity_id=before["id"],
                action=action,
                before=_jsonable(before),
                after=_jsonable(after),
            )
        )
    for before, after in plan.member_updates:
        changes = {k: after[k] for k in MEMBER_COMPARED if after[k] != before[k]}
        if "name" in changes:  # search compares the name key (bulk writes skip the ORM hook that sets it)
            changes["name_key"] = name_key_of(changes["name"])
        session.execute(
            update(MEMBER_TABLE)
            .where(MEMBER_TABLE.c.id == before["id"])
            .values(**changes, version=MEMBER_TABLE.c.version + 1)
        )
        audits.append(
            _audit_row(
                user=user,
                entity="member",
                entity_id=before["id"],
                action=action,
                before=_jsonable(before),
                after=_jsonable(after),
            )
        )
    for start in range(0, len(audits), INSERT_CHUNK):
        session.execute(insert(AUDIT_TABLE), audits[start : start + INSERT_CHUNK])


def _member_row(family_id: int, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "family_id": family_id,
        **{k: values[k] for k in MEMBER_COMPARED},
        "name_key": name_key_of(values["name"]),
        "active": True,
        "version": 1,
    }


def roster_imports_process(*, session: Session, beat: Callable[[], None] | None = None) -> int:
    """Every waiting step, oldest first (the job of the queue); the number of imports applied."""
    applied = 0
    while True:
        waiting = session.exec(
            select(RosterImport.id, RosterImport.status)
            .where(
                col(RosterImport.status).in_(
                    (
                        RosterImportStatus.ANTRE_UJI,
                        RosterImportStatus.MENGUJI,
                        RosterImportStatus.ANTRE_TERAP,
                        RosterImportStatus.MENERAPKAN,
                    )
                )
            )
            .order_by(col(RosterImport.id))
            .limit(1)
        ).first()
        session.commit()
        if waiting is None:
            return applied
        record_id, status = waiting
        if status in (RosterImportStatus.ANTRE_UJI, RosterImportStatus.MENGUJI):
            roster_import_check(session=session, record_id=record_id or 0, beat=beat)
        elif roster_import_apply(session=session, record_id=record_id or 0, beat=beat):
            applied += 1
        if beat is not None:
            beat()
