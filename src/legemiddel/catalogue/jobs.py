"""The catalogue's job kinds: the FEST file and ATC names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from legemiddel.catalogue.services import atc_names_import_csv, fest_import
from legemiddel.core.jobs import JobKind, JobOption, register


def _fest(**kwargs: Any) -> str:
    return fest_import(**kwargs).as_text()


def _atc_names(*, path: Path, progress: Any = None, **kwargs: Any) -> str:
    return atc_names_import_csv(data=path.read_bytes(), **kwargs)


def register_kinds() -> None:
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
            format_doc="docs/formats/fest.md",
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
            profile=Path(__file__).resolve().parent / "profiles" / "atc.yaml",
            example=(("code", "L04AB04"), ("name", "Adalimumab")),
            format_doc="docs/formats/fest.md",
        )
    )
