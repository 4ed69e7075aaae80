"""What a unit leader reads on the follow-up pages: the headline is the newest month that is
not provisional (a 2-row file for a new month does not make it 100 %), the month is named,
counts stand beside the shares, and a prescriber without data that month reads "ingen data"."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.models import MeasureValue
from legemiddel.usage.models import MonthlyUsage
from tests.analytics.dataset import MAR, load_dataset
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _load(org):
    """The shared analytics dataset (January and February), a 2-row SLS file for March, and
    one prescriber whose only start was in December, before the page's month."""
    load_dataset(org)
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=MAR,
            source="sls",
            org_unit_id=org["MED-REV-POL"].id,
            package_id="000002",
            ddd=1,
            amount=10,
            quantity=1,
            rows=1,
        )
        for _ in range(2)
    )
    measures_refresh()
    MeasureValue.objects.create(
        measure="oppstart-forstevalg--X",
        month=dt.date(2025, 12, 1),
        org_unit_id=org["MED-REV-POL"].id,
        prescriber="9100001",
        numerator=0,
        denominator=1,
    )


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def test_a_unit_leader_reads_final_months_with_their_counts(
    live_server, page, screenshot, org, users, settings
):
    settings.ANALYTICS_PROVISIONAL_MONTHS = 2
    _load(org)
    base = live_server.url
    _login(page, base, "unit_leader")
    page.goto(f"{base}/analyse/")
    main = page.locator("main")
    assert "Hele foretaket, 01.2026" in main.inner_text()
    row = main.locator("tr", has_text="Andel DDD på førstevalg – Område X").inner_text()
    assert "50,0\u00a0%" in row
    assert "(50 av 100)" in row
    assert "100,0\u00a0%" not in row
    screenshot("analyse-oversikt-forelopig")

    page.get_by_role("link", name="Andel DDD på førstevalg – Område X").click()
    headline = page.locator("p.headline").inner_text()
    assert headline.startswith("01.2026")
    assert "50,0\u00a0% (50 av 100)" in headline
    figures = page.locator("#table-h").locator("..")
    assert "03.2026 (foreløpig)" in figures.inner_text()
    assert "01.2026 (foreløpig)" not in figures.inner_text()
    # The chart's buttons stay whole, apart and inside their panel, whatever the width.
    names = ("Last ned (XLSX)", "Last ned (CSV)", "Graf (SVG)", "Graf (PNG)")
    for width in (1280, 1100, 900, 700, 500, 400):
        page.set_viewport_size({"width": width, "height": 900})
        panel = page.locator("#chart-h").locator("..").bounding_box()
        assert panel is not None
        boxes = []
        for name in names:
            link = page.get_by_role("link", name=name)
            assert link.evaluate("e => e.getClientRects().length") == 1, (width, name)
            box = link.bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= panel["x"] + panel["width"], (width, name)
            assert box["y"] + box["height"] <= panel["y"] + panel["height"], (width, name)
            boxes.append(box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a["x"] + a["width"] <= b["x"]
                    or b["x"] + b["width"] <= a["x"]
                    or a["y"] + a["height"] <= b["y"]
                    or b["y"] + b["height"] <= a["y"]
                )
                assert apart, (width, a, b)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("analyse-indikator-forelopig")

    page.goto(f"{base}/analyse/oppstart-forstevalg--X/?enhet={org['MED-REV'].id}")
    prescribers = page.locator("#prescribers-h").locator("..")
    assert "01.2026" in prescribers.locator("thead").inner_text()
    cells = prescribers.locator("tbody tr").first.locator("td")
    assert cells.nth(1).inner_text() == "ingen data"
    assert cells.nth(2).inner_text() == "0,0\u00a0% (0 av 1) få tilfeller"
    screenshot("analyse-forskrivere")
