"""Fixtures for the catalogue's page and API tests: the shipped demo catalogue, a fixed day."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.catalogue.models import FestLoad
from legemiddel.catalogue.services import fest_import
from legemiddel.demo.festgen import DEMO_FEST
from tests.catalogue.demodata import pin_today
from tests.catalogue.pages import SEARCH


@pytest.fixture
def catalogue(db) -> FestLoad:
    """The demo catalogue, loaded the way an administrator loads a FEST file."""
    return fest_import(path=DEMO_FEST).load


@pytest.fixture
def today(monkeypatch) -> dt.date:
    """A fixed day in the demo's current price period (from 01.01.2026)."""
    day = dt.date(2026, 6, 15)
    pin_today(monkeypatch, day)
    return day


@pytest.fixture
def prescriber(client_for):
    """A prescriber's session on the catalogue pages."""
    client = client_for(Role.PRESCRIBER)
    client.get(SEARCH)  # warm up the session, so query budgets count only the page
    return client
