from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "legemiddel.usage"
    label = "usage"
    verbose_name = _("Usage data")

    def ready(self) -> None:
        from legemiddel.core.navigation import NavItem, register_menu_item
        from legemiddel.usage.jobs import register_kinds

        register_kinds()
        register_menu_item(
            NavItem(
                "usage:batches",
                _("Usage data"),
                _(
                    "Imported sales statistics, H-prescriptions and DIPS data; unknown codes to map."
                ),
                order=500,
            )
        )
