from django.db import migrations


def clear_teams(apps, schema_editor):
    """An organization objective belongs to no team. The objective form could save one with
    the team its picker was left on; such a team is taken off, so that the objective shows,
    sorts and exports as the other organization objectives do, and an export of it applies
    (the services refuse an organization objective with a team)."""
    Objective = apps.get_model("alignment", "Objective")
    Objective.objects.filter(level="org", team__isnull=False).update(team=None)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0014_proposed_work_serves_objectives"),
    ]

    operations = [
        migrations.RunPython(clear_teams, migrations.RunPython.noop, elidable=True),
    ]
