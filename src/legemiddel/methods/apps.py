from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "legemiddel.methods"
    label = "methods"
    verbose_name = _("Decisions in Nye metoder")

    def ready(self) -> None:
        # --- import: the job kind «metoder» and the versions page in the menu ---
        from legemiddel.core.navigation import NavItem, register_menu_item
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
