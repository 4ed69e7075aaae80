from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "legemiddel.methods"
    label = "methods"
    verbose_name = _("Decisions in Nye metoder")

    def ready(self) -> None:
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
