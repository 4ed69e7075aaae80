"""The start-up meetings now live in governance (copied there, with their ids, by
``governance.0002``): the old tables go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0006_price_access_requests"),
        ("governance", "0002_fora_and_startup_meetings_moved_in"),
    ]

    operations = [
        migrations.DeleteModel(name="Decision"),
        migrations.DeleteModel(name="Participant"),
        migrations.DeleteModel(name="StartupMeeting"),
    ]
