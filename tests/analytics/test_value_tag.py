"""``{% verdi %}`` shows a measure value exactly as the included template it replaced did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from legemiddel.analytics.selectors import Point

# The template the tag replaced (analytics/_value.html), kept here as the reference.
REFERENCE = (
    "{% load i18n %}{% if point and point.value is not None %}<span{% if counts and share and "
    'point.few %} class="muted"{% endif %}>{% if share %}{{ point.value|andel }}{% elif basis == '
    '"nok" %}{{ point.value|nok:0 }}{% else %}{{ point.value|tall }}{% endif %}</span>{% if '
    'counts and share %} <span class="muted counts">({{ point.numerator|tall }} {% translate '
    '"of" %} {{ point.denominator|tall }})</span>{% if point.few %} <span class="muted '
    'few-cases">{% translate "few cases" %}</span>{% endif %}{% endif %}{% else %}<span '
    'class="muted no-data">{% translate "no data" %}</span>{% endif %}'
)
TAG = "{% load measure_values %}{% verdi point share=share basis=basis counts=counts %}"
MONTH = dt.date(2026, 3, 1)

CASES = [
    Point(MONTH, 3, 12, share=True),  # a share from few cases
    Point(MONTH, 634, 1000, share=True),
    Point(MONTH, 0, 0, share=True),  # no denominator: no value
    Point(MONTH, 1234567.891, 0, share=False),
    Point(MONTH, 12.5, 0, share=False),
    None,
]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("point", CASES)
@pytest.mark.parametrize(
    ("share", "basis", "counts"),
    [(True, "ddd", True), (True, "ddd", False), (False, "nok", False), (False, "ddd", True)],
)
def test_it_renders_like_the_template_it_replaced(language, point, share, basis, counts):
    context = {"point": point, "share": share, "basis": basis, "counts": counts}
    with translation.override(language):
        expected = Template(REFERENCE).render(Context(context))
        assert Template(TAG).render(Context(context)) == expected


def test_a_share_from_few_cases_is_muted_and_marked(settings):
    settings.ANALYTICS_SMALL_DENOMINATOR = 20
    html = Template(TAG).render(
        Context({"point": CASES[0], "share": True, "basis": "ddd", "counts": True})
    )
    assert html.startswith('<span class="muted">25,0\u00a0%</span>')
    assert '<span class="muted counts">(3 av 12)</span>' in html
    assert 'few-cases">' in html
