"""The P2K2 curriculum: modules and their sessions (topics), loaded from a CSV and editable."""
