"""Synthetic usage files for the demo: SLS, H-resept and DIPS as the sources would deliver them.

Three years (November 2023 to October 2026) of a Bergen-like trust. Patients start treatment
courses for an indication at a unit, get their drug on H-resept (self-injected, dispensed at
pharmacies) or in hospital (infusions and eye injections, administered and sold to the unit by
the hospital pharmacy), switch brand when a tender (LIS agreement) changes the preferred product,
and sometimes switch substance or stop. A few units follow the recommendations poorly: they keep
the old brand and start new patients on it, and their DIPS administrations more often lack the
codes the episode should carry. Everything is seeded: the same seed gives byte-identical files.

Patient numbers are synthetic test numbers (month + 80, some D-numbers with day + 40) with valid
check digits, so they pass validation and can never be a real person's number.
Split by responsibility: :mod:`.reference` (the trust: period, units, doctors, drugs),
:mod:`.treatments` (regimens, indications, ward stock, tenders), :mod:`.simulation` (patients and
their dispensings, administrations and sales), :mod:`.files` (writing the files).
"""

from legemiddel.demo.usage_data.files import (
    HRESEPT_HEADER,
    SLS_HEADER,
    DemoFile,
    generate_usage_files,
)
from legemiddel.demo.usage_data.reference import (
    END,
    PHARMACIES,
    PRESCRIBER_HPR,
    START,
    USAGE_GROUP,
    read_doctors,
    read_drugs,
)

__all__ = [
    "END",
    "HRESEPT_HEADER",
    "PHARMACIES",
    "PRESCRIBER_HPR",
    "SLS_HEADER",
    "START",
    "USAGE_GROUP",
    "DemoFile",
    "generate_usage_files",
    "read_doctors",
    "read_drugs",
]
