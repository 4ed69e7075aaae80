from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agreements", "0003_delivery_outcome_to_mail_log")]

    operations = [
        migrations.RemoveField(model_name="delivery", name="attempts"),
        migrations.RemoveField(model_name="delivery", name="error"),
        migrations.RemoveField(model_name="delivery", name="sent_at"),
        migrations.RemoveField(model_name="delivery", name="status"),
    ]
