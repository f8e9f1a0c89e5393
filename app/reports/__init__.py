"""The monthly P2K2 report of a pendamping: per kelompok, the month's meetings, roll, photos."""
