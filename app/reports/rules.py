"""The monthly report's spreadsheet rows, from a report already read (no database)."""

from collections.abc import Iterator
from typing import Any

from app.access import mask_number
from app.i18n import fmt_date, fmt_time, gettext
from app.labels import label
from app.models import AttendanceStatus
from app.reports.queries import KelompokReport, ReportMeeting


def meeting_heading(m: ReportMeeting) -> str:
    session_name = f"{gettext('Sesi')} {m.topic.no}" if m.module.core else f"{m.module.code} {m.topic.no}"
    return f"{session_name} · {fmt_date(m.meeting.date)}"


def sheet_header(group: KelompokReport) -> list[str]:
    return [gettext("No"), gettext("Nama KPM (pengurus)"), gettext("NIK"), gettext("ID PKH")] + [
        meeting_heading(m) for m in group.meetings
    ]


def sheet_rows(group: KelompokReport) -> Iterator[list[Any]]:
    """The roll per KPM (NIK masked where the reader may not see it), then one line per meeting."""
    for n, row in enumerate(group.rows, start=1):
        nik = (row.nik or "–") if group.show_nik else mask_number(row.nik)
        marks = []
        for mark in row.marks:
            text = label(AttendanceStatus, mark.status) if mark else "–"
            if mark and mark.corrected_from:
                text += " (" + gettext("semula") + " " + label(AttendanceStatus, mark.corrected_from) + ")"
            marks.append(text)
        yield [n, row.family.head_name, nik, row.family.programme_id, *marks]
    yield []
    for index, m in enumerate(group.meetings):
        yield [
            "",
            gettext("Pertemuan"),
            meeting_heading(m),
            m.module.title,
            f"{m.topic.no}. {m.topic.title}",
            fmt_time(m.meeting.start_time),
            m.meeting.place,
            gettext("Hadir") + f" {group.present(index)}/{len(group.rows)}",
            gettext("Foto") + f" {len(m.photos)}",
        ]
    if not group.meetings:
        yield ["", gettext("Tidak ada pertemuan terlaksana pada bulan ini.")]
