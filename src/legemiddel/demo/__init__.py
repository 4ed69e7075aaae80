"""Synthetic demo data: the organisation, a FEST catalogue, LIS agreements and usage files."""

from pathlib import Path

# The demo's reference files: organisation, personnel, the drug list and the FEST file made from it.
DATA_DIR = Path(__file__).resolve().parent / "data"
