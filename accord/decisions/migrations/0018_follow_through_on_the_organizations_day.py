"""Count stored follow-through anew on the organization's day (`core.days.org_day`).

Whether an item was done on time was decided on the local date of whoever marked it done
or reopened it (the person's zone on the web, UTC through the API and the worker), so a
reopen could take off what its completion had not added and leave a count below zero."""

from django.db import migrations


def recount(apps, schema_editor):
    from accord.decisions import followthrough

    Organization = apps.get_model("org", "Organization")
    for org_id in Organization.objects.order_by("id").values_list("id", flat=True):
        followthrough.recompute(org_id, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0017_team_history_protected"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
