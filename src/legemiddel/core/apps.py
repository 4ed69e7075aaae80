from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "legemiddel.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from legemiddel.core import retention
        from legemiddel.core.models import AuditEvent

        retention.register(
            retention.RetentionRule("revisjonshendelser", AuditEvent, "at", "AUDIT_RETENTION_DAYS")
        )
