from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Admin sections of the libraries we use, named in the user's language (they ship in English).
LIBRARY_NAMES = {
    "axes": (
        _("Login attempts"),
        {
            "AccessAttempt": (_("failed login attempt"), _("failed login attempts")),
            "AccessFailureLog": (_("failed login"), _("failed logins")),
            "AccessLog": (_("login"), _("logins")),
            "AccessAttemptExpiration": (_("lockout expiry"), _("lockout expiries")),
        },
    ),
    "django_tasks_database": (
        _("Background tasks"),
        {"DBTaskResult": (_("task result"), _("task results"))},
    ),
}


class WebConfig(AppConfig):
    """The web shell: start page, menu, job pages and the URL root. It sits on top of every app
    and is the only place that puts their pages together."""

    name = "legemiddel.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from legemiddel.web.navigation import register_shell_entries

        register_shell_entries()
        for label, (section, models) in LIBRARY_NAMES.items():
            try:
                config = apps.get_app_config(label)
            except LookupError:
                continue
            config.verbose_name = section
            for model in config.get_models():
                if model.__name__ in models:
                    singular, plural = models[model.__name__]
                    model._meta.verbose_name = singular
                    model._meta.verbose_name_plural = plural
