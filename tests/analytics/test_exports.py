"""Downloads that stand alone: the XLSX says what it is (title, place, period, data month,
the measure's definition) and formats shares as percentages; the prescriber table has its
own file, one row per prescriber; the chart file has its title and a legend on it."""

from __future__ import annotations

import io
import struct

import openpyxl
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.models import MeasureValue
from tests.analytics.dataset import FEB, JAN

MEASURE = "forstevalg-ddd--X"
STARTS = "oppstart-forstevalg--X"


def test_the_xlsx_says_what_it_is_and_shows_shares_as_percent(dataset, org, client_for):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    url = reverse("analytics:measure_table", args=[MEASURE, "xlsx"])
    response = client.get(url, {"enhet": org["MED-REV"].id})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, about = book.worksheets
    assert [c.value for c in data[1]] == ["Sted", "Måned", "Teller", "Nevner", "Andel"]
    assert data["E2"].number_format == "0.0 %"
    assert about.title == "Om tallene"
    facts = {row[0].value: row[1].value for row in about.iter_rows()}
    assert facts["Tittel"] == "Andel DDD på førstevalg – Område X: måned for måned"
    assert facts["Sted"] == "Revmatologisk avdeling"
    assert facts["Periode"] == "01.2026–02.2026"
    assert facts["Datamåned"] == "02.2026"
    assert "Definerte døgndoser (DDD)" in facts["Slik beregnes den"]
    assert facts["Mål"] == "80,0\u00a0%"


def test_the_prescriber_table_has_its_own_file_with_one_row_per_prescriber(
    dataset, org, client_for
):
    measures_refresh()
    MeasureValue.objects.filter(measure=STARTS).delete()
    MeasureValue.objects.bulk_create(
        MeasureValue(
            measure=STARTS,
            month=month,
            org_unit_id=org[unit].id,
            prescriber="9100001",
            numerator=n,
            denominator=d,
        )
        # The same prescriber in two units and two months: still one row.
        for month, unit, n, d in (
            (JAN, "MED-REV-POL", 1, 2),
            (FEB, "MED-REV-POL", 1, 1),
            (FEB, "MED-REV-DAG", 0, 1),
        )
    )
    client = client_for(Role.UNIT_LEADER)
    url = reverse("analytics:measure_prescribers", args=[STARTS, "xlsx"])
    response = client.get(url, {"enhet": org["MED-REV"].id})
    assert "oppstart-forstevalg--X-forskrivere.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data = book.worksheets[0]
    rows = [[c.value for c in row] for row in data.iter_rows()]
    assert rows[0] == [
        "Forskriver",
        "HPR-nummer",
        "Teller 02.2026",
        "Nevner 02.2026",
        "Andel 02.2026",
        "Teller siste 12 mnd",
        "Nevner siste 12 mnd",
        "Andel siste 12 mnd",
    ]
    assert rows[1:] == [["9100001", "9100001", 1, 2, 0.5, 2, 4, 0.5]]
    assert data["E2"].number_format == "0.0 %"
    facts = {row[0].value: row[1].value for row in book.worksheets[1].iter_rows()}
    assert facts["Tittel"] == "Andel behandlingsstarter på førstevalg – Område X: forskrivere"
    assert facts["Sted"] == "Revmatologisk avdeling"
    page = client.get(reverse("analytics:measure", args=[STARTS]), {"enhet": org["MED-REV"].id})
    assert url in page.content.decode()
    # Prescribers are listed for a unit: none for the trust.
    assert client_for(Role.CORE_GROUP).get(url).status_code == 404


def test_the_chart_file_carries_title_place_period_and_a_legend(dataset, org, client_for):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    svg = client.get(
        reverse("analytics:measure_chart", args=[MEASURE, "svg"]), {"enhet": org["MED-REV"].id}
    ).content.decode()
    assert ">Andel DDD på førstevalg – Område X</text>" in svg
    assert "Sted: Revmatologisk avdeling · Periode: 01.2026–02.2026 · Datamåned: 02.2026" in svg
    for label in ("Revmatologisk avdeling", "Mål", "Avtalestart"):
        assert f">{label}</text>" in svg
    assert "Slik beregnes den: Definerte døgndoser" in svg
    png = client.get(
        reverse("analytics:measure_chart", args=[MEASURE, "png"]), {"enhet": org["MED-REV"].id}
    ).content
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height > 300 * 2) == (760 * 2, True)  # taller than the bare chart
