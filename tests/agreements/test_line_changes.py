"""A change to a published agreement applies from a day on, so past months' figures stay as
they were; correcting the past is a separate, deliberate action with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from legemiddel.agreements import services
from legemiddel.agreements.models import AgreementChange, AgreementLine
from legemiddel.analytics.engine import ranks_by_month
from legemiddel.core.models import AuditEvent
from tests.agreements.builders import counts

TODAY = dt.date(2026, 12, 1)
NOV, JAN = dt.date(2026, 11, 1), dt.date(2027, 1, 1)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def published(notice):
    agreement = notice.agreement
    assert agreement.version == 1
    return agreement


def periods(agreement, varenr):
    return list(
        AgreementLine.objects.filter(agreement=agreement, package_id=varenr)
        # Lines without a start (from the agreement's start) first, on both databases.
        .order_by(F("valid_from").asc(nulls_first=True))
        .values_list("rank", "valid_from", "valid_to")
    )


def test_a_rank_change_applies_from_the_first_of_next_month_and_past_months_keep_theirs(
    published, adviser
):
    line = published.lines.get(package_id="023456")
    line.rank = 1

    saved = services.line_save(
        line=line, actor=adviser, price_visible=True, lis_price=line.lis_price
    )

    assert saved.valid_from == JAN
    assert periods(published, "023456") == [(2, None, dt.date(2026, 12, 31)), (1, JAN, None)]
    # The price goes with the line into its new period.
    assert saved.lis_price == Decimal("3987.65")
    ranks = ranks_by_month(published.area, [NOV, JAN])
    assert ranks[NOV] == {"012345": 1, "023456": 2, "045678": 1}
    assert ranks[JAN] == {"012345": 1, "023456": 1, "045678": 1}
    change = published.changes.first()
    assert change.summary == "endret linje Revmatoid artritt rang 1 (023456) fra 01.01.2027"
    assert change.changes == [
        {"field": "rank", "label": "rang", "old": "2", "new": "1", "price": False}
    ]
    assert change.correction is False
    published.refresh_from_db()
    assert published.has_unpublished_changes is True


def test_it_takes_a_later_day_the_adviser_chooses(published, adviser):
    line = published.lines.get(package_id="012345")
    line.rank = 2

    services.line_save(
        line=line,
        actor=adviser,
        price_visible=True,
        lis_price=line.lis_price,
        effective_from=dt.date(2027, 3, 15),
    )

    assert periods(published, "012345") == [
        (1, None, dt.date(2027, 3, 14)),
        (2, dt.date(2027, 3, 15), None),
    ]


def test_it_refuses_a_day_that_has_passed_and_writes_nothing(published, adviser):
    before = counts()
    line = published.lines.get(package_id="023456")
    line.rank = 1

    with pytest.raises(ValidationError) as caught:
        services.line_save(
            line=line,
            actor=adviser,
            price_visible=True,
            lis_price=line.lis_price,
            effective_from=dt.date(2026, 11, 30),
        )

    assert list(caught.value.message_dict) == ["effective_from"]
    assert "Rett en feil tilbake i tid" in caught.value.message_dict["effective_from"][0]
    assert counts() == before
    assert periods(published, "023456") == [(2, None, None)]


def test_text_changes_stay_in_place(published, adviser):
    line = published.lines.get(package_id="023456")
    line.dosing = "40 mg annenhver uke"

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=line.lis_price)

    assert periods(published, "023456") == [(2, None, None)]
    line.refresh_from_db()
    assert line.dosing == "40 mg annenhver uke"


def test_a_new_line_in_a_published_agreement_starts_on_its_day(published, adviser):
    line = AgreementLine(
        agreement=published, package_id="034567", indication_group="Revmatoid artritt", rank=3
    )

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=None)

    assert periods(published, "034567") == [(3, JAN, None)]
    assert published.changes.first().summary == (
        "ny linje Revmatoid artritt rang 3 (034567) fra 01.01.2027"
    )


def test_removing_a_published_line_ends_it_the_day_before(published, adviser):
    line = published.lines.get(package_id="045678")

    services.line_delete(line=line, actor=adviser)

    assert periods(published, "045678") == [(1, None, dt.date(2026, 12, 31))]
    assert published.changes.first().summary == (
        "avsluttet linje Psoriasis rang 1 (045678) fra 01.01.2027"
    )


def test_a_draft_is_still_edited_in_place(imported, adviser):
    line = imported.lines.get(package_id="023456")
    line.rank = 1

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=line.lis_price)

    assert periods(imported, "023456") == [(1, None, None)]


# --- correcting the past --------------------------------------------------------------------


def test_a_correction_changes_the_line_back_in_time_with_its_reason_and_is_audited(
    published, adviser
):
    line = published.lines.get(package_id="023456")
    line.rank = 1

    services.line_correct(
        line=line,
        actor=adviser,
        reason="Feil rang registrert fra anbudet",
        price_visible=True,
        lis_price=line.lis_price,
    )

    assert periods(published, "023456") == [(1, None, None)]
    assert ranks_by_month(published.area, [NOV])[NOV]["023456"] == 1
    change = AgreementChange.objects.filter(agreement=published).first()
    assert (change.correction, change.reason) == (True, "Feil rang registrert fra anbudet")
    assert change.summary == "rettet linje tilbake i tid: Revmatoid artritt rang 1 (023456)"
    event = AuditEvent.objects.order_by("-id").first()
    assert "Feil rang registrert fra anbudet" in event.detail
    assert "tilbake i tid" in event.detail


def test_a_correction_needs_a_reason(published, adviser):
    before = counts()
    line = published.lines.get(package_id="023456")
    line.rank = 1

    with pytest.raises(ValidationError) as caught:
        services.line_correct(
            line=line, actor=adviser, reason="  ", price_visible=True, lis_price=line.lis_price
        )

    assert list(caught.value.message_dict) == ["reason"]
    assert counts() == before


# --- the pages --------------------------------------------------------------------------------


def test_the_line_page_of_a_published_agreement_asks_from_when(published, adviser, client):
    client.force_login(adviser)
    line = published.lines.get(package_id="023456")
    url = reverse("agreements:line_edit", args=[published.pk, line.pk])

    page = client.get(url).content.decode()

    assert 'name="effective_from"' in page
    assert 'value="2027-01-01"' in page
    assert 'name="valid_from"' not in page
    assert reverse("agreements:line_correct", args=[published.pk, line.pk]) in page


def test_the_line_page_refuses_a_past_day_and_confirms_a_saved_change(published, adviser, client):
    client.force_login(adviser)
    line = published.lines.get(package_id="023456")
    url = reverse("agreements:line_edit", args=[published.pk, line.pk])
    data = {
        "indication_group": "Revmatoid artritt",
        "patient_group": "all",
        "rank": "1",
        "package": "023456",
        "cost_basis": "year",
        "packs_per_period": "26",
        "lis_price": "3987.65",
    }

    refused = client.post(url, data | {"effective_from": "2026-11-01"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["effective_from"]
    assert periods(published, "023456") == [(2, None, None)]

    saved = client.post(url, data | {"effective_from": "2027-02-01"}, follow=True)

    assert saved.redirect_chain[-1][0] == reverse("agreements:detail", args=[published.pk])
    assert periods(published, "023456") == [
        (2, None, dt.date(2027, 1, 31)),
        (1, dt.date(2027, 2, 1), None),
    ]
    messages = [str(m) for m in saved.context["messages"]]
    assert len(messages) == 1
    assert "01.02.2027" in messages[0]
    assert "01.02.2027" in saved.content.decode()


def test_the_correction_page_needs_a_reason_and_marks_the_history(published, adviser, client):
    client.force_login(adviser)
    line = published.lines.get(package_id="023456")
    url = reverse("agreements:line_correct", args=[published.pk, line.pk])
    data = {
        "indication_group": "Revmatoid artritt",
        "patient_group": "all",
        "rank": "1",
        "package": "023456",
        "cost_basis": "year",
        "packs_per_period": "26",
        "lis_price": "3987.65",
    }

    refused = client.post(url, data | {"reason": ""})
    assert refused.status_code == 200
    assert periods(published, "023456") == [(2, None, None)]

    done = client.post(url, data | {"reason": "Rangen var feil fra start"}, follow=True)

    assert periods(published, "023456") == [(1, None, None)]
    page = done.content.decode()
    assert "Rangen var feil fra start" in page
    assert 'class="badge"' in page


def test_the_line_page_ends_a_published_line_from_the_day_given(published, adviser, client):
    client.force_login(adviser)
    line = published.lines.get(package_id="045678")
    url = reverse("agreements:line_delete", args=[published.pk, line.pk])

    refused = client.post(url, {"end-effective_from": "2026-06-01"}, follow=True)

    assert periods(published, "045678") == [(1, None, None)]
    assert len(list(refused.context["messages"])) == 1

    client.post(url, {"end-effective_from": "2027-04-01"})

    assert periods(published, "045678") == [(1, None, dt.date(2027, 3, 31))]
