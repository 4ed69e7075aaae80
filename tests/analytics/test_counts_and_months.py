"""Tables read for the page's month and show their counts: each prescriber's value is for
the month the page is about (no data is said as such, never an older month's value), and
every share has its numerator and denominator beside it, small denominators flagged."""

from __future__ import annotations

import re

from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.models import MeasureValue
from tests.analytics.dataset import FEB, JAN

STARTS = "oppstart-forstevalg--X"


def _cells(html: str, text: str) -> list[str]:
    """The cells of the table row that contains ``text``, tags stripped."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if text in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _starts(org):
    MeasureValue.objects.filter(measure=STARTS).delete()
    MeasureValue.objects.bulk_create(
        [
            # 9100001 started one patient in January, on another product: 0 of 1.
            MeasureValue(
                measure=STARTS,
                month=JAN,
                org_unit_id=org["MED-REV-POL"].id,
                prescriber="9100001",
                numerator=0,
                denominator=1,
            ),
            # 9100002 in February, the page's month: 3 of 4.
            MeasureValue(
                measure=STARTS,
                month=FEB,
                org_unit_id=org["MED-REV-DAG"].id,
                prescriber="9100002",
                numerator=3,
                denominator=4,
            ),
        ]
    )


def test_the_prescriber_table_shows_the_pages_month_and_no_data_as_no_data(
    dataset, org, client_for
):
    measures_refresh()  # data to February
    _starts(org)
    page = client_for(Role.UNIT_LEADER).get(
        reverse("analytics:measure", args=[STARTS]), {"enhet": org["MED-REV"].id}
    )
    html = page.content.decode()
    table = html[html.index('id="prescribers-h"') :]
    assert '<th scope="col" class="num">02.2026</th>' in table  # the month, named
    latest, year = _cells(table, "forskriver=9100001")[1:]
    # Not January's 0 % beside February: February has no data for this prescriber.
    assert latest == "ingen data"
    assert year == "0,0 % (0 av 1) få tilfeller"
    latest, year = _cells(table, "forskriver=9100002")[1:]
    assert latest == "75,0 % (3 av 4) få tilfeller"


def test_drill_down_and_overview_show_numerator_and_denominator_beside_each_share(
    dataset, org, client_for, settings
):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    url = reverse("analytics:measure", args=["forstevalg-ddd--X"])
    html = client.get(url, {"enhet": org["MED-REV"].id}).content.decode()
    # February at POL: 10 of 40 DDD on first choice; same month last year: no data.
    assert _cells(html, "Revmatologisk poliklinikk")[1:] == ["25,0 % (10 av 40)", "ingen data"]
    overview = client.get(reverse("analytics:index")).content.decode()
    cells = _cells(overview, "Andel DDD på førstevalg – Område X")
    assert cells[1] == "70,0 % (70 av 100)"  # February, whole trust
    settings.ANALYTICS_SMALL_DENOMINATOR = 150
    overview = client.get(reverse("analytics:index")).content.decode()
    cells = _cells(overview, "Andel DDD på førstevalg – Område X")
    assert cells[1] == "70,0 % (70 av 100) få tilfeller"
    export = client.get(reverse("analytics:index_table", args=["csv"])).content.decode()
    header, *lines = [line.split(";" if ";" in line else ",") for line in export.splitlines()]
    row = next(line for line in lines if line[0] == "Andel DDD på førstevalg – Område X")
    counts = dict(zip(header, row, strict=True))
    assert (counts["Teller"], counts["Nevner"]) in {("70.0", "100.0"), ("70,0", "100,0")}
