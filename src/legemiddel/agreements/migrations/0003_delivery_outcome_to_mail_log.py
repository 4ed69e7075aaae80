"""Move what happened to each notice delivery (status, attempts, error, time) into the mail log.

Deliveries not yet sent, and recipients without an address, get no log row: their status is
worked out from the address and the missing row."""

from django.db import migrations


def to_log(apps, schema_editor):
    Delivery = apps.get_model("agreements", "Delivery")
    MailDelivery = apps.get_model("core", "MailDelivery")
    tried = Delivery.objects.filter(status__in=["sent", "failed"]).select_related("notice")
    for delivery in list(tried):
        notice = delivery.notice
        entry = MailDelivery.objects.create(
            kind="notice",
            ref=f"notice:{notice.pk}",
            email=delivery.email,
            name=delivery.name[:200],
            subject=notice.subject[:200],
            status=delivery.status,
            attempts=delivery.attempts,
            error=delivery.error,
            sent_at=delivery.sent_at,
        )
        MailDelivery.objects.filter(pk=entry.pk).update(
            created_at=notice.approved_at or notice.created_at
        )
        delivery.mail = entry
        delivery.save(update_fields=["mail"])


def from_log(apps, schema_editor):
    Delivery = apps.get_model("agreements", "Delivery")
    for delivery in list(Delivery.objects.select_related("mail")):
        entry = delivery.mail
        if entry is not None and entry.status != "queued":
            delivery.status = entry.status
            delivery.attempts, delivery.error, delivery.sent_at = (
                entry.attempts,
                entry.error,
                entry.sent_at,
            )
        else:
            delivery.status = "pending" if delivery.email else "no_address"
        delivery.mail = None
        delivery.save(update_fields=["status", "attempts", "error", "sent_at", "mail"])


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_delivery_mail")]

    operations = [migrations.RunPython(to_log, from_log)]
