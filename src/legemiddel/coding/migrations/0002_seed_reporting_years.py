"""The ISF figures the issue gives (somatic unit price, ISF share); other years are entered by
the core group. A year without a unit price shows "sats mangler"."""

from django.db import migrations

FIGURES = {
    2018: (43428, 0.5),
    2020: (45808, 0.5),
    2023: (None, 0.4),
    2024: (52248, 0.4),
}


def seed(apps, schema_editor):
    ReportingYear = apps.get_model("coding", "ReportingYear")
    for year, (price, share) in FIGURES.items():
        ReportingYear.objects.get_or_create(
            year=year, defaults={"unit_price": price, "isf_share": share}
        )


class Migration(migrations.Migration):
    dependencies = [("coding", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
