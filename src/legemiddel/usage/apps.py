from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "legemiddel.usage"
    label = "usage"
    verbose_name = _("Usage data")

    def ready(self) -> None:
        from legemiddel.core.navigation import NavItem, register_menu_item
        from legemiddel.core.workers import register_cleanup
        from legemiddel.usage.jobs import register_kinds
        from legemiddel.usage.services import usage_sweep_stopped_imports

        register_kinds()
        # A killed import's hidden rows (SQLite) go when a worker starts or finds it dead.
        register_cleanup(usage_sweep_stopped_imports)
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
