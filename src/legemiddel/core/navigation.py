"""Registries for the web shell: main-menu entries and start-page panels.

Each app registers its own entries from its ``AppConfig.ready()``; the shell (``legemiddel.web``)
shows an entry only when the access rule of its target view lets the user in, and a panel only
when its ``context`` function returns something for the user. The base knows no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    """A main-menu entry. ``order`` places it (lower first)."""

    url_name: str
    label: str | Promise
    description: str | Promise
    order: int = 500

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class StartPanel:
    """A section of the start page. ``context(user)`` returns the template's context, or
    ``None`` when the panel has nothing for this user (it is then left out). Panels ordered
    below 500 stand above the list of tools, the others below it."""

    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 500


_MENU: dict[str, NavItem] = {}
_PANELS: dict[str, StartPanel] = {}


def register_menu_item(item: NavItem) -> None:
    _MENU[item.url_name] = item


def menu_items() -> list[NavItem]:
    return sorted(_MENU.values(), key=lambda item: item.order)


def register_start_panel(panel: StartPanel) -> None:
    _PANELS[panel.key] = panel


def start_panels() -> list[StartPanel]:
    return sorted(_PANELS.values(), key=lambda panel: panel.order)
