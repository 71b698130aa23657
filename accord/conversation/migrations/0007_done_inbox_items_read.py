"""A done item is read: the items done by themselves before that held (what they were
about answered, decided or finished) read as read from when they were done."""

from django.db import migrations
from django.db.models import F


def done_is_read(apps, schema_editor):
    InboxItem = apps.get_model("conversation", "InboxItem")
    InboxItem.objects.filter(done_at__isnull=False, read_at__isnull=True).update(
        read_at=F("done_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conversation", "0006_inbox_issue_you_raised"),
    ]

    operations = [
        migrations.RunPython(done_is_read, migrations.RunPython.noop),
    ]
