"""Template filters for Norwegian formatting (loaded as a builtin in every template)."""

from __future__ import annotations

import datetime as dt

from django import template

from legemiddel.lib.formatting import (
    format_date,
    format_datetime,
    format_month,
    format_nok,
    format_number,
    format_quantity,
    format_share,
)

register = template.Library()


@register.filter
def nok(value: object, decimals: int = 2) -> str:
    """``{{ amount|nok }}`` gives ``1 234 567,89 kr``."""
    return format_nok(value, int(decimals))


@register.filter
def tall(value: object, decimals: int = 0) -> str:
    """``{{ count|tall }}`` gives ``25 119``."""
    return format_number(value, int(decimals))


@register.filter
def dato(value: dt.date | dt.datetime | str | None) -> str:
    """``{{ day|dato }}`` gives ``22.11.2026`` (also from ISO text, as in published snapshots)."""
    return format_date(value)


@register.filter
def tidspunkt(value: dt.datetime | None) -> str:
    """``{{ job.started_at|tidspunkt }}`` gives ``22.11.2026 14:05`` (local time)."""
    return format_datetime(value)


@register.filter
def maaned(value: dt.date | None, style: str = "") -> str:
    """``{{ month|maaned }}`` gives ``03.2026``; ``{{ month|maaned:"navn" }}`` gives ``mars 2026``."""
    return format_month(value, named=style == "navn")


@register.filter
def mengde(value: object) -> str:
    """``{{ ddd|mengde }}`` gives ``0,07`` or ``2``: only the decimals the quantity needs."""
    return format_quantity(value)


@register.filter
def andel(value: object) -> str:
    """``{{ 0.634|andel }}`` gives ``63,4 %``."""
    return format_share(value)


@register.filter
def prosentpoeng(value: object) -> str:
    """``{{ 0.032|prosentpoeng }}`` gives ``+3,2 pp``: the change of a share, with its sign."""
    if value is None or value == "":
        return ""
    points = float(value) * 100  # type: ignore[arg-type]
    text = format_number(points, 1)
    return f"+{text}\u00a0pp" if points > 0 else f"{text}\u00a0pp"
