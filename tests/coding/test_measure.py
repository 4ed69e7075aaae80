"""Coding completeness in the measure framework, refreshed through the outbox after an
episode import."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.models import MeasureValue
from legemiddel.coding.events import EPISODES_IMPORTED
from legemiddel.coding.matching import coding_refresh
from legemiddel.core import outbox

from .conftest import AFLIBERCEPT, CKD05

D = dt.date(2024, 3, 14)


@pytest.mark.django_db
def test_share_of_administrations_with_a_coded_episode_per_unit_and_month(data, rules):
    data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
    data.adm(D, "p2", "MED-REV-POL", "S01LA05", episode="E2")
    data.adm(D, "p3", "MED-REV-POL", "S01LA05")
    data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
    coding_refresh(rules=rules)
    measures_refresh(sources={"episoder"})
    value = MeasureValue.objects.get(measure="kodekompletthet")
    assert (value.month, value.org_unit.code) == (dt.date(2024, 3, 1), "MED-REV-POL")
    assert (value.numerator, value.denominator) == (1, 3)


@pytest.mark.django_db
def test_an_episode_import_announcement_rematches_and_refreshes_the_measure(data):
    data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
    data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
    outbox.announce(topic=EPISODES_IMPORTED, payload={"months": ["2024-03-01"]})
    outbox.process()
    value = MeasureValue.objects.get(measure="kodekompletthet")
    assert (value.numerator, value.denominator) == (1, 1)
