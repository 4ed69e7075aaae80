"""The main menu. An item is shown only when its target view's access rule lets the user in,
so the menu can never offer a page that would answer 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.access import rule_for


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    description: str | Promise

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user: Any) -> bool:
        match = resolve(self.url)
        rule = rule_for(match.func, match)
        return rule is not None and rule.allows(user)


MENU: list[NavItem] = [
    NavItem("core:start", _("Start"), _("Your start page.")),
    NavItem(
        "catalogue:search",
        _("Drug catalogue"),
        _("Packages, substances and prices from FEST; search and the ATC tree."),
    ),
    NavItem(
        "agreements:portal",
        _("Drug portal"),
        _("The LIS recommendations in force: first choices per area, from when, what is next."),
    ),
    NavItem(
        "agreements:register",
        _("LIS agreements"),
        _("Register, import and publish agreements; price access, notices and start-up meetings."),
    ),
    NavItem(
        "analytics:index",
        _("Follow-up"),
        _("Measures per area: share on first choice and costs, from trust to unit."),
    ),
    NavItem(
        "usage:batches",
        _("Usage data"),
        _("Imported sales statistics, H-prescriptions and DIPS data; unknown codes to map."),
    ),
    NavItem(
        "organisation:tree",
        _("Organisation"),
        _("Clinics, departments and units of the trust, with cost centres and leaders."),
    ),
    NavItem(
        "organisation:personnel",
        _("Health personnel"),
        _("Prescribers and other health personnel by HPR number and workplace."),
    ),
    NavItem(
        "organisation:sites",
        _("Health community"),
        _("Municipalities, GP offices, contract specialists and nursing homes."),
    ),
    NavItem(
        "core:jobs",
        _("Imports"),
        _("Upload the drug catalogue, organisation and personnel files; follow the jobs."),
    ),
    NavItem(
        "accounts:audit",
        _("Audit log"),
        _("Logins, failed logins, denied access, role changes and imports."),
    ),
    NavItem("admin:index", _("Administration"), _("Users, roles, memberships and registers.")),
]


def menu_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in MENU if item.allows(user)]
