"""Notifications: what a pendamping is told about decisions on their work."""
