"""Measures as reviewed definitions: one YAML file per measure in ``analytics/measures/``.

A definition says what is counted (selection by agreement rank, ATC prefixes or varenr), in
which unit (DDD, packs, NOK or patients), from which sources, whether lower is better, and who
wrote and reviewed it. :func:`load_definitions` validates every file and names the file and
field of each problem; a definition marked ``for_each_area`` becomes one measure per
therapeutic area (``forstevalg-ddd`` → ``forstevalg-ddd--TNF-BIO``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from legemiddel.analytics.measure_kinds import get_kind, kind_keys

MEASURES_DIR = Path(__file__).resolve().parent / "measures"
KINDS = {"share", "total", "ratio"}
BASES = {"ddd", "packs", "nok", "patients", "administrations", "findings"}
SOURCES = {"sls", "hresept", "dips", "dipsresept"}
STATUSES = {"draft", "reviewed", "retired"}
REQUIRED = (
    "id",
    "title",
    "why",
    "how",
    "kind",
    "basis",
    "numerator",
    "sources",
    "lower_is_better",
    "author",
    "reviewer",
    "review_date",
    "status",
)
SELECTION_KEYS = {"rank", "atc", "varenr"}


class DefinitionError(ValueError):
    """A measure file is not a valid definition."""


@dataclass(frozen=True)
class Selection:
    """Which packages count: ranks in the area's agreement (``all`` = every ranked package),
    ATC code prefixes, or item numbers. Several keys narrow each other."""

    ranks: tuple[int, ...] | None = None  # None: no rank condition; () : every ranked package
    atc: tuple[str, ...] = ()
    varenr: tuple[str, ...] = ()

    @property
    def needs_agreement(self) -> bool:
        return self.ranks is not None


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    why: str
    how: str
    kind: str
    basis: str
    numerator: Selection
    denominator: Selection | None
    sources: tuple[str, ...]
    lower_is_better: bool
    target: float | None
    author: str
    reviewer: str
    review_date: dt.date
    status: str
    for_each_area: bool
    file: str
    counts: str = "usage"  # "starts": treatment starts from patient-level data
    look_back_days: int = 0

    @property
    def status_label(self) -> str:
        """The status as the pages say it."""
        labels = {"draft": _("Draft"), "reviewed": _("Reviewed"), "retired": _("Retired")}
        return str(labels.get(self.status, self.status))

    @property
    def needs_price_access(self) -> bool:
        """Amounts in NOK come from invoiced purchase prices, which reveal LIS prices."""
        return self.basis == "nok"


def _selection(raw: Any, where: str) -> Selection:
    if not isinstance(raw, dict) or not raw:
        raise DefinitionError(f"{where}: skriv en utvelgelse med rank, atc eller varenr")
    unknown = set(raw) - SELECTION_KEYS
    if unknown:
        raise DefinitionError(f"{where}: ukjent nøkkel {', '.join(sorted(unknown))}")
    ranks: tuple[int, ...] | None = None
    if "rank" in raw:
        value = raw["rank"]
        if value == "all":
            ranks = ()
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 99 for v in value)
        ):
            ranks = tuple(value)
        else:
            raise DefinitionError(f"{where}.rank: skriv all eller en liste med rang, f.eks. [1]")
    atc = raw.get("atc", [])
    if not isinstance(atc, list) or not all(isinstance(a, str) and a.isalnum() for a in atc):
        raise DefinitionError(f"{where}.atc: skriv en liste med ATC-koder, f.eks. [L04AB]")
    varenr = [str(v).zfill(6) for v in raw.get("varenr", [])]
    if not all(v.isdigit() and len(v) == 6 for v in varenr):
        raise DefinitionError(f"{where}.varenr: varenummer har seks sifre")
    return Selection(ranks=ranks, atc=tuple(a.upper() for a in atc), varenr=tuple(varenr))


def parse_definition(raw: Any, file: str) -> Definition:
    """Validate one parsed YAML document."""
    if not isinstance(raw, dict):
        raise DefinitionError(f"{file}: filen må være et YAML-oppslag (nøkkel: verdi)")
    missing = [key for key in REQUIRED if raw.get(key) in (None, "")]
    if missing:
        raise DefinitionError(f"{file}: mangler {', '.join(missing)}")
    measure_id = str(raw["id"])
    if not all(c.isalnum() or c == "-" for c in measure_id) or "--" in measure_id:
        raise DefinitionError(f"{file}: id kan ha bokstaver, sifre og enkle bindestreker")
    if Path(file).stem != measure_id:
        raise DefinitionError(f"{file}: filnavnet må være id-en ({measure_id}.yaml)")
    if raw["kind"] not in KINDS:
        raise DefinitionError(f"{file}: kind må være share, total eller ratio")
    if raw["basis"] not in BASES:
        raise DefinitionError(
            f"{file}: basis må være ddd, packs, nok, patients, administrations eller findings"
        )
    counts = raw.get("counts", "usage")
    kind = get_kind(counts) if isinstance(counts, str) else None
    if kind is None:
        raise DefinitionError(f"{file}: counts må være {', '.join(kind_keys())}")
    # The rules of the kind itself live with its computation (analytics/kinds/).
    kind.validate(raw, file)
    if raw["basis"] == "patients" and not kind.patient_level:
        patient_kinds = " eller ".join(k for k in kind_keys() if get_kind(k).patient_level)  # type: ignore[union-attr]
        raise DefinitionError(f"{file}: basis patients brukes med counts: {patient_kinds}")
    sources = raw["sources"]
    if not isinstance(sources, list) or not sources or not set(sources) <= SOURCES:
        raise DefinitionError(f"{file}: sources må være en liste med sls, hresept, dips")
    if raw["basis"] in {"ddd", "nok"} and not set(sources) <= {"sls", "hresept"}:
        raise DefinitionError(f"{file}: DDD og kroner finnes bare i sls og hresept")
    numerator = _selection(raw["numerator"], f"{file}: numerator")
    denominator = None
    if (raw["kind"] == "ratio") != kind.ratio:
        raise DefinitionError(f"{file}: kind ratio hører sammen med counts: cost_per_patient_year")
    if raw["kind"] == "ratio" and raw["basis"] != "nok":
        raise DefinitionError(f"{file}: kostnad per pasientår regnes i kroner (basis: nok)")
    if raw["kind"] == "share":
        if "denominator" not in raw:
            raise DefinitionError(f"{file}: en andel (share) trenger denominator")
        denominator = _selection(raw["denominator"], f"{file}: denominator")
    elif "denominator" in raw:
        raise DefinitionError(f"{file}: bare en andel (share) har denominator")
    if raw["basis"] == "packs" and any(
        not s.varenr for s in (numerator, denominator) if s is not None
    ):
        # Packs of different sizes do not add up: count packs only of named packages.
        raise DefinitionError(f"{file}: basis packs krever varenr i utvelgelsen")
    for_each_area = bool(raw.get("for_each_area", False))
    if not for_each_area and (
        numerator.needs_agreement or (denominator and denominator.needs_agreement)
    ):
        raise DefinitionError(f"{file}: rang forutsetter for_each_area: true")
    if not isinstance(raw["lower_is_better"], bool):
        raise DefinitionError(f"{file}: lower_is_better må være true eller false")
    target = raw.get("target")
    if target is not None and (
        not isinstance(target, int | float) or (raw["kind"] == "share" and not 0 <= target <= 1)
    ):
        raise DefinitionError(f"{file}: target må være et tall (en andel mellom 0 og 1)")
    review_date = raw["review_date"]
    if not isinstance(review_date, dt.date):
        raise DefinitionError(f"{file}: review_date må være en dato (åååå-mm-dd)")
    if raw["status"] not in STATUSES:
        raise DefinitionError(f"{file}: status må være draft, reviewed eller retired")
    return Definition(
        id=measure_id,
        title=str(raw["title"]),
        why=str(raw["why"]).strip(),
        how=str(raw["how"]).strip(),
        kind=raw["kind"],
        basis=raw["basis"],
        numerator=numerator,
        denominator=denominator,
        sources=tuple(sources),
        lower_is_better=raw["lower_is_better"],
        target=float(target) if target is not None else None,
        author=str(raw["author"]),
        reviewer=str(raw["reviewer"]),
        review_date=review_date,
        status=raw["status"],
        for_each_area=for_each_area,
        file=file,
        counts=counts,
        look_back_days=raw.get("look_back_days", 0) if kind.patient_level else 0,
    )


def load_definitions(directory: Path = MEASURES_DIR) -> list[Definition]:
    """Every definition in the directory, validated; ids must be unique."""
    found: list[Definition] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{path.name}: ikke gyldig YAML: {exc}") from exc
        found.append(parse_definition(raw, path.name))
    ids = [d.id for d in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DefinitionError(f"samme id i flere filer: {', '.join(duplicates)}")
    return found


@functools.cache
def definitions() -> tuple[Definition, ...]:
    """The product's definitions, read once per process (retired ones left out)."""
    return tuple(d for d in load_definitions() if d.status != "retired")
