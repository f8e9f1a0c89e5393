"""Derived columns (aid_held among them) recounted after every database test of this folder."""

from tests.derived import derived_columns_clean  # noqa: F401
