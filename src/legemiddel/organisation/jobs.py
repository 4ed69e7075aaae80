"""The organisation's job kinds: the organisation and health personnel CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from legemiddel.core.jobs import JobKind, register
from legemiddel.organisation.importers import PROFILES
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
            profile=PROFILES / "organisation.yaml",
            example=(
                ("type", "enhet"),
                ("code", "MED-REV-POL"),
                ("name", "Revmatologisk poliklinikk"),
                ("parent", "MED-REV"),
                ("cost_centres", "30130"),
            ),
            format_doc="docs/formats/organisasjon.md",
        )
    )
    register(
        JobKind(
            "personnel",
            _("Health personnel (CSV)"),
            _personnel,
            _("Prescribers and other health personnel by HPR number, with workplaces."),
            profile=PROFILES / "personnel.yaml",
            example=(
                ("hpr_number", "1234567"),
                ("name", "Kari Nordmann"),
                ("category", "sykehuslege"),
                ("workplaces", "MED-REV-POL"),
                ("is_specialist", "ja"),
            ),
            format_doc="docs/formats/organisasjon.md",
        )
    )
