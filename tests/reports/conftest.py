"""Derived columns recounted after every database test of this folder."""

from tests.derived import derived_columns_clean  # noqa: F401
