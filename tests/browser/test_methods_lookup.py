"""A prescriber (a logged-in user without special roles) looks a substance up in Nye metoder as
they type, opens the result and reads whether it is introduced for an indication."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.accounts.services import user_create
from legemiddel.methods.models import DecisionStatus
from tests.methods.lookup_builders import make_method

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def decisions(transactional_db):
    user_create(username="lege", password=PASSWORD, roles=[], first_name="Lege")
    make_method("ID2019_073", "Revmatoid artritt", effective_from=dt.date(2024, 3, 1))
    make_method("ID2019_073", "Plakkpsoriasis hos barn", status=DecisionStatus.NOT_INTRODUCED)
    make_method("ID2020_011", "Primært Sjøgrens syndrom", substance="Ianalumab", trade="",
                status=DecisionStatus.ASSESSMENT)  # fmt: skip


def test_a_prescriber_looks_up_a_substance_and_reads_the_answer(
    live_server, page, screenshot, decisions
):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Brukernavn").fill("lege")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Nye metoder", exact=True
    ).click()
    box = page.get_by_label("Virkestoff, handelsnavn, indikasjon eller metode-ID")
    box.press_sequentially("ADALIM", delay=30)
    page.wait_for_url("**q=ADALIM*")  # the list updated without a page load
    results = page.locator("#method-results")
    results.get_by_role("link", name="Revmatoid artritt").wait_for()
    text = results.inner_text()
    assert "Plakkpsoriasis hos barn" in text
    assert "Ikke innført" in text
    assert "Sjøgren" not in text
    screenshot("nye-metoder-sok")

    box.fill("")
    box.press_sequentially("sjøgren", delay=30)
    results.get_by_role("link", name="Primært Sjøgrens syndrom").wait_for()
    assert "Revmatoid" not in results.inner_text()

    box.fill("")
    box.press_sequentially("2019_073", delay=30)
    results.get_by_role("link", name="Revmatoid artritt").click()
    answer = page.locator(".answer-text").inner_text()
    assert answer == "Innført for revmatoid artritt fra 01.03.2024."
    assert page.get_by_role("link", name="ID2019_073 på nyemetoder.no").is_visible()
    screenshot("nye-metoder-svar")
