"""Reading a FEST (M30) file as a stream of typed entries, without touching the database.

The national file is ~118 MB of XML (14 MB zipped), most of it interactions and texts we do not
keep. We feed it in 1 MB chunks to lxml's pull parser, look only at the ``Oppf*`` entries we use,
and drop every element as soon as it has been read, so memory stays flat whatever the file size.

Whole-file problems raise :class:`FestFileError`; problems in one entry are reported as
:class:`~legemiddel.lib.tabular.RowError` with the XML line number so the caller can collect them
and refuse the file.

Split by responsibility: :mod:`.entries` (the typed records), :mod:`.reader` (opening the file and
streaming it), :mod:`.parsing` (one entry element to records), :mod:`.values` (element values).
"""

from legemiddel.catalogue.fest.entries import (
    Catalogue,
    Entry,
    FestFileError,
    Header,
    ParsedBrand,
    ParsedCode,
    ParsedEntry,
    ParsedExchangeGroup,
    ParsedPackage,
    ParsedPrice,
    ParsedRefundCode,
    ParsedRefundGroup,
    ParsedSubstance,
    ParsedSubstanceStrength,
)
from legemiddel.catalogue.fest.parsing import PRICE_CODES, price_type
from legemiddel.catalogue.fest.reader import CHUNK, M30_NS, open_fest, read_fest

__all__ = [
    "CHUNK",
    "M30_NS",
    "PRICE_CODES",
    "Catalogue",
    "Entry",
    "FestFileError",
    "Header",
    "ParsedBrand",
    "ParsedCode",
    "ParsedEntry",
    "ParsedExchangeGroup",
    "ParsedPackage",
    "ParsedPrice",
    "ParsedRefundCode",
    "ParsedRefundGroup",
    "ParsedSubstance",
    "ParsedSubstanceStrength",
    "open_fest",
    "price_type",
    "read_fest",
]
