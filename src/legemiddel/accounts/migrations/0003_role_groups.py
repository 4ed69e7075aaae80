from django.db import migrations

# Frozen copy of the role values at the time of this migration; new roles get new migrations.
ROLE_VALUES = [
    "core_group",
    "drug_committee",
    "procurement_adviser",
    "unit_leader",
    "controller",
    "advisory_pharmacist",
    "prescriber",
    "pharmacy",
    "assessment_committee",
    "medical_director",
    "auditor",
    "administrator",
]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for value in ROLE_VALUES:
        Group.objects.get_or_create(name=value)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
