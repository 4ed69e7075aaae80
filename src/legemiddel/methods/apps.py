from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "legemiddel.methods"
    label = "methods"
    verbose_name = _("Decisions in Nye metoder")

    def ready(self) -> None:
        # --- register: the core group's register in the menu ---
        from legemiddel.core.navigation import (
            NavItem,
            StartPanel,
            register_menu_item,
            register_start_panel,
        )
        from legemiddel.methods.panels import unconfirmed_panel

        register_menu_item(
            NavItem(
                "methods:register",
                _("Method register"),
                _("Decisions in Nye metoder: confirm the status, conditions and links."),
                order=540,
            )
        )
        register_start_panel(
            StartPanel("methods_unconfirmed", "methods/_panel.html", unconfirmed_panel, order=160)
        )
        # --- end register ---
