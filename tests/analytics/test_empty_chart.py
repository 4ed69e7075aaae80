"""A measure with no figures yet: its chart files say so instead of failing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics import charts

KEY = "forstevalg-ddd--X"


@pytest.fixture
def no_figures(dataset):
    """The area's measures exist, but nothing has been computed for them yet."""
    return dataset


def test_the_png_of_a_measure_without_figures_is_an_image_that_says_there_are_none(
    no_figures, client_for
):
    client = client_for(Role.CORE_GROUP)

    png = client.get(reverse("analytics:measure_chart", args=[KEY, "png"]))

    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_the_svg_of_a_measure_without_figures_names_the_measure_and_says_there_are_none(
    no_figures, client_for
):
    client = client_for(Role.CORE_GROUP)

    svg = client.get(reverse("analytics:measure_chart", args=[KEY, "svg"]))

    assert svg.status_code == 200
    text = svg.content.decode()
    assert text.startswith("<svg")
    assert charts.NO_DATA in text
    assert "Førstevalg" in text or "førstevalg" in text


def test_the_measure_page_without_figures_shows_the_empty_chart(no_figures, client_for):
    page = client_for(Role.CORE_GROUP).get(reverse("analytics:measure", args=[KEY]))

    assert page.status_code == 200
    assert charts.NO_DATA in page.content.decode()


def test_an_empty_chart_is_still_an_accessible_image():
    svg = charts.line_chart(title="Andel <førstevalg>", series=[], months=[], percent=True)

    assert 'role="img"' in svg
    assert '<title id="chart-title">Andel &lt;førstevalg&gt;: ' in svg
    assert charts.png(svg).startswith(b"\x89PNG")
