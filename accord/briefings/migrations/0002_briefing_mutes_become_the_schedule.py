"""The weekly briefing had two switches: its schedule ("Send me my weekly briefing") and a
mute among the kinds of notice. The mute is gone; whoever had muted it keeps it not sent:
their schedule is turned off (kept at its day and hour, or the defaults) and the kind
leaves their mutes."""

from django.db import migrations

KIND = "briefing.weekly"


def forward(apps, schema_editor):
    DeliveryPreferences = apps.get_model("activity", "DeliveryPreferences")
    BriefingSchedule = apps.get_model("briefings", "BriefingSchedule")
    muted = [
        p
        for p in DeliveryPreferences.objects.only("id", "org_id", "person_id", "muted_kinds")
        .filter(muted_kinds__icontains=KIND)
        .iterator()
        if KIND in (p.muted_kinds or [])
    ]
    for prefs in muted:
        schedule, _ = BriefingSchedule.objects.get_or_create(
            org_id=prefs.org_id, person_id=prefs.person_id, defaults={"enabled": False}
        )
        if schedule.enabled:
            BriefingSchedule.objects.filter(pk=schedule.pk).update(
                enabled=False, version=schedule.version + 1
            )
        DeliveryPreferences.objects.filter(pk=prefs.pk).update(
            muted_kinds=[k for k in prefs.muted_kinds if k != KIND]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0001_initial"),
        ("activity", "0006_event_other_team"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
