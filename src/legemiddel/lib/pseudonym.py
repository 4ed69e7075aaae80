"""Fødselsnummer in, keyed pseudonym out: the only place a clear patient number is handled.

A pseudonym is HMAC-SHA256 of the 11 digits under ``PSEUDONYM_KEY`` (from the environment or a
key file, never the database). The same person gets the same pseudonym in every source, so
H-resept and DIPS data can be joined, but the number cannot be recovered without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from stdnum.no import fodselsnummer

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def fnr_problem(value: str) -> str | None:
    """Why ``value`` is not a valid fødselsnummer, D-number, H-number or synthetic test number,
    or ``None`` if it is one. The reason never repeats the number."""
    digits = value.strip().replace(" ", "")
    if len(digits) != 11 or not digits.isdigit():
        return "Fødselsnummeret skal ha 11 sifre."
    if (
        fodselsnummer.calc_check_digit1(digits[:9]) != digits[9]
        or fodselsnummer.calc_check_digit2(digits[:10]) != digits[10]
    ):
        return "Fødselsnummeret har feil kontrollsiffer."
    day, month = int(digits[:2]), int(digits[2:4])
    if day > 40:  # D-number
        day -= 40
    if month > 80:  # synthetic test population
        month -= 80
    elif month > 40:  # H-number
        month -= 40
    if not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
        return "Fødselsnummeret har ikke en gyldig fødselsdato."
    return None


def pseudonym_key() -> bytes:
    key = getattr(settings, "PSEUDONYM_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "PSEUDONYM_KEY (or PSEUDONYM_KEY_FILE) must be set to import patient-level data."
        )
    return str(key).encode()


def pseudonymise(fnr: str, key: bytes | None = None) -> str:
    """The pseudonym of a valid fødselsnummer (64 hex characters)."""
    digits = fnr.strip().replace(" ", "")
    return hmac.new(key or pseudonym_key(), digits.encode(), hashlib.sha256).hexdigest()
