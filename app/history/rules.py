"""Turning stored audit rows (JSON snapshots) into lines a person reads: labelled fields, translated values."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app.audit import number_mask
from app.i18n import N_, fmt_date, fmt_datetime, gettext
from app.labels import label
from app.models import (
    AttendanceStatus,
    Attendee,
    CorrectionStatus,
    FamilyStatus,
    MeetingStatus,
    Relationship,
    Schooling,
    Sex,
)

ENTITY_LABELS: dict[str, str] = {
    "family": N_("Data keluarga"),
    "member": N_("Anggota keluarga"),
    "meeting": N_("Pertemuan"),
    "meeting_photo": N_("Foto pertemuan"),
    "attendance": N_("Tanda kehadiran"),
    "correctionrequest": N_("Permintaan koreksi"),
}
ACTION_LABELS: dict[str, str] = {
    "create": N_("Dibuat"),
    "update": N_("Diubah"),
    "reschedule": N_("Dijadwal ulang"),
    "cancel": N_("Dibatalkan"),
    "held": N_("Ditandai terlaksana"),
    "makeup": N_("Ditambahkan sebagai susulan"),
    "correction": N_("Dikoreksi supervisor"),
    "accept": N_("Koreksi diterima"),
    "refuse": N_("Koreksi ditolak"),
    "graduate": N_("Graduasi ditetapkan"),
}
# The fields a person reads, per entity, in this order; anything else (ids, versions, kept counts) stays out.
FIELDS: dict[str, dict[str, str]] = {
    "family": {
        "head_name": N_("Nama kepala keluarga"),
        "kk_number": N_("No. KK"),
        "programme_id": N_("ID PKH"),
        "address": N_("Alamat"),
        "village_code": N_("Kelurahan/desa"),
        "kelompok_id": N_("Kelompok"),
        "status": N_("Status"),
        "enrolled_on": N_("Terdaftar sejak"),
        "exited_on": N_("Keluar pada"),
        "desil": N_("Desil"),
    },
    "member": {
        "name": N_("Nama"),
        "nik": N_("NIK"),
        "birth_date": N_("Tanggal lahir"),
        "sex": N_("Jenis kelamin"),
        "relationship": N_("Hubungan"),
        "is_pengurus": N_("Pengurus keluarga"),
        "schooling": N_("Sekolah"),
        "pregnant": N_("Hamil / nifas"),
        "severe_disability": N_("Disabilitas berat"),
        "has_birth_certificate": N_("Akta kelahiran"),
        "active": N_("Aktif"),
    },
    "meeting": {
        "topic_id": N_("Sesi"),
        "date": N_("Tanggal"),
        "start_time": N_("Jam mulai"),
        "duration_minutes": N_("Durasi (menit)"),
        "place": N_("Tempat"),
        "status": N_("Status"),
        "is_makeup": N_("Pertemuan susulan"),
        "notes": N_("Catatan"),
    },
    "meeting_photo": {"taken_at": N_("Diambil"), "size": N_("Ukuran (byte)")},
    "attendance": {
        "status": N_("Kehadiran"),
        "corrected_from": N_("Semula"),
        "attendee": N_("Yang hadir"),
        "attendee_name": N_("Nama yang hadir"),
    },
    "correctionrequest": {
        "original_status": N_("Semula"),
        "requested_status": N_("Status yang diminta"),
        "reason": N_("Alasan"),
        "status": N_("Status permintaan"),
        "decision_note": N_("Catatan keputusan"),
    },
}
ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("family", "status"): FamilyStatus,
    ("member", "sex"): Sex,
    ("member", "relationship"): Relationship,
    ("member", "schooling"): Schooling,
    ("meeting", "status"): MeetingStatus,
    ("attendance", "status"): AttendanceStatus,
    ("attendance", "corrected_from"): AttendanceStatus,
    ("attendance", "attendee"): Attendee,
    ("correctionrequest", "original_status"): AttendanceStatus,
    ("correctionrequest", "requested_status"): AttendanceStatus,
    ("correctionrequest", "status"): CorrectionStatus,
}
DATES = {"enrolled_on", "exited_on", "birth_date", "date"}
DATETIMES = {"taken_at"}
IDENTITY_NUMBERS = {"nik", "kk_number"}
# Fields holding the id of another record, shown by that record's name.
REFERENCES = {"kelompok_id": "kelompok", "topic_id": "topic", "village_code": "area"}
MASKED_CHANGED = "masked_changed"

References = Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    who: str
    entity: str
    action: str
    changes: list[Change] = field(default_factory=list)


def snapshot_read(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def references_wanted(entity: str, snapshots: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(kind, id) of the other records these snapshots point at, to be named in one query per kind."""
    wanted = set()
    for snap in snapshots:
        for key, kind in REFERENCES.items():
            if key in FIELDS.get(entity, {}) and snap.get(key) not in (None, ""):
                wanted.add((kind, str(snap[key])))
    return wanted


def value_text(entity: str, key: str, value: Any, *, refs: References, show_nik: bool) -> str:
    """One stored value as a person reads it: labels for codes, Ya/Tidak, dates in the page's format."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Ya") if value else gettext("Tidak")
    text = str(value)
    enum = ENUMS.get((entity, key))
    if enum is not None:
        return label(enum, text)
    if key in REFERENCES:
        return refs.get((REFERENCES[key], text), "#" + text)
    if key in IDENTITY_NUMBERS:
        return text if show_nik else number_mask(text)
    if key in DATES:
        return _date_text(text)
    if key in DATETIMES:
        return _datetime_text(text)
    if key == "start_time":
        return text[:5]
    return text


def _date_text(text: str) -> str:
    try:
        return fmt_date(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def _datetime_text(text: str) -> str:
    try:
        return fmt_datetime(datetime.fromisoformat(text))
    except ValueError:
        return text


def changes_list(
    entity: str, before: dict[str, Any], after: dict[str, Any], *, refs: References, show_nik: bool
) -> list[Change]:
    """The fields a person reads that this change touched (a creation: every field it set)."""
    hidden_changes = set(after.get(MASKED_CHANGED) or [])
    out = []
    for key, msgid in FIELDS.get(entity, {}).items():
        if key not in before and key not in after:
            continue
        old, new = before.get(key), after.get(key)
        if not after and key in before:
            new = None
        if old == new and key not in hidden_changes:
            continue
        if not before and new in (None, "", False):
            continue
        old_text = value_text(entity, key, old, refs=refs, show_nik=show_nik) if before else "–"
        new_text = value_text(entity, key, new, refs=refs, show_nik=show_nik)
        if key in hidden_changes and old_text == new_text:
            new_text += " " + gettext("(diubah)")
        out.append(Change(field=gettext(msgid), before=old_text, after=new_text))
    return out


def trail_line(
    *,
    at: datetime,
    who: str,
    entity: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    refs: References,
    show_nik: bool,
) -> TrailLine:
    entity_label = ENTITY_LABELS.get(entity)
    action_label = ACTION_LABELS.get(action)
    return TrailLine(
        at=at,
        who=who,
        entity=gettext(entity_label) if entity_label else entity,
        action=gettext(action_label) if action_label else action,
        changes=changes_list(entity, before, after, refs=refs, show_nik=show_nik),
    )
