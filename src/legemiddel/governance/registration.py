"""What governance registers with the layers below, called from ``AppConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from legemiddel.agreements.meetings import register_meeting_provider
    from legemiddel.core import outbox
    from legemiddel.core.navigation import (
        NavItem,
        StartPanel,
        register_menu_item,
        register_start_panel,
    )
    from legemiddel.governance.listeners import TOPICS, startup_meetings_after
    from legemiddel.governance.selectors import actions_for, attention_for
    from legemiddel.governance.summaries import startup_meeting_summaries

    outbox.listen("governance.startup_meetings", TOPICS, startup_meetings_after)
    register_meeting_provider(startup_meeting_summaries)
    register_menu_item(
        NavItem(
            "governance:meetings",
            _("Meetings"),
            _(
                "The core group, the collaboration forum, start-up meetings and the drug "
                "committee: agenda, minutes, decisions and actions."
            ),
            order=560,
        )
    )
    register_menu_item(
        NavItem(
            "governance:my_actions",
            _("My actions"),
            _("The actions from meetings that you are responsible for."),
            order=570,
        )
    )
    register_start_panel(
        StartPanel("governance_attention", "governance/_attention.html", attention_for, 105)
    )
    register_start_panel(
        StartPanel("governance_actions", "governance/_actions_panel.html", actions_for, 120)
    )
