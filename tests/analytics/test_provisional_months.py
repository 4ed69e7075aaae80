"""Provisional months: the newest ``ANALYTICS_PROVISIONAL_MONTHS`` months are marked as such
everywhere, and headlines and the monthly e-mail use the newest month that is not."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measures_refresh
from legemiddel.analytics.selectors import headline_month, provisional_from
from legemiddel.usage.models import MonthlyUsage
from tests.analytics.dataset import FEB, JAN, MAR

MEASURE = "forstevalg-ddd--X"


@pytest.fixture
def partial_month(dataset, org, settings):
    """January and February as in the shared dataset, then a 2-row SLS file for March: first
    choice only, so March alone reads 100 %."""
    settings.ANALYTICS_PROVISIONAL_MONTHS = 2
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=MAR,
            source="sls",
            org_unit_id=org["MED-REV-POL"].id,
            package_id="000002",  # first choice from February
            ddd=ddd,
            amount=ddd * 10,
            quantity=1,
            rows=1,
        )
        for ddd in (1, 1)
    )
    measures_refresh()
    return dataset


def _row(html: str, title: str) -> str:
    return next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if title in r)


def test_the_rule_is_a_setting(settings):
    settings.ANALYTICS_PROVISIONAL_MONTHS = 2
    assert provisional_from(MAR) == FEB
    assert headline_month(MAR) == JAN
    settings.ANALYTICS_PROVISIONAL_MONTHS = 3
    assert provisional_from(MAR) == JAN
    assert headline_month(MAR) == dt.date(2025, 12, 1)
    settings.ANALYTICS_PROVISIONAL_MONTHS = 0
    assert provisional_from(MAR) is None
    assert headline_month(MAR) == MAR


def test_a_partial_month_does_not_become_the_overviews_headline(partial_month, client_for):
    page = client_for(Role.CORE_GROUP).get(reverse("analytics:index")).content.decode()
    row = _row(page, "Andel DDD på førstevalg – Område X")
    # January, the newest month that is not provisional: 50 of 100 DDD on first choice.
    assert "50,0\u00a0%" in row
    assert "100,0\u00a0%" not in row
    assert "Hele foretaket, 01.2026" in page  # the page says which month
    assert "foreløpig" in page
    export = client_for(Role.CORE_GROUP).get(reverse("analytics:index_table", args=["csv"]))
    line = next(x for x in export.content.decode().splitlines() if "Område X" in x and "DDD" in x)
    assert "2026-01-01" in line or "01.2026" in line


def test_the_measure_page_leads_with_the_newest_final_month_and_marks_the_rest(
    partial_month, client_for
):
    page = client_for(Role.CORE_GROUP).get(reverse("analytics:measure", args=[MEASURE]))
    text = page.content.decode()
    headline = re.search(r'<p class="headline">(.*?)</p>', text, re.S)
    assert headline is not None
    assert "01.2026" in headline.group(1)
    assert "50,0\u00a0%" in headline.group(1)
    # The table under the chart marks February and March as provisional, not January.
    rows = re.findall(r"<tr[^>]*><td>(\d\d\.\d{4})([^<]*)</td>", text)
    marked = {month: "(foreløpig)" in rest for month, rest in rows}
    assert marked == {"03.2026": True, "02.2026": True, "01.2026": False}
    svg = client_for(Role.CORE_GROUP).get(reverse("analytics:measure_chart", args=[MEASURE, "svg"]))
    assert "Foreløpige tall" in svg.content.decode()


def test_the_monthly_email_uses_the_newest_final_month_and_names_the_provisional_ones(
    partial_month, users
):
    from django.core import mail

    from legemiddel.analytics.alerts import alerts_send
    from legemiddel.analytics.models import AlertDelivery

    leader = users[Role.UNIT_LEADER]  # leads MED-REV
    leader.email = "leder@example.org"
    leader.save()
    mail.outbox.clear()
    assert alerts_send() == (1, 0)
    body = mail.outbox[0].body
    assert "01.2026, den nyeste måneden som ikke er foreløpig" in body
    assert "Foreløpige måneder, ikke tatt med fordi tallene kan endre seg: 02.2026, 03.2026" in body
    # January at MED-REV: 50 of 100 DDD, below the 80 % target (March's 100 % is not used).
    assert "Revmatologisk avdeling: Andel DDD på førstevalg – Område X: 50,0" in body
    assert AlertDelivery.objects.get(user=leader).month == JAN
