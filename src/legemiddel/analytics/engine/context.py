"""The state of one refresh, passed explicitly (the server runs several threads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

T = TypeVar("T")


@dataclass
class RefreshContext:
    """What one refresh shares between its measures: the rows read once (cube rows, rankings,
    package facts) and the sources of the import it follows (``None``: a full refresh). A new
    context reads everything afresh, so nothing is cached between refreshes or requests."""

    sources: frozenset[str] | None = None
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def use_area_lines(self, area_id: int, lines: list[Any]) -> None:
        """Compute as if ``lines`` were the published agreement lines of the area (a preview
        of what publishing would change); nothing else in the context changes."""
        self._cache[area_lines_key(area_id)] = lines

    def once(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = read()
        return cast(T, self._cache[key])


def area_lines_key(area_id: int) -> tuple[str, int]:
    """The context's key for an area's published agreement lines."""
    return ("lines", area_id)
