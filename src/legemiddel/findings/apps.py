from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "legemiddel.findings"
    label = "findings"
    verbose_name = _("Findings")

    def ready(self) -> None:
        from legemiddel.core.navigation import StartPanel, register_start_panel
        from legemiddel.findings.panels import worklist_panel

        register_start_panel(
            StartPanel("findings_worklist", "findings/_panel.html", worklist_panel, order=150)
        )
