"""The procurement adviser changes a rank from next month, sees what publishing changes, and
publishes; the notice tells the change (before -> after), and past months keep their ranks."""

from __future__ import annotations

import pytest
from django.db.models import F

from legemiddel.agreements.models import Agreement, Notice
from legemiddel.agreements.services import first_of_next_month
from legemiddel.demo.services import DEMO_PASSWORD, demo_load
from legemiddel.lib.formatting import format_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REV = "Revmatologi (RA, SpA, PsA)"


@pytest.fixture
def demo(transactional_db):
    demo_load(usage=False)


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def _change_rank(page, agreement, line, rank, day):
    page.locator(f"a[href='/avtaler/register/{agreement.pk}/linje/{line.pk}/']").first.click()
    page.wait_for_url(f"**/linje/{line.pk}/")
    # From the first of next month unless the adviser says otherwise.
    assert page.locator("#id_effective_from").input_value() == day.isoformat()
    assert page.locator("#id_valid_from").count() == 0
    page.locator("#id_rank").fill(str(rank))
    page.locator("form.form button[type=submit]").first.click()
    page.wait_for_url(f"**/avtaler/register/{agreement.pk}/")
    confirmation = page.get_by_role("status").inner_text()
    assert format_date(day) in confirmation


def test_the_adviser_changes_a_rank_from_next_month_sees_the_impact_and_publishes(
    live_server, page, screenshot, demo
):
    base = live_server.url
    day = first_of_next_month()
    agreement = Agreement.objects.get(title="TNF BIO 2025")
    first = agreement.lines.get(indication_group=REV, patient_group="new", rank=1)
    second = agreement.lines.get(indication_group=REV, patient_group="new", rank=2)
    before = first.package.name_form_strength
    after = second.package.name_form_strength
    _login(page, base, "innkjop")

    page.goto(f"{base}/avtaler/register/")
    # The register's main button is readable: not white on white.
    button = page.locator("a.button[href='/avtaler/register/ny/']")
    colours = button.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours[0] != colours[1]
    assert colours[1] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    screenshot("avtaler-register-knapp")

    page.get_by_role("main").locator("table").get_by_role("link", name="TNF BIO 2025").click()
    _change_rank(page, agreement, second, 1, day)
    _change_rank(page, agreement, first, 2, day)

    # Past months keep the ranking; the new one takes over on the day.
    assert list(
        agreement.lines.filter(indication_group=REV, patient_group="new", rank__lte=2)
        .order_by(F("valid_from").asc(nulls_first=True), "rank")
        .values_list("package_id", "rank", "valid_from")
    ) == [
        (first.package_id, 1, None),
        (second.package_id, 2, None),
        (second.package_id, 1, day),
        (first.package_id, 2, day),
    ]

    # Before publishing: what changes, group by group, and which figures move.
    expected = f"Førstevalg for nye pasienter i {REV}: {before} -> {after} fra {format_date(day)}"
    impact = page.locator("#impact")
    assert expected in impact.locator("#ranking-changes").inner_text()
    assert impact.locator("#impact-none").is_visible()
    screenshot("avtaler-endring-virkning")

    page.locator("#id_note").fill("Biotilsvarende blir førstevalg for nye pasienter.")
    page.locator(f"form[action='/avtaler/register/{agreement.pk}/publiser/'] button").click()
    page.wait_for_url("**/avtaler/utsendelser/*/")
    notice = Notice.objects.get(agreement=agreement, status=Notice.Status.DRAFT)
    body = page.locator("#id_body").input_value()
    assert expected in body
    assert notice.body == body
    # The change is told, not the whole ranking again.
    assert "Inflammatorisk tarmsykdom" not in body
    screenshot("avtaler-endring-varsel")
