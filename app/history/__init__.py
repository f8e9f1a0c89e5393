"""Audit trail as people read it: who changed what, when, before → after."""
