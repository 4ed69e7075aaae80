"""The demo's decision list: the public layout, two versions, what the other parts rely on."""

from __future__ import annotations

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from legemiddel.demo.methods_data import FILES, demo_methods_load, write_decision_list
from legemiddel.demo.services import demo_load
from legemiddel.methods.models import (
    BudgetExpectation,
    Method,
    MethodImport,
    MethodType,
    Specialty,
)
from legemiddel.methods.reading import COLUMNS, profile
from legemiddel.methods.versions import import_diff


def test_the_demo_list_is_in_the_public_layout(tmp_path):
    path = write_decision_list(tmp_path / "liste.xlsx", 1)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert profile().match([str(h) for h in rows[0]]).missing == ()
    assert len(rows[0]) == len(COLUMNS)
    dates = [r[6] for r in rows[1:]]
    assert all(isinstance(d, float) for d in dates)  # Excel serials
    assert 0.0 in dates


@pytest.mark.django_db
def test_the_demo_loads_two_versions_once():
    demo_load(usage=False)
    assert list(MethodImport.objects.order_by("id").values_list("file_name", flat=True)) == list(
        FILES
    )
    demo_methods_load()  # again: nothing more
    assert MethodImport.objects.count() == 2
    asthma = Method.objects.get(method_id="ID2023_041")
    assert asthma.substance_text == "Dupilumab"
    assert "innføres ikke" in asthma.decision_short
    assert asthma.decision_date == dt.date(2025, 5, 19)
    assert Method.objects.filter(substance_text="Dupilumab").count() == 2
    assert Method.objects.filter(method_id="ID2016_036").count() == 2
    assert Method.objects.filter(method_id__in=["ID2021_110A", "ID2021_110B"]).count() == 2
    assert Method.objects.get(method_id="ID2022_097").decision_date is None
    types = set(Method.objects.values_list("method_type", flat=True))
    assert types == {MethodType.DRUG, MethodType.DEVICE, MethodType.PROCEDURE}
    assert not Method.objects.get(method_id="ID2016_090").listed
    diff = import_diff(MethodImport.objects.order_by("id").last())
    assert {c.method_id for c in diff.changed} == {"ID2024_012", "ID2019_120"}
    assert [c.method_id for c in diff.new] == ["ID2025_031"]
    assert [c.method_id for c in diff.updated] == ["ID2016_051"]
    assert [c.method_id for c in diff.removed] == ["ID2016_090"]
    revmatologi = Specialty.objects.get(name="Revmatologi")
    assert set(revmatologi.units.values_list("code", flat=True)) == {"MED-REV", "BUK-REV"}
    assert not Specialty.objects.get(name="Medisinsk genetikk").units.exists()
    # The asthma indication carries its ICD-10 codes, so the finder can tell it from dermatitis.
    assert asthma.icd10 == "J45 J46"
    assert Method.objects.get(method_id="ID2018_120").icd10 == "L20"
    # The budget page has expectations to compare with, this year's.
    expected = BudgetExpectation.objects.filter(year=dt.date.today().year)
    assert set(expected.values_list("method__method_id", flat=True)) == {
        "ID2021_110A",
        "ID2019_120",
        "ID2024_012",
    }
