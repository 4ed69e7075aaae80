"""Fixtures of the methods tests."""

from tests.methods.compliance_data import data  # noqa: F401  (compliance and budget fixture)
