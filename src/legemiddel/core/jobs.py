"""Registry of job kinds: what a background job of each kind does with its file.

Later capabilities (FEST, SLS, H-resept, DIPS) register their importers here, so uploads, the
worker and the job pages stay one mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class JobOption:
    """A yes/no choice the user can make when starting a job (CLI flag and upload checkbox)."""

    key: str
    label: str | Promise
    help_text: str | Promise = ""


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    # run(path=..., actor=..., file_name=..., progress=..., **options) -> summary text.
    # The file is given as a path so large files can be streamed rather than read whole.
    run: Callable[..., str]
    help_text: str | Promise = ""
    extensions: tuple[str, ...] = (".csv", ".txt")
    max_bytes: int = 50 * 1024 * 1024
    options: tuple[JobOption, ...] = field(default_factory=tuple)


_REGISTRY: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    _REGISTRY[kind.key] = kind


def get(key: str) -> JobKind:
    return _REGISTRY[key]


def label(key: str) -> str | Promise:
    """The label of a job kind, or the key itself for a kind no longer registered."""
    kind = _REGISTRY.get(key)
    return kind.label if kind else key


def all_kinds() -> list[JobKind]:
    return list(_REGISTRY.values())


def _organisation(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    from legemiddel.organisation.services import organisation_import_csv

    return organisation_import_csv(data=path.read_bytes(), **kwargs).as_text()


def _personnel(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    from legemiddel.organisation.services import personnel_import_csv

    return personnel_import_csv(data=path.read_bytes(), **kwargs).as_text()


def _fest(**kwargs: Any) -> str:
    from legemiddel.catalogue.services import fest_import

    return fest_import(**kwargs).as_text()


def _usage(source: str) -> Callable[..., str]:
    def run(**kwargs: Any) -> str:
        from legemiddel.usage.services import usage_import

        return usage_import(source=source, **kwargs).as_text()

    return run


def _atc_names(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    from legemiddel.catalogue.services import atc_names_import_csv

    return atc_names_import_csv(data=path.read_bytes(), **kwargs)


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
register(
    JobKind(
        "fest",
        _("Drug catalogue (FEST XML or ZIP)"),
        _fest,
        _(
            "The national drug catalogue as distributed (fest251.zip) or unpacked (XML). "
            "Packages, brands, substances, refund and exchange groups, prices with history."
        ),
        extensions=(".xml", ".zip"),
        max_bytes=400 * 1024 * 1024,
        options=(
            JobOption(
                "force",
                _("Import even if older than the loaded catalogue"),
                _("Also loads a full file that would retire many packages."),
            ),
            JobOption(
                "incremental",
                _("Change file (incremental)"),
                _("Entries missing from the file are kept; only what it lists changes."),
            ),
        ),
    )
)
register(
    JobKind(
        "atc",
        _("ATC names (CSV)"),
        _atc_names,
        _("ATC codes with names (columns code and name), e.g. the WHO index in Norwegian."),
    )
)
ACCEPT_VALID = JobOption(
    "accept_valid",
    _("Accept the valid rows"),
    _("Rows with errors are left out and kept in a rejects report instead of stopping the file."),
)
USAGE_FILES = (".csv", ".txt", ".xlsx")
for _key, _label, _help in (
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
):
    register(
        JobKind(
            _key,
            _label,
            _usage(_key),
            _help,
            extensions=USAGE_FILES,
            max_bytes=2 * 1024**3,
            options=(ACCEPT_VALID,),
        )
    )
