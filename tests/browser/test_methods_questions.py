"""A clinician asks the core group about a decision; a core-group member answers on the
questions page; the next clinician who opens the method reads the answer. The drug portal shows
the product's Nye metoder status beside its LIS rank."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.methods.models import DecisionStatus
from tests.methods.lookup_builders import add_product, add_substance, link, make_method, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def setup(transactional_db):
    user_create(username="lege", password=PASSWORD, roles=[], first_name="Lege")
    user_create(username="lege2", password=PASSWORD, roles=[], first_name="Annen")
    user_create(username="kjerne", password=PASSWORD, roles=[Role.CORE_GROUP], first_name="Kari")
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    substance = add_substance("S1", "Adalimumab")
    publish(area, [("Revmatoid artritt", 1, add_product("100001", "Amgevita", substance))])
    method = make_method("ID2019_073", "Revmatoid artritt", status=DecisionStatus.CONDITIONS,
                         conditions="at prisen er lik eller lavere enn i dag", area=area)  # fmt: skip
    link(method, substance)
    return method


def _login(page, base, username):
    page.goto(f"{base}/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def _logout(page):
    page.get_by_role("button", name="Logg ut").click()


def test_a_question_is_answered_and_read_by_the_next_clinician(
    live_server, browser, screenshot, page, setup
):
    base = live_server.url
    _login(page, base, "lege")
    page.goto(f"{base}/avtaler/")
    badge = page.get_by_role("link", name="Nye metoder: Innført med vilkår").first
    screenshot("nye-metoder-i-portalen")
    badge.click()
    assert page.locator(".answer-text").inner_text().startswith("Innført for revmatoid artritt")
    page.get_by_label("Spørsmålet ditt").fill("Gjelder vilkåret også ved bytte?")
    page.get_by_role("button", name="Send spørsmålet").click()
    assert "sendt til kjernegruppen" in page.locator(".messages").inner_text()
    _logout(page)

    _login(page, base, "kjerne")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Spørsmål om Nye metoder"
    ).click()
    assert "Gjelder vilkåret også ved bytte?" in page.locator("main").inner_text()
    page.get_by_label("Svar").fill("Ja, også ved bytte.")
    screenshot("nye-metoder-sporsmal")
    page.get_by_role("button", name="Svar og send").click()
    assert "Ingen åpne spørsmål." in page.locator("main").inner_text()
    _logout(page)

    _login(page, base, "lege2")
    page.goto(f"{base}/metoder/{setup.pk}/")
    text = page.locator("main").inner_text()
    assert "Gjelder vilkåret også ved bytte?" in text
    assert "Ja, også ved bytte." in text
    screenshot("nye-metoder-besvart")
