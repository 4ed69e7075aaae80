"""Usage data's job kinds: one per source, each replacing the months its file covers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.core.jobs import JobKind, JobOption, JobResult, register
from legemiddel.lib.tabular import file_sha256
from legemiddel.usage.models import ImportBatch
from legemiddel.usage.reading import PROFILES
from legemiddel.usage.services import usage_import
from legemiddel.usage.services.loading import UsageImportResult

ACCEPT_VALID = JobOption(
    "accept_valid",
    _("Accept the valid rows"),
    _("Rows with errors are left out and kept in a rejects report instead of stopping the file."),
)
USAGE_FILES = (".csv", ".txt", ".xlsx")
SOURCES = (
    (
        "sls",
        _("Sales statistics (SLS)"),
        _(
            "Hospital pharmacy sales per customer, month and package. Replaces the months it covers."
        ),
    ),
    (
        "hresept",
        _("H-prescriptions (Helfo)"),
        _("Dispensings of H-prescription drugs per patient (pseudonymised at import)."),
    ),
    (
        "dips",
        _("Administrations (DIPS)"),
        _("Drug administrations in hospital with the episode's codes (pseudonymised at import)."),
    ),
    (
        "dipsresept",
        _("E-prescriptions (DIPS)"),
        _("Prescriptions written in DIPS (pseudonymised at import)."),
    ),
)


# The people who own the data import it: the core group and the controllers, who work with
# the sales statistics every month, as well as the administrator (docs/roles.md).
IMPORT_ROLES = (Role.ADMINISTRATOR.value, Role.CORE_GROUP.value, Role.CONTROLLER.value)

EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "sls": (
        ("period", "2026-10"),
        ("customer", "30130"),
        ("customer_name", "Revmatologisk poliklinikk"),
        ("varenr", "123456"),
        ("product_name", "Humira inj 40 mg"),
        ("quantity", "2"),
        ("amount", "18100,50"),
    ),
    "hresept": (
        ("dispensed_on", "15.10.2026"),
        ("patient", "01010012345"),
        ("varenr", "123456"),
        ("quantity", "1"),
        ("amount", "9050,25"),
        ("prescriber_hpr", "1234567"),
        ("prescribed_on", "01.10.2026"),
    ),
    "dips": (
        ("administered_on", "15.10.2026"),
        ("patient", "01010012345"),
        ("unit", "MED-REV-DAG"),
        ("varenr", "123456"),
        ("dose", "40"),
        ("dose_unit", "mg"),
    ),
    "dipsresept": (
        ("prescribed_on", "15.10.2026"),
        ("patient", "01010012345"),
        ("prescriber_hpr", "1234567"),
        ("unit", "MED-REV-POL"),
        ("varenr", "123456"),
        ("quantity", "1"),
    ),
}


def _usage(source: str) -> Callable[..., JobResult]:
    def run(**kwargs: Any) -> JobResult:
        result = usage_import(source=source, **kwargs)
        return JobResult(result.as_text(), reverse("usage:batch", args=[result.batch.pk]))

    return run


def _imported(source: str) -> Callable[[Path], JobResult | None]:
    def imported(path: Path) -> JobResult | None:
        """The batch of this very file, if its import committed before the worker died."""
        batch = (
            ImportBatch.objects.filter(source=source, sha256=file_sha256(path))
            # A batch still loading (SQLite's staged import) was never shown: not imported.
            .exclude(status__in=(ImportBatch.Status.REPLACED, ImportBatch.Status.LOADING))
            .first()
        )
        if batch is None:
            return None
        result = UsageImportResult(batch)
        return JobResult(result.as_text(), reverse("usage:batch", args=[batch.pk]))

    return imported


def register_kinds() -> None:
    for key, label, help_text in SOURCES:
        register(
            JobKind(
                key,
                label,
                _usage(key),
                help_text,
                extensions=USAGE_FILES,
                max_bytes=2 * 1024**3,
                options=(ACCEPT_VALID,),
                roles=IMPORT_ROLES,
                profile=PROFILES / f"{key}.yaml",
                example=EXAMPLES[key],
                format_doc="docs/formats/forbruk.md",
                imported=_imported(key),
            )
        )
