"""Registry of job kinds: what a background job of each kind does with its file.

Later capabilities (FEST, SLS, H-resept, DIPS) register their importers here, so uploads, the
worker and the job pages stay one mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    # run(data=..., actor=..., file_name=..., progress=...) -> summary text
    run: Callable[..., str]
    help_text: str | Promise = ""


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


def _organisation(**kwargs: Any) -> str:
    from legemiddel.organisation.services import organisation_import_csv

    kwargs.pop("progress", None)
    return organisation_import_csv(**kwargs).as_text()


def _personnel(**kwargs: Any) -> str:
    from legemiddel.organisation.services import personnel_import_csv

    kwargs.pop("progress", None)
    return personnel_import_csv(**kwargs).as_text()


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
