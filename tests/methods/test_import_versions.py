"""A new list against the methods we have: new, changed and removed rows, a decision to
confirm again, methods added by hand left alone, and a re-import that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from legemiddel.core.models import OutboxEvent
from legemiddel.methods import importing
from legemiddel.methods.decisions import Understanding
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.ids import indication_key
from legemiddel.methods.models import DecisionStatus, Method, MethodImport, MethodRow
from tests.methods.conftest import row, write_csv

pytestmark = pytest.mark.django_db

FIRST = [
    row("2019_073", indication="Atopisk dermatitt"),
    row("2019_073", indication="Alvorlig astma", short="Innføres ikke."),
    row("2020_001", "Faricimab", "Vabysmo", "Våt AMD", short="Kan innføres."),
]


def _confirm(method: Method, user) -> None:
    method.status = DecisionStatus.INTRODUCED
    method.status_confirmed_by = user
    method.status_confirmed_at = timezone.now()
    method.conditions = "Skrevet av kjernegruppen"
    method.save()


def test_a_changed_decision_clears_the_confirmed_status_and_is_read_again(
    import_list, users, monkeypatch
):
    import_list(FIRST)
    asthma = Method.objects.get(indication="Alvorlig astma")
    _confirm(asthma, users["core_group"])
    monkeypatch.setattr(
        importing,
        "understand",
        lambda short, full="": Understanding(status=DecisionStatus.INTRODUCED, conditions="Ny"),
    )
    second = [
        FIRST[0],
        row("2019_073", indication="Alvorlig astma", short="Kan innføres nå."),
        FIRST[2],
    ]
    result = import_list(second)
    asthma.refresh_from_db()
    assert asthma.decision_short == "Kan innføres nå."
    assert asthma.status == ""
    assert asthma.status_confirmed_by is None
    assert asthma.status_confirmed_at is None
    assert asthma.suggested_status == DecisionStatus.INTRODUCED
    assert asthma.conditions == "Ny"
    assert asthma.changed_at is not None
    assert asthma.last_import == result.batch
    assert asthma.first_import != result.batch
    assert (result.batch.methods_new, result.batch.methods_changed) == (0, 1)
    assert "1 endrede beslutninger" in result.as_text()


def test_a_changed_decision_date_alone_is_a_changed_decision(import_list, users):
    import_list(FIRST)
    method = Method.objects.get(indication="Våt AMD")
    _confirm(method, users["core_group"])
    result = import_list([*FIRST[:2], row("2020_001", "Faricimab", "Vabysmo", "Våt AMD",
                                          short="Kan innføres.", day=45000)])  # fmt: skip
    method.refresh_from_db()
    assert method.status == ""
    assert result.batch.methods_changed == 1


def test_another_column_changed_keeps_the_confirmed_status(import_list, users):
    import_list(FIRST)
    method = Method.objects.get(indication="Atopisk dermatitt")
    _confirm(method, users["core_group"])
    result = import_list([row("2019_073", trade="Dupixent, Ny", indication="Atopisk dermatitt"),
                          *FIRST[1:]])  # fmt: skip
    method.refresh_from_db()
    assert method.trade_names == "Dupixent, Ny"
    assert method.status == DecisionStatus.INTRODUCED
    assert method.status_confirmed_by == users["core_group"]
    assert method.conditions == "Skrevet av kjernegruppen"
    assert method.changed_at is None
    assert result.updated == 1
    assert result.batch.methods_changed == 0


def test_a_row_missing_from_the_new_list_is_kept_as_not_listed(import_list):
    import_list(FIRST)
    result = import_list(FIRST[:2])
    faricimab = Method.objects.get(indication="Våt AMD")
    assert not faricimab.listed
    assert Method.objects.count() == 3
    assert result.batch.methods_removed == 1
    # It comes back in a later list: listed again, counted as new against the version before.
    again = import_list(FIRST)
    faricimab.refresh_from_db()
    assert faricimab.listed
    assert again.batch.methods_new == 1


def test_methods_added_by_hand_are_untouched(import_list):
    manual = Method.objects.create(
        method_id="ID2020_001",
        indication="Våt AMD",
        indication_key=indication_key("Våt AMD"),
        decision_short="Lagt inn for hånd",
        manual=True,
        listed=False,
        status=DecisionStatus.INTRODUCED,
    )
    other = Method.objects.create(
        method_id="ID2024_999", indication="Egen", indication_key="k", decision_short="Hånd",
        manual=True, listed=False,
    )  # fmt: skip
    result = import_list(FIRST)
    manual.refresh_from_db()
    other.refresh_from_db()
    assert manual.decision_short == "Lagt inn for hånd"
    assert manual.status == DecisionStatus.INTRODUCED
    assert not manual.listed
    assert not other.listed
    assert result.manual_kept == 1
    assert "lagt inn for hånd" in result.as_text()
    assert Method.objects.count() == 4


def test_importing_the_same_list_again_changes_nothing_and_records_no_version(import_list):
    first = import_list(FIRST)
    before = list(Method.objects.order_by("pk").values())
    events = OutboxEvent.objects.count()
    again = import_list(FIRST)
    assert again.unchanged
    assert again.batch == first.batch
    assert MethodImport.objects.count() == 1
    assert MethodRow.objects.count() == 3
    assert list(Method.objects.order_by("pk").values()) == before
    assert OutboxEvent.objects.count() == events
    assert "ingen ny versjon" in again.as_text()


def test_the_same_list_as_csv_is_the_same_version(import_list, tmp_path):
    import_list(FIRST)
    result = importing.methods_import(path=write_csv(tmp_path / "l.csv", FIRST))
    assert result.unchanged
    assert MethodImport.objects.count() == 1


def test_a_new_version_announces_only_what_changed(import_list):
    import_list(FIRST)
    OutboxEvent.objects.all().delete()
    import_list([FIRST[0], row("2019_073", indication="Alvorlig astma", short="Kan innføres.")])
    event = OutboxEvent.objects.get(topic=METHODS_CHANGED)
    changed = set(
        Method.objects.filter(pk__in=event.payload["methods"]).values_list("indication", flat=True)
    )
    assert changed == {"Alvorlig astma", "Våt AMD"}  # changed, and no longer listed


def test_a_thousand_rows_import_with_a_bounded_number_of_queries(
    import_list, django_assert_max_num_queries
):
    # The import's own writes are in bulk, and so is the linking of the drug methods
    # (``linking.link_methods``: a few queries for the whole list, not a few per method).
    rows = [row(f"2020_{i:03d}", indication=f"Indikasjon {i}", day=45000 + i) for i in range(1000)]
    with django_assert_max_num_queries(120):
        import_list(rows)
    assert Method.objects.count() == 1000
    changed = [r if i % 10 else row(f"2020_{i:03d}", indication=f"Indikasjon {i}", short="Endret")
               for i, r in enumerate(rows)]  # fmt: skip
    with django_assert_max_num_queries(120):
        result = import_list(changed[:-1])
    assert (result.batch.methods_changed, result.batch.methods_removed) == (100, 1)
    assert Method.objects.get(method_id="ID2020_001").decision_date == dt.date(2023, 3, 16)
