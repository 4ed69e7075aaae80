"""The dashboard pages: scope per role, price access, drill-down, downloads, query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.selectors import _percentile
from tests.analytics.dataset import JAN


def test_percentiles_interpolate_between_ranks():
    assert _percentile([0.0, 1.0], 0.5) == 0.5
    assert _percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.1) == pytest.approx(0.14)
    assert _percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.9) == pytest.approx(0.46)


def test_the_measure_page_shows_definition_chart_drill_down_and_latest_month(
    dataset, org, client_for
):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    page = client.get(reverse("analytics:measure", args=["forstevalg-ddd--X"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text
    assert "LIS-anbudet gir lavest pris" in text  # the definition's why
    assert "02.2026" in text  # latest data month stated
    assert "Medisinsk klinikk" in text
    drill = client.get(
        reverse("analytics:measure", args=["forstevalg-ddd--X"]), {"enhet": org["MED-REV"].id}
    )
    assert "Revmatologisk poliklinikk" in drill.content.decode()
    assert "25,0\u00a0%" in drill.content.decode()  # POL in the latest month


def test_unit_leaders_see_only_their_units(dataset, org, client_for):
    measures_refresh()
    client = client_for(Role.UNIT_LEADER)  # leads MED-REV
    url = reverse("analytics:measure", args=["forstevalg-ddd--X"])
    start = client.get(url).content.decode()
    assert "Revmatologisk avdeling" in start
    assert "Nevroklinikken" not in start
    assert client.get(url, {"enhet": org["MED-REV-POL"].id}).status_code == 200
    assert client.get(url, {"enhet": org["NEVRO-MS"].id}).status_code == 404
    assert client.get(url, {"enhet": org["MED"].id}).status_code == 404


def test_amounts_need_price_access_and_prescribers_see_no_dashboards(dataset, client_for, users):
    from legemiddel.agreements.services import price_access_grant

    measures_refresh()
    core = client_for(Role.CORE_GROUP)
    assert core.get(reverse("analytics:measure", args=["kostnad--X"])).status_code == 403
    assert "kostnad--X" not in core.get(reverse("analytics:index")).content.decode()
    price_access_grant(
        user=users[Role.CORE_GROUP],
        reason="Oppfølging",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    assert core.get(reverse("analytics:measure", args=["kostnad--X"])).status_code == 200
    prescriber = client_for(Role.PRESCRIBER)
    assert prescriber.get(reverse("analytics:index")).status_code == 403


def test_downloads_hold_the_same_figures(dataset, org, client_for):
    from python_calamine import CalamineWorkbook

    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    url = reverse("analytics:measure_table", args=["forstevalg-ddd--X", "xlsx"])
    response = client.get(url, {"enhet": org["MED-REV"].id})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    data = rows.to_python()
    assert data[0] == ["Sted", "Måned", "Teller", "Nevner", "Andel"]
    assert ["Revmatologisk poliklinikk", dt.date(2026, 1, 1), 30.0, 40.0, 0.75] in [
        [r[0], r[1].date() if hasattr(r[1], "date") else r[1], *r[2:]] for r in data
    ]
    svg = client.get(reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    png = client.get(reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "png"]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (
        client.get(
            reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "gif"])
        ).status_code
        == 404
    )


def test_the_measure_pages_use_a_fixed_number_of_queries(
    dataset, client_for, django_assert_max_num_queries
):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    with django_assert_max_num_queries(25):
        client.get(reverse("analytics:measure", args=["forstevalg-ddd--X"]))
    with django_assert_max_num_queries(25):
        client.get(reverse("analytics:index"))


def test_a_unit_leader_drills_to_prescribers_of_own_units_only(dataset, org, client_for):
    from legemiddel.analytics.models import MeasureValue as Value

    Value.objects.all().delete()
    Value.objects.bulk_create(
        [
            Value(
                measure="oppstart-forstevalg--X",
                month=JAN,
                org_unit_id=org["MED-REV-POL"].id,
                prescriber="9100001",
                numerator=1,
                denominator=2,
            ),
            Value(
                measure="oppstart-forstevalg--X",
                month=JAN,
                org_unit_id=org["NEVRO-MS"].id,
                prescriber="9100002",
                numerator=1,
                denominator=1,
            ),
        ]
    )
    client = client_for(Role.UNIT_LEADER)  # leads MED-REV
    url = reverse("analytics:measure", args=["oppstart-forstevalg--X"])
    page = client.get(url, {"enhet": org["MED-REV"].id}).content.decode()
    assert "forskriver=9100001" in page
    assert "9100002" not in page
    mine = client.get(url, {"enhet": org["MED-REV"].id, "forskriver": "9100001"})
    assert mine.status_code == 200
    assert "50,0\u00a0%" in mine.content.decode()
    other = client.get(url, {"enhet": org["MED-REV"].id, "forskriver": "9100002"})
    assert other.status_code == 404
    assert client.get(url, {"forskriver": "9100001"}).status_code == 404
    table = reverse("analytics:measure_table", args=["oppstart-forstevalg--X", "csv"])
    export = client.get(table, {"enhet": org["MED-REV"].id}).content.decode()
    assert "(9100001)" in export
    assert "9100002" not in export
    overview = client.get(reverse("analytics:index_table", args=["csv"])).content.decode()
    assert "Andel behandlingsstarter på førstevalg – Område X" in overview
    assert "Kostnad" not in overview  # amounts need price access


def test_savings_pages_need_price_access(priced, client_for):
    measures_refresh()
    client = client_for(Role.UNIT_LEADER)
    for key in ("gevinst-potensial--X", "gevinst-realisert--X"):
        assert client.get(reverse("analytics:measure", args=[key])).status_code == 403
        table = reverse("analytics:measure_table", args=[key, "csv"])
        assert client.get(table).status_code == 403
    assert "gevinst" not in client.get(reverse("analytics:index")).content.decode()


def test_cost_drivers_show_volumes_to_all_and_amounts_only_with_price_access(
    dataset, client_for, users
):
    from legemiddel.agreements.services import price_access_grant

    measures_refresh()
    client = client_for(Role.CONTROLLER)  # follows MED
    page = client.get(reverse("analytics:drivers")).content.decode()
    assert "P000003" in page  # 500 DDD at MED-REV-DAG, the biggest
    assert " kr" not in page
    export = client.get(reverse("analytics:drivers_table", args=["csv"])).content.decode()
    assert "Kroner" not in export
    price_access_grant(
        user=users[Role.CONTROLLER],
        reason="Budsjett",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    page = client_for(Role.CONTROLLER).get(reverse("analytics:drivers")).content.decode()
    assert "5\u00a0000\u00a0kr" in page
    # An advisory pharmacist without units follows none of MED's packages.
    pharmacist = client_for(Role.ADVISORY_PHARMACIST).get(reverse("analytics:drivers"))
    assert pharmacist.status_code == 200
    assert "P000003" not in pharmacist.content.decode()
