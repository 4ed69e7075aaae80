from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from legemiddel.core.models import AuditEvent, Job, MailDelivery, WorkerProcess


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "file_name",
        "created_by",
        "created_at",
        "finished_at",
        "worker_id",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, also for administrators."""

    list_display = ["at", "username", "action", "path", "ip_address", "detail"]
    list_filter = ["action"]
    search_fields = ["username", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MailDelivery)
class MailDeliveryAdmin(admin.ModelAdmin):
    """Read-only: the log says what was sent; resending happens where the e-mail belongs."""

    list_display = [
        "created_at",
        "kind",
        "ref",
        "email",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["ref", "email", "name", "subject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerProcess)
class WorkerProcessAdmin(admin.ModelAdmin):
    """Read-only: the running workers and their last heartbeat (docs/operations.md)."""

    list_display = ["worker_id", "host", "pid", "started_at", "last_beat"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
