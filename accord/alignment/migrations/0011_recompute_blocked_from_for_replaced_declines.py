from django.db import migrations


def refill(apps, schema_editor):
    """A declined request now blocks its initiative unless a request made since replaced
    it, whatever else the initiative asked before (`alignment.blocked`): recompute every
    organization's stored "blocked from" day under that rule."""
    from accord.alignment import blocked

    Organization = apps.get_model("org", "Organization")
    for org_id in Organization.objects.values_list("id", flat=True):
        blocked.recompute(org_id, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0010_key_results_in_order_index"),
        ("coordination", "0006_dependency_marked_delivered_on"),
    ]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
