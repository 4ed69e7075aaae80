"""Norwegian (nb-NO) formatting of numbers, money and dates.

Reports leave the system as screens, CSV and e-mail; all of them use these functions so a
figure reads the same everywhere: ``1 234 567,89 kr``, ``22.11.2026``, ``22.11.2026 14:05``
and ``03.2026``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"


def _to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None
    # NaN and infinity cannot be rounded (quantize raises); show them as blank like bad input.
    return number if number.is_finite() else None


def format_number(value: object, decimals: int = 0) -> str:
    """Group thousands with a non-breaking space and use a decimal comma.

    ``format_number(1234567.891, 2)`` gives ``"1 234 567,89"``; ``None`` gives ``""``.
    """
    number = _to_decimal(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = NBSP.join(groups)
    if decimals > 0:
        result = f"{result},{fraction}"
    # The Unicode minus sign reads better and does not break across lines.
    return f"\u2212{result}" if sign else result


def format_nok(value: object, decimals: int = 2) -> str:
    """Money in Norwegian kroner: ``1 234 567,89 kr``."""
    text = format_number(value, decimals)
    return f"{text}{NBSP}kr" if text else ""


def _local(value: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.localtime(value) if timezone.is_aware(value) else value


def _as_date(value: dt.date | str) -> dt.date:
    # Published snapshots keep their dates as ISO text (JSON has no date type).
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def format_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as ``22.11.2026`` (local date for aware datetimes; ISO text is read first)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    return _as_date(value).strftime("%d.%m.%Y")


def format_datetime(value: dt.datetime | dt.date | None) -> str:
    """A point in time as ``22.11.2026 14:05`` in local time (a plain date has no time)."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    return _local(value).strftime("%d.%m.%Y %H:%M")


def format_month(value: dt.date | None, *, named: bool = False) -> str:
    """A month as ``03.2026``, or with ``named`` as ``mars 2026`` (in the active language)."""
    if value is None:
        return ""
    if named:
        from django.utils.formats import date_format

        return date_format(value, "YEAR_MONTH_FORMAT")
    return value.strftime("%m.%Y")


def format_quantity(value: object, max_decimals: int = 4) -> str:
    """A measured quantity with only the decimals it needs: ``0,07``, ``2``, ``1 000,5``."""
    number = _to_decimal(value)
    if number is None:
        return ""
    text = format_number(number, max_decimals)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def format_share(value: object, decimals: int = 1) -> str:
    """A share (0.634) as a percentage: ``63,4 %``."""
    number = _to_decimal(value)
    if number is None:
        return ""
    return f"{format_number(number * 100, decimals)}{NBSP}%"


def format_import_summary(
    label: str,
    period: tuple[dt.date | None, dt.date | None],
    imported: str,
    *,
    rejected: tuple[int, str] = (0, ""),
    replaced: tuple[int, str] = (0, ""),
) -> str:
    """What an import did, in one sentence, the same way for every import of monthly data:
    the label, the months (from and to, with an en dash), what was imported, then the rows
    rejected and the earlier rows replaced (``rejected`` and ``replaced`` are a count and the
    words after it; a count of 0 leaves its part out)."""
    start, end = period
    text = f"{label} {format_month(start)}–{format_month(end)}: {imported} importert"
    if rejected[0]:
        text += f", {format_number(rejected[0])} {rejected[1]}"
    if replaced[0]:
        text += f"; {format_number(replaced[0])} {replaced[1]}"
    return text + "."
