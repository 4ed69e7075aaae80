"""A small hand-made dataset for income control: units from the shared ``org`` fixture,
administrations written as DIPS would have them, episodes as the NPR file would have them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from legemiddel.coding.matching import coding_refresh
from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport, Match
from legemiddel.coding.rules import parse_rules
from legemiddel.usage.models import Administration, ImportBatch

D = dt.date(2024, 3, 14)  # the day most of the hand-made data is on

RULES_YAML = """
author: Test
reviewer: Testesen
reviewed: 2026-01-01
rules:
  - key: oye
    label: Intravitreal injeksjon
    atc: [S01LA05]
    procedure: [CKD05]
    window_before: 0
    window_after: 0
    parent_unit: true
    drg_weight: 0.13
    valid_from: 2018-01-01
  - key: kreft
    label: Kreft iv
    atc: [L01FF01]
    procedure: [WBOC05]
    window_before: 1
    window_after: 1
    parent_unit: false
    drg_weight: 0.4
    valid_from: 2018-01-01
  - key: bio
    label: Biologisk
    atc: [L04AB02]
    procedure: []
    fixed_amount: 9000
    valid_from: 2018-01-01
saerkoder:
  - {code: 1LA05, atc: S01LA05, valid_from: 2018-01-01}
  - {code: 6XX02, atc: L01FF01, valid_from: 2018-01-01}
"""


@pytest.fixture
def rules():
    return parse_rules(RULES_YAML, "test.yaml")


class Data:
    """Writes the rows; the defaults are the common case (patient p1 given aflibercept at the
    eye outpatient clinic on ``D``, its episode E1 there the same day)."""

    def __init__(self, org, rules=None):
        self.org = org
        self.rules = rules
        self.batch = ImportBatch.objects.create(
            source="dips",
            file_name="dips.csv",
            sha256="x",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 12, 31),
        )
        self.episodes = EpisodeImport.objects.create(
            file_name="episoder.csv",
            sha256="y",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 12, 31),
        )

    def adm(self, day=D, patient="p1", unit="MED-REV-POL", atc="S01LA05", episode="", atc_codes=""):
        unit = self.org[unit]
        return Administration.objects.create(
            batch=self.batch,
            administered_on=day,
            month=day.replace(day=1),
            patient=patient,
            unit_code=unit.code,
            org_unit=unit,
            atc=atc,
            episode=episode,
            atc_codes=atc_codes,
        )

    def episode(self, ref="E1", patient="p1", unit="MED-REV-POL", start=D, end=None, codes=()):
        unit = self.org[unit]
        end = end or start
        tz = timezone.get_current_timezone()
        Episode.objects.create(
            batch=self.episodes,
            episode_ref=ref,
            patient=patient,
            unit_code=unit.code,
            org_unit=unit,
            contact_type="outpatient",
            start_at=dt.datetime.combine(start, dt.time(8), tz),
            end_at=dt.datetime.combine(end, dt.time(15), tz),
            start_day=start,
            end_day=end,
            month=start.replace(day=1),
        )
        for system, code, atc in codes:
            EpisodeCode.objects.create(
                episode_ref=ref, month=start.replace(day=1), system=system, code=code, atc=atc
            )

    def refresh(self):
        """Match and refresh the findings under the test rules."""
        return coding_refresh(rules=self.rules)

    def match(self, adm, rule=None):
        """The one match of an administration (under ``rule`` when given)."""
        found = Match.objects.filter(administration_id=adm.pk)
        if rule:
            found = found.filter(rule=rule)
        return found.get()

    def outcome(self, adm, rule=None):
        return self.match(adm, rule).outcome


@pytest.fixture
def data(org, rules):
    return Data(org, rules)


AFLIBERCEPT = ("ATC", "S01LA05", "S01LA05")
CKD05 = ("NCSP", "CKD05", "")
NIVOLUMAB = ("ATC", "L01FF01", "L01FF01")
WBOC05 = ("NCMP", "WBOC05", "")
DIAGNOSIS = ("ICD10", "H353", "")
