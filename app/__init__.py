"""P2K2 Tracker: running Family Development Sessions for PKH."""
