"""The strict Content-Security-Policy holds in a real browser: the main pages load without a
single violation reported, and what depends on script still works (htmx search and polling,
sortable tables, the filter that submits itself, the server-drawn charts)."""

from __future__ import annotations

import pytest

from legemiddel.demo.services import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "kjernegruppe": [
        "/",
        "/hjelp/",
        "/min-tilgang/",
        "/organisasjon/",
        "/organisasjon/helsepersonell/",
        "/katalog/",
        "/katalog/atc/",
        "/forbruk/",
        "/avtaler/",
        "/avtaler/register/",
        "/avtaler/utsendelser/",
        "/styring/",
        "/styring/moter/ny/",
        "/styring/mine-tiltak/",
        "/analyse/",
        "/analyse/forstevalg-ddd--TNF-BIO/",
        "/analyse/kostnadsdrivere/",
        "/jobber/",
    ],
    "admin": ["/", "/admin/", "/revisjonslogg/", "/api/v1/docs"],
}

# Reported by the page itself, whatever the browser writes to its console.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def demo(transactional_db):
    demo_load()


@pytest.fixture
def problems(page):
    """Console errors and script errors of every page the test opens."""
    found: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def test_the_main_pages_load_without_a_policy_violation(live_server, browser, demo):
    base = live_server.url
    reported: list[str] = []
    opened = 0
    for username, paths in PAGES.items():
        context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on(
            "console",
            lambda message, page=page: (
                reported.append(f"{page.url}: {message.text}")
                if message.type == "error" or "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error, page=page: reported.append(f"{page.url}: {error}"))
        _login(page, base, username)
        for path in paths:
            response = page.goto(base + path)
            assert response is not None
            assert response.status == 200, path
            assert "default-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            opened += 1
        context.close()
    assert opened == sum(len(p) for p in PAGES.values())
    assert reported == [], "\n".join(reported)


def test_a_seeded_violation_is_reported(live_server, page, problems, transactional_db):
    """The positive control: the listener above does see a violation when there is one."""
    page.goto(f"{live_server.url}/logg-inn/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.src = "https://example.invalid/x.js"; document.head.appendChild(s); }"""
    )
    page.wait_for_timeout(500)
    assert any("CSP violation: script-src" in p for p in problems), problems


def test_htmx_search_charts_tables_and_the_source_filter_work_under_the_policy(
    live_server, page, problems, demo
):
    base = live_server.url
    _login(page, base, "kjernegruppe")

    # htmx: the catalogue search updates the results as one types.
    page.goto(f"{base}/katalog/")
    results = page.locator("#package-results")
    before = results.inner_text()
    page.locator("#q").fill("Humira")
    page.wait_for_function(
        "before => document.querySelector('#package-results').innerText !== before", arg=before
    )
    assert "Humira" in results.inner_text()

    # The chart drawn on the server shows on the measure page.
    page.goto(f"{base}/analyse/forstevalg-ddd--TNF-BIO/")
    chart = page.locator("svg[role=img]").first
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 100

    # tables.js: a data table gets sort buttons.
    page.goto(f"{base}/forbruk/")
    assert page.locator("table.table th button.sort-button").count() > 0

    # forms.js: choosing a source submits the filter (it was an inline onchange).
    page.locator("#kilde").select_option("sls")
    page.wait_for_url("**kilde=sls*")

    assert problems == [], "\n".join(problems)
