from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "legemiddel.analytics"
    label = "analytics"
    verbose_name = _("Follow-up analytics")

    def ready(self) -> None:
        from legemiddel.agreements.impact import register_impact_provider
        from legemiddel.analytics.impact import agreement_impact
        from legemiddel.analytics.kinds import register_builtin_kinds
        from legemiddel.analytics.listeners import TOPICS, refresh_after
        from legemiddel.analytics.panels import start_panel
        from legemiddel.core import outbox
        from legemiddel.core.navigation import (
            NavItem,
            StartPanel,
            register_menu_item,
            register_start_panel,
        )

        register_builtin_kinds()
        register_impact_provider(agreement_impact)
        outbox.listen("analytics.refresh", TOPICS, refresh_after)

        register_menu_item(
            NavItem(
                "analytics:index",
                _("Follow-up"),
                _("Measures per area: share on first choice and costs, from trust to unit."),
                order=400,
            )
        )
        # The personal view stands first on the start page (what needs attention).
        register_start_panel(
            StartPanel("analytics.personal", "analytics/_start_panel.html", start_panel, order=100)
        )
