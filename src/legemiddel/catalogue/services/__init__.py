"""Writes to the catalogue: loading a FEST file and naming ATC codes.

Split by responsibility: :mod:`.fest_pipeline` reads a FEST file and decides what changed,
:mod:`.catalogue_writes` writes it, :mod:`.atc_import` names ATC codes from a CSV file.
"""

from legemiddel.catalogue.services.atc_import import atc_names_import_csv
from legemiddel.catalogue.services.fest_pipeline import FestImportResult, fest_import

__all__ = ["FestImportResult", "atc_names_import_csv", "fest_import"]
