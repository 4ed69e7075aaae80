from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web shell: start page, menu, job pages and the URL root. It sits on top of every app
    and is the only place that puts their pages together."""

    name = "legemiddel.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from legemiddel.web.navigation import register_shell_entries

        register_shell_entries()
