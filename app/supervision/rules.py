"""Supervision rules as plain values and functions: the session checklist and its score."""

from app.i18n import N_

# Checklist of a P2K2 session as a supervisor observes it; each item scores 0 (no), 1 (partly), 2 (well).
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("pembukaan", N_("Pembukaan (salam, doa, tujuan sesi)")),
    ("review", N_("Review sesi sebelumnya")),
    ("kegiatan_lk", N_("Kegiatan dengan lembar kerja (LK) dan flipchart")),
    ("tugas_rumah", N_("Tugas rumah diberikan")),
    ("waktu", N_("Ketepatan waktu dan durasi")),
    ("partisipasi", N_("Partisipasi KPM")),
    ("materi", N_("Penguasaan dan kelengkapan materi")),
)
MARK_MAX = 2


def checklist_score(marks: dict[str, int]) -> int:
    """0–100: the share of the best possible marks."""
    return round(100 * sum(marks.values()) / (MARK_MAX * len(CHECKLIST)))
