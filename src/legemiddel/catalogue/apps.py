from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "legemiddel.catalogue"
    label = "catalogue"
    verbose_name = _("Drug catalogue")

    def ready(self) -> None:
        from legemiddel.catalogue.jobs import register_kinds
        from legemiddel.core.navigation import NavItem, register_menu_item

        register_kinds()
        register_menu_item(
            NavItem(
                "catalogue:search",
                _("Drug catalogue"),
                _("Packages, substances and prices from FEST; search and the ATC tree."),
                order=100,
            )
        )
