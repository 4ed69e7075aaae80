"""Month indexes on the fact tables, chosen per database, and cheaper ids on PostgreSQL.

A B-tree index on ``month`` and the id sequence cost more than the rest of a million-row COPY on
PostgreSQL. There the month index is BRIN (a few pages; facts arrive roughly in month order, and
the index is only used to replace a month's rows) and the id sequences hand out ids in blocks of
1 000. SQLite has no BRIN; it keeps an ordinary index.
"""

from django.db import migrations, models

FACT_TABLES = ("usage_salesline", "usage_dispensing", "usage_administration", "usage_eprescription")
BULK_TABLES = (*FACT_TABLES, "usage_monthlyusage")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FACT_TABLES:
        method = "USING brin " if vendor == "postgresql" else ""
        schema_editor.execute(f"CREATE INDEX {table}_month ON {table} {method}(month)")
    if vendor == "postgresql":
        for table in BULK_TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE 1000")


def backwards(apps, schema_editor):
    for table in FACT_TABLES:
        schema_editor.execute(f"DROP INDEX {table}_month")


class Migration(migrations.Migration):
    dependencies = [
        ("usage", "0002_bulk_tables_without_constraints"),
    ]

    operations = [
        migrations.AlterField(
            model_name="administration",
            name="month",
            field=models.DateField(verbose_name="month"),
        ),
        migrations.AlterField(
            model_name="dispensing",
            name="month",
            field=models.DateField(verbose_name="month"),
        ),
        migrations.AlterField(
            model_name="eprescription",
            name="month",
            field=models.DateField(verbose_name="month"),
        ),
        migrations.AlterField(
            model_name="salesline",
            name="month",
            field=models.DateField(verbose_name="month"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
