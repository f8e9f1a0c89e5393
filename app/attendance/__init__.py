"""Attendance."""
