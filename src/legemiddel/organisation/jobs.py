"""The organisation's job kinds: the organisation and health personnel CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from legemiddel.core.jobs import JobKind, register
from legemiddel.organisation.services import organisation_import_csv, personnel_import_csv


def _organisation(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    return organisation_import_csv(data=path.read_bytes(), **kwargs).as_text()


def _personnel(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    return personnel_import_csv(data=path.read_bytes(), **kwargs).as_text()


def register_kinds() -> None:
    register(
        JobKind(
            "org",
            _("Organisation (CSV)"),
            _organisation,
            _("Trust, clinics, departments, units, cost centres and external sites."),
        )
    )
    register(
        JobKind(
            "personnel",
            _("Health personnel (CSV)"),
            _personnel,
            _("Prescribers and other health personnel by HPR number, with workplaces."),
        )
    )
