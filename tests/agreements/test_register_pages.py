"""Small things on the register pages that a user trips over: the history in Norwegian, a
confirmation after saving a line, singular and plural, one year named once, and the agreement
page and the list telling the same state of the start-up meeting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.agreements import services
from legemiddel.agreements.models import Agreement
from legemiddel.agreements.services import ImportResult, period_years
from legemiddel.governance import services as governance
from tests.agreements.builders import csv_bytes


def test_the_history_names_patient_groups_in_norwegian(imported, adviser, client):
    client.force_login(adviser)

    page = client.get(reverse("agreements:detail", args=[imported.pk])).content.decode()

    assert "Psoriasis · nye pasienter · rang 1 · 045678" in page
    assert "· new ·" not in page
    assert "· all ·" not in page
    assert "· switch ·" not in page


def test_saving_a_line_is_confirmed(agreement, adviser, client):
    client.force_login(adviser)
    url = reverse("agreements:line_new", args=[agreement.pk])

    page = client.post(
        url,
        {
            "indication_group": "Revmatoid artritt",
            "patient_group": "all",
            "rank": "1",
            "package": "034567",
            "cost_basis": "ddd",
        },
        follow=True,
    )

    assert page.redirect_chain[-1][0] == reverse("agreements:detail", args=[agreement.pk])
    messages = [str(m) for m in page.context["messages"]]
    assert len(messages) == 1
    assert "Revmatoid artritt 1 (034567)" in messages[0]
    assert agreement.lines.filter(package_id="034567").exists()


def test_one_product_in_one_group_is_told_in_the_singular(agreement, adviser):
    result = services.agreement_import_lines(
        agreement=agreement,
        data=csv_bytes("Revmatoid artritt;alle;1;012345;;;;ddd;"),
        file_name="en.csv",
        actor=adviser,
    )

    assert result.as_text() == "1 produkt i 1 indikasjonsgruppe importert."
    assert ImportResult(3, 2).as_text() == "3 produkter i 2 indikasjonsgrupper importert."
    assert agreement.changes.first().summary == (
        "produkter importert fra en.csv: 1 produkt i 1 indikasjonsgruppe importert."
    )


def test_a_one_year_agreement_is_named_with_one_year():
    assert period_years(dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == "2027"
    assert period_years(dt.date(2027, 2, 1), dt.date(2028, 1, 31)) == "2027–2028"


@pytest.mark.django_db
def test_no_demo_agreement_names_the_same_year_twice():
    from legemiddel.demo.services import demo_load

    demo_load(usage=False)

    for title in Agreement.objects.values_list("title", flat=True):
        for first, second in re.findall(r"(\d{4})–(\d{4})", title):
            assert first != second, title


def test_the_agreement_page_tells_the_meeting_state_as_the_list_does(agreement, adviser, client):
    meeting = governance.startup_meeting_ensure(agreement=agreement)
    meeting.scheduled_at = timezone.now() - dt.timedelta(days=1)
    meeting.save(update_fields=["scheduled_at"])
    governance.meeting_record_minutes(
        meeting=meeting, actor=adviser, minutes="Gjennomgått.", attended=[]
    )
    client.force_login(adviser)

    listing = client.get(reverse("agreements:register")).content.decode()
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()

    assert "referat registrert" in listing
    facts = page[page.index('id="facts-h"') : page.index('id="publish-h"')]
    assert "referat registrert" in facts
    assert "frist" not in facts


def test_the_register_button_is_not_a_white_chip(db, adviser, client):
    client.force_login(adviser)

    page = client.get(reverse("agreements:register")).content.decode()

    bar = re.search(r'<p class="([^"]+)"><a class="button" href="/avtaler/register/ny/"', page)
    assert bar is not None
    assert bar.group(1) != "chip-bar"
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "src/legemiddel/core/static/legemiddel/css/app.css"
    ).read_text()
    assert f".{bar.group(1)} " in css
