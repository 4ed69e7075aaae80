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
        # --- import: the job kind «metoder» and the versions page in the menu ---
        from legemiddel.methods.jobs import register_kinds

        register_kinds()
        register_menu_item(
            NavItem(
                "methods:imports",
                _("Decision list versions"),
                _("Each import of the Nye metoder list and what it changed."),
                order=545,
            )
        )
        # --- end import ---
        self._ready_lookup()

    def _ready_lookup(self) -> None:
        """lookup: the clinicians' look-up, questions, and the status in the drug portal."""
        from legemiddel.agreements.portal_notes import register_portal_note_provider
        from legemiddel.core.navigation import NavItem, register_menu_item
        from legemiddel.methods.portal import portal_notes_for

        register_portal_note_provider(portal_notes_for)
        register_menu_item(
            NavItem(
                "methods:lookup",
                _("Nye metoder"),
                _("Is it introduced? The national decisions by substance, indication or ID."),
                order=210,
            )
        )
        register_menu_item(
            NavItem(
                "methods:questions",
                _("Questions about Nye metoder"),
                _("Clinicians' questions about decisions, to answer."),
                order=560,
            )
        )
