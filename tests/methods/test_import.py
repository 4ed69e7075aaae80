"""Importing the decision list in the public layout (docs/formats/metoder.md): what a good list
stores, in XLSX and CSV, with both header spellings, serial and 0 dates, both ID forms and
repeated IDs."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.core.models import AuditEvent, OutboxEvent
from legemiddel.methods import importing
from legemiddel.methods.decisions import Understanding
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.ids import indication_key
from legemiddel.methods.models import (
    DecisionStatus,
    Method,
    MethodImport,
    MethodRow,
    MethodType,
    Specialty,
)
from legemiddel.methods.reading import COLUMNS
from tests.methods.conftest import HEADER, row, serial

pytestmark = pytest.mark.django_db

PUBLIC_LIST = [
    row("2019_073", indication="Atopisk dermatitt", day=43787),
    row(
        "ID2019_073",
        indication="Alvorlig astma",
        specialty="Lungesykdommer",
        day=serial(dt.date(2025, 5, 19)),
        short="Dupilumab (Dupixent) innføres ikke til behandling av alvorlig astma.",
        full="",
    ),
    row("2021_110 A", "Faricimab", "Vabysmo", "Våt AMD", specialty="Øyesykdommer", day=0),
    row(
        "2019_140",
        "",
        "",
        "Kontinuerlig glukosemåling",
        "Medisinsk utstyr, diagnostikk og tester",
        "Endokrinologi",
        day="",
    ),
    row(
        "2018_033",
        "",
        "",
        "Mekanisk trombektomi",
        "Prosedyrer og organisatoriske tiltak",
        "Nevrologi, Radiologi",
        day=serial(dt.date(2018, 9, 24)),
    ),
]


def test_a_list_in_the_public_layout_becomes_one_version_with_its_methods(import_list):
    result = import_list(PUBLIC_LIST, name="beslutninger.xlsx")
    batch = MethodImport.objects.get()
    assert result.batch == batch
    assert not result.unchanged
    assert (batch.file_name, batch.rows_read, batch.methods_new) == ("beslutninger.xlsx", 5, 5)
    assert (batch.methods_changed, batch.methods_removed) == (0, 0)
    assert len(batch.sha256) == 64
    assert Method.objects.count() == 5
    atopic = Method.objects.get(method_id="ID2019_073", indication="Atopisk dermatitt")
    assert atopic.decision_date == dt.date(2019, 11, 18)
    assert atopic.substance_text == "Dupilumab"
    assert atopic.trade_names == "Dupixent"
    assert atopic.method_type == MethodType.DRUG
    assert atopic.method_type_text == "Legemidler"
    assert atopic.specialty == "Hudsykdommer"
    assert atopic.indication_key == indication_key("Atopisk dermatitt")
    assert atopic.listed
    assert not atopic.manual
    assert atopic.first_import == batch
    assert atopic.last_import == batch
    assert atopic.status == ""
    assert "1 nye metoder" not in result.as_text()
    assert "5 nye metoder" in result.as_text()


def test_one_id_with_two_indications_is_two_methods(import_list):
    import_list(PUBLIC_LIST)
    rows = Method.objects.filter(method_id="ID2019_073").order_by("indication")
    assert [m.indication for m in rows] == ["Alvorlig astma", "Atopisk dermatitt"]
    asthma = rows[0]
    assert asthma.decision_date == dt.date(2025, 5, 19)
    assert asthma.decision_full == ""


def test_a_letter_suffix_and_zero_or_empty_dates(import_list):
    import_list(PUBLIC_LIST)
    faricimab = Method.objects.get(method_id="ID2021_110A")
    assert faricimab.decision_date is None
    assert Method.objects.get(method_id="ID2019_140").decision_date is None


def test_the_three_method_types(import_list):
    import_list(PUBLIC_LIST)
    types = dict(Method.objects.values_list("method_id", "method_type"))
    assert types["ID2019_140"] == MethodType.DEVICE
    assert types["ID2018_033"] == MethodType.PROCEDURE
    assert types["ID2021_110A"] == MethodType.DRUG


def test_each_version_keeps_its_rows_normalised(import_list):
    result = import_list(PUBLIC_LIST)
    rows = list(MethodRow.objects.filter(batch=result.batch).order_by("row_number"))
    assert [r.row_number for r in rows] == [2, 3, 4, 5, 6]
    first = rows[0]
    assert set(first.data) == set(COLUMNS)  # the 9 columns (jsonb keeps no key order)
    assert first.method_id == "ID2019_073"
    assert first.indication_key == indication_key("Atopisk dermatitt")
    assert first.data["method_id"] == "ID2019_073"
    assert first.data["decision_date"] == "2019-11-18"
    assert rows[2].data["decision_date"] is None


def test_each_new_specialty_is_created_unmapped(import_list):
    import_list(PUBLIC_LIST)
    names = set(Specialty.objects.values_list("name", flat=True))
    assert names == {
        "Hudsykdommer",
        "Lungesykdommer",
        "Øyesykdommer",
        "Endokrinologi",
        "Nevrologi",
        "Radiologi",
    }
    assert not Specialty.objects.filter(units__isnull=False).exists()


@pytest.mark.parametrize("trade_header", ["Handelsenavn", "Handelsnavn", "HANDELSNAVN"])
@pytest.mark.parametrize("name", ["liste.xlsx", "liste.csv"])
def test_both_spellings_of_the_trade_name_header(import_list, trade_header, name):
    header = [trade_header if h == "Handelsenavn" else h for h in HEADER]
    import_list([row()], name=name, header=header)
    assert Method.objects.get().trade_names == "Dupixent"


@pytest.mark.parametrize(("sep", "encoding"), [(";", "utf-8"), (",", "utf-8"), (";", "cp1252")])
def test_a_csv_of_the_same_columns(import_list, sep, encoding):
    import_list(PUBLIC_LIST, name="liste.csv", sep=sep, encoding=encoding)
    assert Method.objects.count() == 5
    assert Method.objects.get(method_id="ID2021_110A").specialty == "Øyesykdommer"
    assert Method.objects.get(method_id="ID2018_033").decision_date == dt.date(2018, 9, 24)


@pytest.mark.parametrize(
    "day", ["14.05.2024", "2024-05-14", dt.date(2024, 5, 14), "45426", 45426.0]
)
def test_a_date_cell_or_a_date_as_text_is_read_too(import_list, day):
    import_list([row(day=day)])
    assert Method.objects.get().decision_date == dt.date(2024, 5, 14)


def test_the_same_method_twice_with_the_same_decision_is_one_row(import_list):
    result = import_list([row(), row(indication="  ATOPISK   dermatitt ", trade="Dupixent")])
    assert Method.objects.count() == 1
    assert MethodRow.objects.filter(batch=result.batch).count() == 1
    assert result.batch.rows_read == 2


def test_unknown_columns_are_ignored(import_list):
    import_list([[*row(), "noe annet"]], header=[*HEADER, "Kommentar"])
    assert Method.objects.count() == 1


def test_the_decision_is_understood_and_left_for_a_person_to_confirm(import_list, monkeypatch):
    seen = []

    def understand(short, full=""):
        seen.append(short)
        return Understanding(
            status=DecisionStatus.CONDITIONS,
            conditions="Prisen må være lik eller lavere.",
            price_condition=True,
            effective_from=dt.date(2025, 6, 1),
            effective_note="fra ny LIS-avtale",
        )

    monkeypatch.setattr(importing, "understand", understand)
    import_list([row()])
    method = Method.objects.get()
    assert seen == [method.decision_short]
    assert method.suggested_status == DecisionStatus.CONDITIONS
    assert method.status == ""
    assert method.effective_status == DecisionStatus.CONDITIONS
    assert method.price_condition
    assert method.effective_from == dt.date(2025, 6, 1)
    assert method.effective_note == "fra ny LIS-avtale"
    assert method.conditions == "Prisen må være lik eller lavere."


def test_only_drug_methods_are_linked(import_list, monkeypatch):
    linked = []
    monkeypatch.setattr(
        importing, "link_methods", lambda methods: linked.extend(m.method_id for m in methods)
    )
    import_list(PUBLIC_LIST)
    assert sorted(linked) == ["ID2019_073", "ID2019_073", "ID2021_110A"]


def test_it_announces_the_methods_and_records_the_import(import_list):
    import_list(PUBLIC_LIST)
    event = OutboxEvent.objects.get(topic=METHODS_CHANGED)
    assert sorted(event.payload["methods"]) == sorted(Method.objects.values_list("pk", flat=True))
    audit = AuditEvent.objects.get(action="import")
    assert "liste.xlsx" in audit.detail
    assert "5 nye metoder" in audit.detail


def test_progress_is_reported(tmp_path, db):
    from tests.methods.conftest import write_xlsx

    calls = []
    importing.methods_import(
        path=write_xlsx(tmp_path / "l.xlsx", PUBLIC_LIST),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 5)
    assert calls[-1] == (5, 5)
