"""``{% verdi point share=... basis=... counts=... %}``: one measure value as the pages show it.

A tag rather than an included template: the start page, the overview and the measure pages
show hundreds of values, and an ``{% include %}`` per value was a large share of their
rendering time.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from legemiddel.lib.formatting import format_nok, format_number, format_share

register = template.Library()


@register.simple_tag
def verdi(point: Any, share: bool = False, basis: str = "", counts: bool = False) -> SafeString:
    """The value (a share, kroner or a number); with ``counts``, a share's numerator and
    denominator and the few-cases note; "no data" for a month without a value."""
    value = getattr(point, "value", None) if point else None
    if value is None:
        return format_html('<span class="muted no-data">{}</span>', gettext("no data"))
    if share:
        text = format_share(value)
    elif basis == "nok":
        text = format_nok(value, 0)
    else:
        text = format_number(value, 0)
    muted = ' class="muted"' if counts and share and point.few else ""
    html = format_html("<span{}>{}</span>", SafeString(muted), text)
    if counts and share:
        html += format_html(
            ' <span class="muted counts">({} {} {})</span>',
            format_number(point.numerator, 0),
            gettext("of"),
            format_number(point.denominator, 0),
        )
        if point.few:
            html += format_html(' <span class="muted few-cases">{}</span>', gettext("few cases"))
    return SafeString(html)
