"""Fixtures shared by the organisation tests."""

from tests.organisation.orgfiles import base  # noqa: F401  (the fixture)
