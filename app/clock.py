"""The clock every rule reads: today in Indonesia's western time zone, where every demo kelompok meets."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today_local() -> date:
    """Today in Asia/Jakarta (the server may run in UTC: at 00:30 WIB UTC is still yesterday)."""
    return datetime.now(JAKARTA).date()
