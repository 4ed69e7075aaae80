"""What a publication changes in the ranking, group by group, before -> after.

The notice and the publish panel say what changed («Førstevalg for nye pasienter i
Revmatoid artritt: Remicade -> Remsima fra 01.01.2027»), not the whole ranking again. Compared
are the lines as last published (the version snapshot) and the lines as they stand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from legemiddel.agreements.models import Agreement, AgreementLine
from legemiddel.lib.formatting import format_date

# How the notice names a patient group in a sentence (it is written in Norwegian).
GROUP_TEXT = {"all": "for alle pasienter", "new": "for nye pasienter", "switch": "ved bytte"}


@dataclass(frozen=True)
class _Ranked:
    indication_group: str
    patient_group: str
    rank: int
    package_id: str
    name: str
    starts: dt.date
    ends: dt.date


@dataclass(frozen=True)
class RankingChange:
    """The ranking of one group from a day on: as published, and as it will be."""

    indication_group: str
    patient_group: str
    day: dt.date
    before: tuple[tuple[int, str], ...]  # (rank, package name), best first
    after: tuple[tuple[int, str], ...]

    def as_text(self) -> str:
        """One line in Norwegian, for the notice and the publish panel."""
        where = f"{GROUP_TEXT.get(self.patient_group, '')} i {self.indication_group}".strip()
        when = f"fra {format_date(self.day)}"
        first_before = _first(self.before)
        first_after = _first(self.after)
        if first_before != first_after:
            return f"Førstevalg {where}: {first_before or '–'} -> {first_after or '–'} {when}"
        return f"Rangering {where}: {_ranking(self.before)} -> {_ranking(self.after)} {when}"


def _first(ranking: tuple[tuple[int, str], ...]) -> str:
    return " og ".join(name for rank, name in ranking if rank == 1)


def _ranking(ranking: tuple[tuple[int, str], ...]) -> str:
    return ", ".join(f"{rank}. {name}" for rank, name in ranking) or "–"


def _from_snapshot(agreement: Agreement, snapshot: dict[str, Any]) -> list[_Ranked]:
    end = agreement.effective_end
    return [
        _Ranked(
            raw["indication_group"],
            raw["patient_group"],
            raw["rank"],
            raw["package_id"],
            raw.get("name") or raw["package_id"],
            dt.date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else agreement.start,
            dt.date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else end,
        )
        for raw in snapshot.get("lines", [])
    ]


def _from_lines(lines: list[AgreementLine]) -> list[_Ranked]:
    return [
        _Ranked(
            line.indication_group,
            line.patient_group,
            line.rank,
            line.package_id,
            line.package.name_form_strength,
            line.starts,
            line.ends,
        )
        for line in lines
    ]


def _on(lines: list[_Ranked], day: dt.date) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((x.rank, x.name) for x in lines if x.starts <= day <= x.ends))


def ranking_changes(agreement: Agreement) -> list[RankingChange]:
    """Every day a group's ranking differs from what was published, and how; a difference
    that lasts is told once, from the day it begins. Empty before the first publication."""
    version = agreement.versions.order_by("-number").first()
    if version is None:
        return []
    before = _from_snapshot(agreement, version.snapshot)
    after = _from_lines(list(agreement.lines.select_related("package", "agreement")))
    groups = sorted({(x.indication_group, x.patient_group) for x in before + after})
    found: list[RankingChange] = []
    for indication_group, patient_group in groups:
        old = [
            x
            for x in before
            if (x.indication_group, x.patient_group) == (indication_group, patient_group)
        ]
        new = [
            x
            for x in after
            if (x.indication_group, x.patient_group) == (indication_group, patient_group)
        ]
        days = sorted(
            {x.starts for x in old + new}
            | {x.ends + dt.timedelta(days=1) for x in old + new}
            | {agreement.start}
        )
        previous: tuple[Any, Any] | None = None
        for day in days:
            if day > agreement.effective_end:
                continue
            pair = (_on(old, day), _on(new, day))
            if pair[0] != pair[1] and pair != previous:
                found.append(RankingChange(indication_group, patient_group, day, *pair))
            previous = pair
    return sorted(found, key=lambda c: (c.day, c.indication_group.casefold(), c.patient_group))
