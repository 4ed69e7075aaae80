"""The main menu as a user sees it: only entries whose target view's access rule lets the user
in, so the menu can never offer a page that would answer 403."""

from __future__ import annotations

from typing import Any

from django.urls import resolve
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.access import rule_for
from legemiddel.core.navigation import NavItem, StartPanel, menu_items, register_menu_item
from legemiddel.core.navigation import register_start_panel as register_panel


def allows(item: NavItem, user: Any) -> bool:
    match = resolve(item.url)
    rule = rule_for(match.func, match)
    return rule is not None and rule.allows(user)


def menu_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in menu_items() if allows(item, user)]


def _recent_jobs(user: Any) -> dict[str, Any] | None:
    from legemiddel.core.jobs import any_allowed
    from legemiddel.core.models import Job

    if not any_allowed(user):
        return None
    recent = list(Job.objects.filter(created_by=user)[:5])
    return {"recent_jobs": recent} if recent else None


def register_shell_entries() -> None:
    """The shell's own entries: start, imports and administration."""
    register_menu_item(NavItem("web:start", _("Start"), _("Your start page."), order=0))
    register_menu_item(
        NavItem(
            "web:jobs",
            _("Imports"),
            _("Upload files (usage data, or the registers for administrators); follow the jobs."),
            order=900,
        )
    )
    register_menu_item(
        NavItem(
            "web:help", _("Help"), _("What your role does here, the words used, file formats."), 950
        )
    )
    register_menu_item(
        NavItem(
            "admin:index", _("Administration"), _("Users, roles, memberships and registers."), 1000
        )
    )
    register_panel(StartPanel("recent_jobs", "web/_recent_jobs.html", _recent_jobs, order=900))
