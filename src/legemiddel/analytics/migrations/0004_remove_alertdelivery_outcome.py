import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_alertdelivery_outcome_to_mail_log")]

    operations = [
        migrations.RemoveField(model_name="alertdelivery", name="error"),
        migrations.RemoveField(model_name="alertdelivery", name="sent_at"),
        migrations.RemoveField(model_name="alertdelivery", name="status"),
        migrations.AlterField(
            model_name="alertdelivery",
            name="mail",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.maildelivery",
                verbose_name="e-mail delivery",
            ),
        ),
    ]
