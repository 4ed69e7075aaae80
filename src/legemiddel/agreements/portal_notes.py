"""Notes from the layers above beside the portal's LIS ranks (e.g. the Nye metoder status).

The portal belongs to agreements; what a product's or area's national decision is, is known to
the methods app above it, which agreements may not import. That app registers a provider here
from its ``AppConfig.ready()``; the portal asks every provider once per page with all the areas
and packages it shows, so a provider answers in a fixed number of queries however many lines
there are. Notes carry no price.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.agreements.selectors import AreaRecommendation
from legemiddel.catalogue.models import Package


@dataclass(frozen=True)
class PortalNote:
    """A short label linked to a page: ``tone`` is ok, warn, bad or empty (neutral)."""

    label: str
    title: str
    url: str
    tone: str = ""


@dataclass
class PortalNotes:
    """What the providers say per area (by id) and per package (by varenr)."""

    by_area: dict[int, list[PortalNote]] = field(default_factory=dict)
    by_package: dict[str, list[PortalNote]] = field(default_factory=dict)

    def add(self, other: PortalNotes) -> None:
        for area_id, notes in other.by_area.items():
            self.by_area.setdefault(area_id, []).extend(notes)
        for varenr, notes in other.by_package.items():
            self.by_package.setdefault(varenr, []).extend(notes)


PortalNoteProvider = Callable[[list[TherapeuticArea], list[Package]], PortalNotes]

_PROVIDERS: list[PortalNoteProvider] = []


def register_portal_note_provider(fn: PortalNoteProvider) -> None:
    """Let a layer above add notes to the portal's areas and products."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)


def portal_notes(areas: list[TherapeuticArea], packages: Iterable[Package]) -> PortalNotes:
    """Every provider's notes for these areas and packages."""
    unique = list({p.varenr: p for p in packages}.values())
    notes = PortalNotes()
    for provider in _PROVIDERS:
        notes.add(provider(areas, unique))
    return notes


def attach_portal_notes(recommendations: list[AreaRecommendation]) -> None:
    """Set ``notes`` on each recommendation (its area's) and on each line shown (its
    package's), so the portal's templates read them where they show the rank."""
    lines = [
        line
        for r in recommendations
        for groups in (r.groups, r.next_groups)
        for group in groups
        for line in group.lines
    ] + [line for r in recommendations for line in r.upcoming_lines]
    notes = portal_notes([r.area for r in recommendations], (line.package for line in lines))
    for line in lines:
        line.notes = notes.by_package.get(line.package_id, [])  # type: ignore[attr-defined]
    for r in recommendations:
        # A note the area's products already carry is not repeated for the area.
        shown = {
            note.url
            for groups in (r.groups, r.next_groups)
            for group in groups
            for line in group.lines
            for note in notes.by_package.get(line.package_id, [])
        }
        area_notes = notes.by_area.get(r.area.pk, [])
        r.notes = [n for n in area_notes if n.url not in shown]  # type: ignore[attr-defined]
