"""Importing usage files: parse -> validate -> load, one batch per file, all or nothing.

``usage_import`` reads the file in chunks (:mod:`reading`), validates each chunk with polars
(:mod:`validation`) and writes the valid rows with PostgreSQL ``COPY`` inside one transaction,
or with SQLite ``executemany`` in short transactions, hidden until a short last one shows the
whole file (:mod:`.staging`: SQLite has one writer at a time). A file replaces the rows its
months already had from the same source (SLS is corrected backwards), and the monthly cube is
rebuilt for those months.

Default policy: any row error rejects the whole file and nothing changes. With
``accept_valid`` the valid rows are loaded and the rejected rows are kept on the batch.

The parts: :mod:`.importing` (the pipeline), :mod:`.lookups` (what codes are checked against),
:mod:`.loading` (the batch and the replacement of earlier months), :mod:`.bulk` (bulk writes),
:mod:`.cube` (the monthly cube), :mod:`.codes` (unknown codes and their mapping),
:mod:`.targets` (each source's fact table) and :mod:`.staging` (SQLite's hidden rows).
"""

from legemiddel.usage.services.codes import code_map
from legemiddel.usage.services.importing import usage_import
from legemiddel.usage.services.loading import UsageImportResult

__all__ = ["UsageImportResult", "code_map", "usage_import"]
