"""Usage data's job kinds: one per source, each replacing the months its file covers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from legemiddel.core.jobs import JobKind, JobOption, register
from legemiddel.usage.services import usage_import

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


def _usage(source: str) -> Callable[..., str]:
    def run(**kwargs: Any) -> str:
        return usage_import(source=source, **kwargs).as_text()

    return run


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
            )
        )
