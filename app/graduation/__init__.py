"""Graduation."""
