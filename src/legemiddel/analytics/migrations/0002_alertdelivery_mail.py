import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("core", "0004_maildelivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="alertdelivery",
            name="mail",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.maildelivery",
                verbose_name="e-mail delivery",
            ),
        ),
    ]
