"""Calendar feeds keep only a hash of their secret, as API tokens do.

Existing secrets are hashed in place, so every address already handed to a calendar
app keeps working; the secrets themselves are then dropped. Going back gives each feed
a new random secret: the old addresses cannot be recovered from their hashes."""

import hashlib
import secrets

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("rhythm", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token").iterator(chunk_size=500):
        CalendarFeed.objects.filter(pk=feed.pk).update(
            digest=hashlib.sha256(feed.token.encode()).hexdigest(), prefix=feed.token[:6]
        )


def new_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("rhythm", "CalendarFeed")
    for pk in CalendarFeed.objects.values_list("pk", flat=True).iterator(chunk_size=500):
        CalendarFeed.objects.filter(pk=pk).update(token=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("rhythm", "0002_delivery_moves_to_activity"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="digest",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="prefix",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The first characters of the secret, to recognise it.",
                max_length=12,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(hash_tokens, new_tokens),
        migrations.RemoveField(
            model_name="calendarfeed",
            name="token",
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="digest",
            field=models.CharField(
                help_text="SHA-256 of the secret in the feed's address.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
