"""Writing FEST (M30) files: the small demo catalogue and full-size synthetic ones.

The demo and the tests need a catalogue with the drugs the demo data uses, and the benchmark
needs a file as large as the national one. We write both ourselves rather than shipping the
national file: it changes every 14 days, and ours cover every element the importer reads.

Split by responsibility: :mod:`.specs` (the catalogue to write), :mod:`.drug_list` (the demo
catalogue from ``demo/data/legemidler.csv``), :mod:`.synthetic` (full-size made-up catalogues),
:mod:`.writer` (the XML).
"""

from legemiddel.demo.festgen.drug_list import DEMO_CSV, DEMO_FEST, demo_catalogue
from legemiddel.demo.festgen.specs import (
    BLUE_BASIS,
    DEMO_RETRIEVED,
    H_RESEPT_BASIS,
    BrandSpec,
    Catalogue,
    ExchangeGroupSpec,
    PackageSpec,
    PriceSpec,
    RefundGroupSpec,
    SubstanceSpec,
    ean13,
    fest_id,
)
from legemiddel.demo.festgen.synthetic import synthetic_catalogue
from legemiddel.demo.festgen.writer import write_fest, write_file

__all__ = [
    "BLUE_BASIS",
    "DEMO_CSV",
    "DEMO_FEST",
    "DEMO_RETRIEVED",
    "H_RESEPT_BASIS",
    "BrandSpec",
    "Catalogue",
    "ExchangeGroupSpec",
    "PackageSpec",
    "PriceSpec",
    "RefundGroupSpec",
    "SubstanceSpec",
    "demo_catalogue",
    "ean13",
    "fest_id",
    "synthetic_catalogue",
    "write_fest",
    "write_file",
]
