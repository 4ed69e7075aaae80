from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "legemiddel.accounts"
    label = "accounts"
    verbose_name = _("Users and access")

    def ready(self) -> None:
        # Django's auth signals are the documented hook for login events; they also fire for
        # an OpenID Connect backend added later, so the audit trail does not depend on the view.
        from legemiddel.accounts import receivers  # noqa: F401
        from legemiddel.core.navigation import NavItem, register_menu_item

        _register_login_logs()

        register_menu_item(
            NavItem(
                "accounts:audit",
                _("Audit log"),
                _("Logins, failed logins, denied access, role changes and imports."),
                order=950,
            )
        )


def _register_login_logs() -> None:
    """django-axes keeps every login (AccessLog), every failed one (AccessFailureLog) and the
    lockout counters (AccessAttempt); they are kept for LOGIN_LOG_RETENTION_DAYS."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from legemiddel.core.retention import RetentionRule, register

    for label, model in (
        ("innlogginger", AccessLog),
        ("mislykkede innlogginger", AccessFailureLog),
        ("innloggingstellere", AccessAttempt),
    ):
        register(RetentionRule(label, model, "attempt_time", "LOGIN_LOG_RETENTION_DAYS"))
