"""Figures per named prescriber are personal data: every page and file that shows them writes
one record to the access log (who, when, which unit, which prescribers), and pages without
them write none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics.models import MeasureValue
from legemiddel.core.models import AuditEvent
from tests.analytics.dataset import JAN

KEY = "oppstart-forstevalg--X"
READ = AuditEvent.Action.PERSONAL_DATA_VIEW


@pytest.fixture
def prescriber_figures(dataset, org):
    MeasureValue.objects.all().delete()
    MeasureValue.objects.bulk_create(
        [
            MeasureValue(
                measure=KEY,
                month=JAN,
                org_unit_id=org["MED-REV-POL"].id,
                prescriber=hpr,
                numerator=1,
                denominator=2,
            )
            for hpr in ("9100001", "9100003")
        ]
    )
    return org["MED-REV"]


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=READ).order_by("id"))


def test_the_unit_page_listing_prescribers_is_logged_with_their_hpr_numbers(
    prescriber_figures, client_for
):
    client = client_for(Role.UNIT_LEADER)
    response = client.get(
        reverse("analytics:measure", args=[KEY]), {"enhet": prescriber_figures.id}
    )
    assert response.status_code == 200
    [event] = reads()
    assert event.username == "unit_leader"
    assert event.target == f"enhet:{prescriber_figures.id}"
    assert "2 forskrivere" in event.detail
    assert "9100001" in event.detail
    assert "9100003" in event.detail
    assert event.path.startswith(reverse("analytics:measure", args=[KEY]))


def test_one_prescribers_page_is_logged_with_the_prescriber(prescriber_figures, client_for):
    client = client_for(Role.CORE_GROUP)
    url = reverse("analytics:measure", args=[KEY])
    assert (
        client.get(url, {"enhet": prescriber_figures.id, "forskriver": "9100001"}).status_code
        == 200
    )
    [event] = reads()
    assert event.target == f"enhet:{prescriber_figures.id} forskriver:9100001"


@pytest.mark.parametrize(
    ("view", "fmt", "prescriber"),
    [
        ("analytics:measure_table", "csv", ""),
        ("analytics:measure_table", "xlsx", "9100001"),
        ("analytics:measure_prescribers", "csv", ""),
        ("analytics:measure_prescribers", "xlsx", ""),
        ("analytics:measure_chart", "svg", "9100001"),
    ],
)
def test_every_download_with_prescriber_figures_is_logged(
    prescriber_figures, client_for, view, fmt, prescriber
):
    params = {"enhet": prescriber_figures.id}
    if prescriber:
        params["forskriver"] = prescriber
    response = client_for(Role.CORE_GROUP).get(reverse(view, args=[KEY, fmt]), params)
    assert response.status_code == 200
    [event] = reads()
    assert fmt in event.detail
    assert (
        (f"forskriver:{prescriber}" in event.target) if prescriber else ("9100001" in event.detail)
    )


def test_pages_without_prescriber_figures_write_no_access_record(prescriber_figures, client_for):
    client = client_for(Role.CORE_GROUP)
    assert client.get(reverse("analytics:measure", args=[KEY])).status_code == 200
    chart = reverse("analytics:measure_chart", args=[KEY, "svg"])
    assert client.get(chart, {"enhet": prescriber_figures.id}).status_code == 200
    assert client.get(reverse("analytics:index")).status_code == 200
    assert reads() == []


def test_a_refused_prescriber_page_logs_no_read(prescriber_figures, org, client_for):
    client = client_for(Role.UNIT_LEADER)  # leads MED-REV, not NEVRO
    url = reverse("analytics:measure", args=[KEY])
    assert client.get(url, {"enhet": org["NEVRO-MS"].id}).status_code == 404
    assert reads() == []
