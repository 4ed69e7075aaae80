"""Before publishing a change the adviser sees what it changes (ranking and figures, before ->
after); the notice of a change says what changed, not the whole ranking again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.agreements import services
from legemiddel.agreements.changes import ranking_changes
from legemiddel.agreements.impact import agreement_impact
from legemiddel.analytics.models import MeasureValue
from legemiddel.usage.models import MonthlyUsage

TODAY = dt.date(2026, 12, 1)
NOV, JAN = dt.date(2026, 11, 1), dt.date(2027, 1, 1)
SHARE = "Andel DDD på førstevalg – TNF BIO"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def published(notice):
    return notice.agreement


@pytest.fixture
def usage(published, org):
    """November 2026: the poliklinikk mostly on Hyrimoz, the day unit mostly on Amgevita."""
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    rows = [(pol, "012345", 80), (pol, "023456", 20), (dag, "012345", 10), (dag, "023456", 90)]
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=NOV, source="sls", org_unit_id=u, package_id=v, ddd=d, amount=d, quantity=1
        )
        for u, v, d in rows
    )


def swap_first_choice(agreement, adviser, *, correct: bool = False):
    for varenr, rank in (("023456", 1), ("012345", 2)):
        line = agreement.lines.get(package_id=varenr, valid_to__isnull=True)
        line.rank = rank
        if correct:
            services.line_correct(
                line=line,
                actor=adviser,
                reason="Rangene var byttet om",
                price_visible=True,
                lis_price=line.lis_price,
            )
        else:
            services.line_save(
                line=line, actor=adviser, price_visible=True, lis_price=line.lis_price
            )


def test_the_changes_say_which_group_changes_first_choice_from_when(published, adviser):
    swap_first_choice(published, adviser)

    changes = ranking_changes(published)

    assert [c.as_text() for c in changes] == [
        "Førstevalg for alle pasienter i Revmatoid artritt: Hyrimoz inj 40 mg -> "
        "Amgevita inj 40 mg fra 01.01.2027"
    ]


def test_the_notice_of_a_change_tells_the_change_not_the_whole_ranking(published, adviser):
    swap_first_choice(published, adviser)

    notice = services.agreement_publish(agreement=published, actor=adviser)

    assert notice.subject == "Endret LIS-anbefaling: TNF BIO 2026"
    assert (
        "Førstevalg for alle pasienter i Revmatoid artritt: Hyrimoz inj 40 mg -> "
        "Amgevita inj 40 mg fra 01.01.2027"
    ) in notice.body
    # The unchanged group is not repeated.
    assert "Benepali" not in notice.body
    assert "Psoriasis" not in notice.body
    # Published: nothing more to tell.
    assert ranking_changes(published) == []


def test_a_change_from_next_month_moves_no_figure_of_a_month_with_data(published, adviser, usage):
    swap_first_choice(published, adviser)

    assert agreement_impact(published) == []


def test_a_correction_back_in_time_shows_the_figures_it_moves_before_and_after(
    published, adviser, usage
):
    swap_first_choice(published, adviser, correct=True)

    rows = {(r.measure, r.place, r.month): (r.before, r.after) for r in agreement_impact(published)}

    assert rows[(SHARE, "Foretaket", NOV)] == ("45,0\u00a0%", "55,0\u00a0%")
    assert rows[(SHARE, "Revmatologisk poliklinikk", NOV)] == ("80,0\u00a0%", "20,0\u00a0%")
    assert rows[(SHARE, "Revmatologisk dagbehandling", NOV)] == ("10,0\u00a0%", "90,0\u00a0%")
    # A preview: the stored figures are untouched.
    assert not MeasureValue.objects.exists()


def test_the_agreement_page_shows_the_impact_before_the_publish_button(
    published, adviser, usage, client
):
    swap_first_choice(published, adviser, correct=True)
    client.force_login(adviser)

    page = client.get(reverse("agreements:detail", args=[published.pk])).content.decode()

    assert 'id="impact-table"' in page
    assert "Revmatologisk poliklinikk" in page
    assert "80,0\u00a0%" in page
    assert "20,0\u00a0%" in page
    assert "Hyrimoz inj 40 mg -&gt; Amgevita inj 40 mg" in page
    assert page.index('id="impact"') < page.index(
        reverse("agreements:publish", args=[published.pk])
    )
