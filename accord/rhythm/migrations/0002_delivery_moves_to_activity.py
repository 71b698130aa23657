"""Notifications, team chat webhooks and people's channel choices move to the one delivery
path (the activity app); the rhythm keeps who muted which cadence.

The three tables keep their rows: they are renamed to the activity app's names here and
taken over by `activity.0002_delivery_path` without being copied. Muted cadences are
copied from the old many-to-many table into `CadenceMute`, one row per person and cadence.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_mutes(apps, schema_editor):
    Settings = apps.get_model("rhythm", "NotificationSettings")
    CadenceMute = apps.get_model("rhythm", "CadenceMute")
    through = Settings._meta.get_field("muted").remote_field.through
    rows = through.objects.values_list(
        "notificationsettings__org_id", "notificationsettings__person_id", "cadence_id"
    ).order_by("pk")
    CadenceMute.objects.bulk_create(
        (CadenceMute(org_id=o, person_id=p, cadence_id=c) for o, p, c in rows.iterator()),
        batch_size=1000,
    )


def copy_mutes_back(apps, schema_editor):
    Settings = apps.get_model("rhythm", "NotificationSettings")
    CadenceMute = apps.get_model("rhythm", "CadenceMute")
    for mute in CadenceMute.objects.order_by("pk").iterator():
        prefs, _ = Settings.objects.get_or_create(
            person_id=mute.person_id, defaults={"org_id": mute.org_id}
        )
        prefs.muted.add(mute.cadence_id)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("rhythm", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CadenceMute",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "cadence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="rhythm.cadence",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="org.organization"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cadence_mutes",
                        to="org.person",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("person", "cadence"), name="rhythm_mute_once")
                ],
            },
        ),
        migrations.RunPython(copy_mutes, copy_mutes_back),
        migrations.RemoveField(model_name="notificationsettings", name="muted"),
        migrations.RemoveField(model_name="notification", name="cadence"),
        migrations.AlterModelTable(name="chatwebhook", table="activity_chatwebhook"),
        migrations.AlterModelTable(name="notification", table="activity_notification"),
        migrations.AlterModelTable(
            name="notificationsettings", table="activity_deliverypreferences"
        ),
        # The tables now belong to the activity app, which takes them over as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationSettings"),
                migrations.DeleteModel(name="ChatWebhook"),
            ],
        ),
    ]
