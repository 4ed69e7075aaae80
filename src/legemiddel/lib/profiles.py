"""Header profiles: which columns a tabular file has and which header spellings name them.

Every import of a spreadsheet or CSV file (organisation, personnel, LIS agreements, usage)
describes its columns in a YAML profile next to its code, so a new spelling from an export is
one line in a reviewed file rather than a code change. A profile is validated when it is
loaded; every problem names the file and the field. Reading the file itself is
:mod:`legemiddel.lib.tabular`.

A profile file::

    name: organisation            # the file's stem
    label: Organisasjon           # what the user knows the file as
    columns:
      code:                       # canonical name, used by the code
        required: true
        aliases: [kode, code]     # first alias: the header named in messages (Norwegian)

The canonical name is accepted as a header too. Headers are compared without regard to case,
surrounding or repeated whitespace, underscores (``hpr_number`` = ``HPR number``) or Unicode
form; spellings with and without æ, ø and å are listed as aliases of their own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN_KEYS = {"required", "aliases"}
_PROFILE_KEYS = {"name", "label", "columns"}


class ProfileError(ValueError):
    """A profile file is not valid; the message names the file and the field."""


def header_key(header: str) -> str:
    """The form headers are compared in: ``" Beløp_eks  MVA"`` -> ``"beløp eks mva"``."""
    text = unicodedata.normalize("NFC", header).replace("\ufeff", "").replace("_", " ")
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Yes/no properties a caller declares for its own profiles (usage: ``patient``).
    flags: frozenset[str] = frozenset()

    @property
    def display(self) -> str:
        """The header a message names the column by: the first (Norwegian) alias."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class HeaderMatch:
    """A file's header read through a profile."""

    header: tuple[str, ...]
    # The canonical name of each header cell; None for an unknown header, and for a column's
    # second occurrence (the first one is read, as a user reading the sheet would expect).
    columns: tuple[str | None, ...]
    missing: tuple[Column, ...]  # required columns the header lacks, in profile order

    @property
    def problem(self) -> str:
        """What to tell the user when required columns are missing; empty when none are."""
        if not self.missing:
            return ""
        return (
            "Mangler kolonne(r): "
            + ", ".join(c.display for c in self.missing)
            + ". Fant: "
            + ", ".join(h.strip() for h in self.header)
        )


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    columns: tuple[Column, ...]

    @functools.cached_property
    def _by_header(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for column in self.columns:
            for spelling in (column.name, *column.aliases):
                out.setdefault(header_key(spelling), column.name)
        return out

    def match(self, header: Sequence[str]) -> HeaderMatch:
        """Map each header cell to its column; unknown and repeated columns are ignored."""
        mapped: list[str | None] = []
        seen: set[str] = set()
        for cell in header:
            name = self._by_header.get(header_key(str(cell)))
            if name in seen:
                name = None
            if name is not None:
                seen.add(name)
            mapped.append(name)
        missing = tuple(c for c in self.columns if c.required and c.name not in seen)
        return HeaderMatch(tuple(str(h) for h in header), tuple(mapped), missing)


def profile_from_aliases(aliases: Mapping[str, str], required: Collection[str]) -> Profile:
    """A profile from an alias table (header spelling -> canonical name), for readers that keep
    their columns in code. Columns come in the order of their names, and each is displayed by
    its first spelling in the table."""
    spellings: dict[str, list[str]] = {}
    for alias, name in aliases.items():
        spellings.setdefault(name, []).append(alias)
    columns = tuple(
        Column(name=name, aliases=tuple(spellings[name]), required=name in required)
        for name in sorted(spellings)
    )
    return Profile(name="", label="", columns=columns)


@functools.cache
def load_profile(path: Path, flags: frozenset[str] = frozenset()) -> Profile:
    """The profile in ``path``, validated; ``flags`` are the yes/no column keys the caller
    allows besides ``required``. Raises :class:`ProfileError` naming the file and the field."""
    file = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"{file}: kan ikke leses: {exc}") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{file}: filen må være et YAML-oppslag (nøkkel: verdi)")
    unknown = sorted(set(raw) - _PROFILE_KEYS)
    if unknown:
        raise ProfileError(f"{file}: ukjent nøkkel {', '.join(map(str, unknown))}")
    if raw.get("name") != path.stem:
        raise ProfileError(f"{file}: name må være filnavnet uten .yaml ({path.stem})")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ProfileError(f"{file}: label må være en tekst")
    specs = raw.get("columns")
    if not isinstance(specs, dict) or not specs:
        raise ProfileError(f"{file}: columns må være et oppslag med minst én kolonne")
    columns = tuple(
        _column(name, spec, f"{file}: columns.{name}", flags) for name, spec in specs.items()
    )
    profile = Profile(name=path.stem, label=label, columns=columns)
    owner: dict[str, str] = {}
    for column in columns:
        for spelling in (column.name, *column.aliases):
            other = owner.setdefault(header_key(spelling), column.name)
            if other != column.name:
                raise ProfileError(
                    f"{file}: columns.{column.name}.aliases: «{spelling}» er også en "
                    f"overskrift for {other}"
                )
    return profile


def _column(name: Any, spec: Any, where: str, flags: Collection[str]) -> Column:
    if not isinstance(name, str) or not _COLUMN_NAME.match(name):
        raise ProfileError(f"{where}: kolonnenavnet kan ha små bokstaver a-z, sifre og _")
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        raise ProfileError(f"{where}: skriv required og aliases som et oppslag")
    unknown = sorted(set(map(str, spec)) - _COLUMN_KEYS - set(flags))
    if unknown:
        raise ProfileError(f"{where}: ukjent nøkkel {', '.join(unknown)}")
    for key in set(spec) - {"aliases"}:
        if not isinstance(spec[key], bool):
            raise ProfileError(f"{where}.{key}: skriv true eller false")
    aliases = spec.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ProfileError(f"{where}.aliases: skriv en liste med overskrifter, f.eks. [kode, code]")
    return Column(
        name=name,
        aliases=tuple(a.strip() for a in aliases),
        required=spec.get("required", False),
        flags=frozenset(k for k in flags if spec.get(k)),
    )
