"""The demo's episodes have the gaps the issue asks for, so every page has something true."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.coding.models import EpisodeCode, Match, Outcome
from legemiddel.coding.selectors import completeness_by_unit
from legemiddel.demo.coding_data import demo_episodes_load
from legemiddel.findings.models import Finding


@pytest.mark.django_db
def test_demo_episodes_have_realistic_gaps(data):
    start = dt.date(2024, 1, 2)
    for i in range(600):
        day = start + dt.timedelta(days=i % 300)
        data.adm(day, f"p{i}", "MED-REV-POL", "S01LA05", episode=f"EYE-{i}")
        data.adm(day, f"q{i}", "NEVRO-MS", "L01FF01", episode=f"ONK-{i}")
    demo_episodes_load(worse_unit="NEVRO-MS")
    by_unit = {u.unit.code: u.share for u in completeness_by_unit()}
    assert by_unit["NEVRO-MS"] < by_unit["MED-REV-POL"] - 0.15  # one unit much worse
    eye = Finding.objects.filter(subject="S01LA05")
    assert eye.filter(category="no_procedure").count() > 0.15 * 600  # CKD05 often missing
    assert Finding.objects.filter(status=Finding.Status.CORRECTED).exists()  # late corrections
    assert EpisodeCode.objects.filter(system="S").exists()  # older eye injections as særkode
    assert Match.objects.filter(outcome=Outcome.NO_EPISODE).exists()
    assert Match.objects.filter(outcome=Outcome.CODED).count() > 600
    demo_episodes_load()  # a second load changes nothing
    assert Match.objects.count() == 1200
