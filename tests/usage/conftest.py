"""Fixtures for the usage import tests: the demo trust's organisation, personnel and catalogue.

Loaded without the demo's own usage data, so each test starts from empty usage tables.
"""

from __future__ import annotations

import pytest

from legemiddel.catalogue.services import fest_import
from legemiddel.demo import festgen
from legemiddel.demo.services import DATA_DIR
from legemiddel.organisation.services import organisation_import_csv, personnel_import_csv


@pytest.fixture
def registers(db):
    """Cost centres 30100 … (organisasjon.csv), doctors with HPR numbers (helsepersonell.csv)
    and the demo FEST catalogue (100001 Humira …)."""
    organisation_import_csv(
        data=(DATA_DIR / "organisasjon.csv").read_bytes(), file_name="organisasjon.csv"
    )
    personnel_import_csv(
        data=(DATA_DIR / "helsepersonell.csv").read_bytes(), file_name="helsepersonell.csv"
    )
    fest_import(path=festgen.DEMO_FEST, file_name=festgen.DEMO_FEST.name)
