"""Count stored follow-through anew with the rule for on time (`followthrough.done_in_time`):
done before the due day has ended everywhere on Earth (12:00 UTC the next day), where it
was done by the end of the due day's UTC date, so that an item finished in the evening of
its due day west of UTC (01:30 UTC the next day) counted late."""

from django.db import migrations


def recount(apps, schema_editor):
    from accord.decisions import followthrough

    Organization = apps.get_model("org", "Organization")
    for org_id in Organization.objects.order_by("id").values_list("id", flat=True):
        followthrough.recompute(org_id, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0019_action_items_open_by_owner"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
