"""What a treatment period costs at the LIS price, compared with the public price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from legemiddel.agreements import pricing
from legemiddel.agreements.models import AgreementLine
from legemiddel.catalogue.models import Package, Price
from legemiddel.catalogue.selectors import current_public_prices


def line(basis: str, ddd_per_pack: str | None = "14", packs: str | None = None) -> AgreementLine:
    package = Package(varenr="012345", ddd_per_pack=Decimal(ddd_per_pack) if ddd_per_pack else None)
    return AgreementLine(
        package=package,
        cost_basis=basis,
        packs_per_period=Decimal(packs) if packs else None,
    )


@pytest.mark.parametrize(
    ("cost_line", "price", "cost"),
    [
        # 4 321,17 kr / 14 DDD = 308,655 kr, rounded half up to whole øre.
        (line("ddd", "14"), "4321.17", Decimal("308.66")),
        # 100 kr / 3 DDD = 33,333… kr.
        (line("ddd", "3"), "100", Decimal("33.33")),
        # 4 321,17 kr x 26 packs a year.
        (line("year", packs="26"), "4321.17", Decimal("112350.42")),
        # 4 321,17 kr x 2,5 packs a course = 10 802,925 kr.
        (line("course", packs="2.5"), "4321.17", Decimal("10802.93")),
        (line("ddd", None), "4321.17", None),
        (line("ddd", "0"), "4321.17", None),
        (line("year", packs=None), "4321.17", None),
        (line("course", packs=None), "4321.17", None),
        (line("ddd", "14"), None, None),
    ],
)
def test_it_works_out_what_a_ddd_a_year_or_a_course_costs(cost_line, price, cost):
    assert pricing.period_cost(cost_line, Decimal(price) if price else None) == cost


def test_it_compares_the_lis_price_with_todays_public_price(imported):
    Price.objects.create(
        package_id="012345",
        type=Price.Type.AIP,
        amount=Decimal("4700.00"),
        valid_from=timezone.localdate() + dt.timedelta(days=1),
    )
    lines = list(imported.lines.filter(package_id="012345").select_related("package"))

    [cost] = pricing.line_costs(lines, current_public_prices({"012345"}))

    assert (cost.lis_price, cost.aip, cost.aup) == (
        Decimal("4321.17"),
        Decimal("4500.00"),
        Decimal("4860.00"),
    )
    assert cost.cost == Decimal("308.66")
    # 4 500,00 kr / 14 DDD = 321,428… kr.
    assert cost.public_cost == Decimal("321.43")
    # 1 - 4 321,17 / 4 500 = 3,974 %.
    assert cost.discount_percent == Decimal("4.0")
