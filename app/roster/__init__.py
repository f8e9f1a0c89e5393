"""Roster import: families and members loaded from CSV/XLSX, dry run first, applied all or nothing."""
