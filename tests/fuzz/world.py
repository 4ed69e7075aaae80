"""What every fuzzed file may refer to: a small organisation, two prescribers, a catalogue of
six packages and one LIS agreement. Built once per database through the importers themselves."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from legemiddel.accounts.models import User
from legemiddel.agreements.models import Agreement, TherapeuticArea
from legemiddel.agreements.services import agreement_create
from legemiddel.catalogue.services import fest_import
from legemiddel.organisation.services import organisation_import_csv, personnel_import_csv
from tests.catalogue import festfiles
from tests.usage import files as usage_files

ORGANISATION = """type;kode;navn;overordnet;kostnadssteder
foretak;FZ;Fuzz HF;;
klinikk;K1;Klinikk én;;
avdeling;K1-A;Avdeling A;K1;
enhet;K1-A-E;Enhet E;K1-A;40100
enhet;K1-A-F;Enhet F;K1-A;40110 40111
kommune;4601;Bergen;;
"""
PERSONNEL = """hpr;navn;kategori;arbeidssted
1000001;Lege Én;sykehuslege;K1-A-E
1000002;Lege To;sykehuslege;K1-A-F
"""
CLINICS = ("K1",)
DEPARTMENTS = ("K1-A",)
UNITS = ("K1-A-E", "K1-A-F")
COST_CENTRES = ("40100", "40110", "40111")
PRESCRIBERS = ("1000001", "1000002")
PACKAGES = (festfiles.HUMIRA, festfiles.METFORMIN, *festfiles.FILLERS)
# Valid fødselsnummer, D-, synthetic and H-numbers (check digits computed).
PATIENTS = (usage_files.P1, usage_files.P2, usage_files.P3, usage_files.P4)
AGREEMENT_START = dt.date(2026, 3, 1)
AGREEMENT_END = dt.date(2028, 2, 29)
AGREEMENT_TITLE = "Fuzz 2026"


def seed() -> None:
    """Load the world through the importers (idempotent within one database)."""
    if Agreement.objects.filter(title=AGREEMENT_TITLE).exists():
        return
    organisation_import_csv(data=ORGANISATION.encode(), file_name="organisasjon.csv")
    personnel_import_csv(data=PERSONNEL.encode(), file_name="helsepersonell.csv")
    with tempfile.TemporaryDirectory() as tmp:
        fest_import(path=festfiles.write(festfiles.catalogue(), Path(tmp) / "fest.xml"))
    adviser = User.objects.create(username="fuzz-innkjop")
    area = TherapeuticArea.objects.create(code="FUZZ", name="Fuzz")
    agreement_create(
        actor=adviser,
        area=area,
        title=AGREEMENT_TITLE,
        reference="LIS 0000",
        region="Helse Vest",
        start=AGREEMENT_START,
        end=AGREEMENT_END,
    )


def agreement() -> Agreement:
    return Agreement.objects.get(title=AGREEMENT_TITLE)
