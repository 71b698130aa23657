from django.db import migrations, models


def fill(apps, schema_editor):
    """Compute the stored "blocked from" day of every existing organization's initiatives."""
    from accord.alignment import blocked

    Organization = apps.get_model("org", "Organization")
    for org_id in Organization.objects.values_list("id", flat=True):
        blocked.recompute(org_id, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0006_agenda_order_indexes"),
        ("coordination", "0003_due_date_stored"),
    ]

    operations = [
        migrations.AddField(
            model_name="initiative",
            name="blocked_from",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
