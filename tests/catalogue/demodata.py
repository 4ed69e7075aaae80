"""The shipped demo catalogue as the page and API tests see it.

The data is the demo catalogue loaded from its FEST file: 154 active packages, varenr
100001-100154, and 100155, a pack size FEST has withdrawn. A few rows are added or retired with
the ORM where a case needs them.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.utils import timezone

from legemiddel.demo.festgen import DEMO_CSV

HUMIRA_40 = "100001"  # Humira inj penn 40 mg, L04AB04 Adalimumab, H-prescription, no exchange group
HUMIRA_80 = "100002"
HUMIRA_20 = "100003"
HUMIRA_40_X6 = "100155"  # a pack size FEST has withdrawn: in the file, retired
ELIQUIS_5 = "100130"  # Eliquis tab 5 mg, B01AF02 Apixaban, blue prescription, group APIX5-56
APIXABAN_KRKA_5 = "100133"  # the generic in the same exchange group
ACTIVE_PACKAGES = 154


def pin_today(monkeypatch, day: dt.date) -> None:
    """Make ``timezone.localdate()`` (what price periods are judged against) return ``day``."""
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def demo_rows() -> list[dict[str, str]]:
    """The drug list the demo FEST file is generated from."""
    with DEMO_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))
