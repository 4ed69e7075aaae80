from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "legemiddel.methods"
    label = "methods"
    verbose_name = _("Decisions in Nye metoder")

    def ready(self) -> None:
        pass
