"""Move what happened to each monthly e-mail (status, error, time) into the mail log.

The old rows kept no subject or attempts: the log gets the subject without the count, and one
attempt for a message that was tried."""

from django.db import migrations


def to_log(apps, schema_editor):
    AlertDelivery = apps.get_model("analytics", "AlertDelivery")
    MailDelivery = apps.get_model("core", "MailDelivery")
    for alert in list(AlertDelivery.objects.select_related("user")):
        user = alert.user
        tried = alert.status in {"sent", "failed"}
        entry = MailDelivery.objects.create(
            kind="alert",
            ref=f"alert:{alert.month:%Y-%m}",
            email=user.email,
            name=(f"{user.first_name} {user.last_name}".strip() or user.username)[:200],
            subject=f"Legemiddeloppfølging {alert.month:%m.%Y}",
            status=alert.status if tried else "queued",
            attempts=1 if tried else 0,
            error=alert.error,
            sent_at=alert.sent_at if alert.status == "sent" else None,
        )
        if alert.sent_at is not None:
            MailDelivery.objects.filter(pk=entry.pk).update(created_at=alert.sent_at)
        alert.mail = entry
        alert.save(update_fields=["mail"])


def from_log(apps, schema_editor):
    AlertDelivery = apps.get_model("analytics", "AlertDelivery")
    for alert in list(AlertDelivery.objects.select_related("mail")):
        entry = alert.mail
        alert.status = "pending" if entry.status == "queued" else entry.status
        alert.error = entry.error
        alert.sent_at = entry.sent_at or (entry.created_at if entry.status == "failed" else None)
        alert.mail = None
        alert.save(update_fields=["status", "error", "sent_at", "mail"])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_alertdelivery_mail")]

    operations = [migrations.RunPython(to_log, from_log)]
