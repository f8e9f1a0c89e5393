"""The header search: families by any member's name, NIK or No. KK, and kelompok by name, within scope."""
