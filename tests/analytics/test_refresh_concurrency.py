"""Two refreshes of the measures never run at once, on either database: the second waits for
the first and then stores the same values a single refresh would."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.engine import measures_refresh, refresh
from legemiddel.analytics.models import MeasureRefresh, MeasureValue
from legemiddel.catalogue.models import Package
from legemiddel.lib.db import one_writer
from legemiddel.usage.models import MonthlyUsage

pytestmark = pytest.mark.django_db(transaction=True)
JAN = dt.date(2026, 1, 1)


@pytest.fixture
def area(org):
    for varenr in ("000001", "000002"):
        Package.objects.create(
            varenr=varenr, fest_id=f"ID{varenr}", name_form_strength=f"P{varenr}", content_hash=""
        )
    area = TherapeuticArea.objects.create(code="X", name="Område X")
    agreement = Agreement.objects.create(
        area=area,
        title="X 2026",
        region="Vest",
        start=JAN,
        end=dt.date(2026, 12, 31),
        status=Agreement.Status.PUBLISHED,
        version=1,
    )
    for varenr, rank in (("000001", 1), ("000002", 2)):
        AgreementLine.objects.create(
            agreement=agreement, package_id=varenr, indication_group="G", rank=rank
        )
    unit = org["MED-REV-POL"].id
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=JAN, source="sls", org_unit_id=unit, package_id=v, ddd=d, amount=a, quantity=1
        )
        for v, d, a in (("000001", 30, 300), ("000002", 10, 200))
    )
    return area


def _stored() -> list[tuple]:
    # The trust's own rows have no unit: sorted as -1 so they compare with unit ids.
    return sorted(
        (m, month, -1 if unit is None else unit, *rest)
        for m, month, unit, *rest in MeasureValue.objects.values_list(
            "measure", "month", "org_unit_id", "subtree", "prescriber", "numerator", "denominator"
        )
    )


def test_two_refreshes_at_once_run_one_after_the_other(area, monkeypatch):
    measures_refresh()
    expected = _stored()
    assert ("forstevalg-ddd--X", JAN) in {(m, month) for m, month, *_ in expected}
    MeasureValue.objects.all().delete()

    spans: list[tuple[float, float]] = []
    errors: list[BaseException] = []
    inner = refresh._refresh

    def slow_refresh(*args, **kwargs):
        began = time.monotonic()
        result = inner(*args, **kwargs)
        time.sleep(0.5)  # still inside the transaction: a second refresh must wait for it
        spans.append((began, time.monotonic()))
        return result

    monkeypatch.setattr(refresh, "_refresh", slow_refresh)

    def run():
        try:
            measures_refresh()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(spans) == 2
    first, second = sorted(spans)
    assert first[1] <= second[0], "the two refreshes overlapped"
    assert _stored() == expected
    assert MeasureRefresh.objects.count() == 3


def test_on_sqlite_others_write_while_the_measures_are_computed(area, monkeypatch):
    """The values are computed outside the write transaction; only the swap holds the lock."""
    if not one_writer():
        pytest.skip("PostgreSQL locks rows: the refresh's transaction holds nobody's writes")
    computing = threading.Event()
    release = threading.Event()
    inner = refresh.compute

    def slow_compute(*args, **kwargs):
        computing.set()
        assert release.wait(10)
        return inner(*args, **kwargs)

    monkeypatch.setattr(refresh, "compute", slow_compute)
    errors: list[BaseException] = []

    def run():
        try:
            measures_refresh()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert computing.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 2000")
        began = time.monotonic()
        TherapeuticArea.objects.create(code="Y", name="Område Y")
        took = time.monotonic() - began
    finally:
        release.set()
        thread.join(timeout=60)
    assert not errors
    # Held by the computation, the write would have failed after its busy timeout (2 s).
    assert took < 1.5, f"the write waited {took:.2f} s for the computation"
    assert MeasureValue.objects.filter(measure="forstevalg-ddd--X").exists()
