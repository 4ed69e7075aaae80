"""Registry of job kinds: what a background job of each kind does with its file.

Each app registers its own kinds from its ``AppConfig.ready()`` (see ``<app>/jobs.py``), so
uploads, the worker, the CLI and the job pages stay one mechanism and the base knows no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


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
