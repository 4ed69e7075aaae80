"""Registry of job kinds: what a background job of each kind does with its file.

Each app registers its own kinds from its ``AppConfig.ready()`` (see ``<app>/jobs.py``), so
uploads, the worker, the CLI and the job pages stay one mechanism and the base knows no app.
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
class JobResult:
    """What a job's ``run`` may return instead of plain text: the summary and the page that
    reports on what was done (an import's batch, with its rejected rows)."""

    summary: str
    url: str = ""


REPORT_LABEL = _("Open the import report (rejected rows)")


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    # run(path=..., actor=..., file_name=..., progress=..., **options) -> summary text or a
    # JobResult.
    # The file is given as a path so large files can be streamed rather than read whole.
    run: Callable[..., str | JobResult]
    help_text: str | Promise = ""
    extensions: tuple[str, ...] = (".csv", ".txt")
    max_bytes: int = 50 * 1024 * 1024
    options: tuple[JobOption, ...] = field(default_factory=tuple)
    # Role values that may start a job of this kind (the base knows no roles, only their
    # values). Registers the trust depends on stay the administrator's; data owners import
    # their own data (docs/roles.md).
    roles: tuple[str, ...] = ("administrator",)
    # The YAML header profile the importer reads: the format page and the downloadable
    # template are built from it, so they always name the headers the importer accepts.
    profile: Path | None = None
    # One example row for the template: canonical column name -> value.
    example: tuple[tuple[str, str], ...] = ()
    # The format description in docs/formats/ for what a profile cannot say.
    format_doc: str = ""
    # The link to the page a finished job's result points at (``JobResult.url``).
    result_label: str | Promise = REPORT_LABEL
    # For a job whose worker died: the result, if the file had in fact been imported (the
    # worker died after the import committed, before the job was marked done); else None.
    imported: Callable[[Path], JobResult | None] | None = None

    def allows(self, user: Any) -> bool:
        """Whether ``user`` may start a job of this kind."""
        return bool(getattr(user, "is_authenticated", False) and user.has_role(*self.roles))


_REGISTRY: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    _REGISTRY[kind.key] = kind


def get(key: str) -> JobKind:
    return _REGISTRY[key]


def all_registered() -> dict[str, JobKind]:
    """The registered kinds by key (a copy)."""
    return dict(_REGISTRY)


def label(key: str) -> str | Promise:
    """The label of a job kind, or the key itself for a kind no longer registered."""
    kind = _REGISTRY.get(key)
    return kind.label if kind else key


def result_label(key: str) -> str | Promise:
    """What the link to a finished job's result page says, for its kind."""
    kind = _REGISTRY.get(key)
    return kind.result_label if kind else REPORT_LABEL


def all_kinds() -> list[JobKind]:
    return list(_REGISTRY.values())


def kinds_for(user: Any) -> list[JobKind]:
    """The kinds ``user`` may start, in registration order."""
    return [kind for kind in _REGISTRY.values() if kind.allows(user)]


def any_allowed(user: Any) -> bool:
    """Whether ``user`` may start any job (and so open the import pages)."""
    return bool(kinds_for(user))
