from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("methods", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="method",
            name="substances_by_hand",
            field=models.BooleanField(default=False, verbose_name="substances picked by hand"),
        ),
        migrations.AddField(
            model_name="method",
            name="links_by_hand",
            field=models.BooleanField(
                default=False, verbose_name="ATC codes and LIS area set by hand"
            ),
        ),
        migrations.AddField(
            model_name="method",
            name="icd10_by_hand",
            field=models.BooleanField(default=False, verbose_name="ICD-10 codes set by hand"),
        ),
        migrations.AddField(
            model_name="method",
            name="substance_pick_needed",
            field=models.BooleanField(default=False, verbose_name="substance must be picked"),
        ),
    ]
