from django.db import migrations, models


def clear(apps, schema_editor):
    """A closed period's objectives are history: none of them is orphaned."""
    Objective = apps.get_model("alignment", "Objective")
    Objective.objects.filter(period__state="closed", orphaned=True).update(orphaned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0003_stored_rollup"),
    ]

    operations = [
        migrations.AlterField(
            model_name="objective",
            name="orphaned",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="Active, not covered, of an open period.",
            ),
        ),
        migrations.RunPython(clear, migrations.RunPython.noop),
    ]
