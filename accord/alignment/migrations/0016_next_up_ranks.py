from django.db import migrations, models


def rank_proposed_work(apps, schema_editor):
    """Each team's proposed initiatives get a Next up order: the order they were entered in
    (oldest first), dense 1..n per team."""
    Initiative = apps.get_model("alignment", "Initiative")
    rows = (
        Initiative.objects.filter(status="proposed")
        .order_by("team_id", "id")
        .values_list("pk", "team_id")
    )
    changed, team, n = [], None, 0
    for pk, team_id in rows.iterator():
        n = n + 1 if team_id == team else 1
        team = team_id
        changed.append(Initiative(pk=pk, next_rank=n))
        if len(changed) >= 1000:
            Initiative.objects.bulk_update(changed, ["next_rank"])
            changed = []
    if changed:
        Initiative.objects.bulk_update(changed, ["next_rank"])


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0015_organization_objectives_have_no_team"),
    ]

    operations = [
        migrations.AddField(
            model_name="initiative",
            name="next_rank",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Position in the team's Next up list (1 = first).",
                null=True,
            ),
        ),
        migrations.RunPython(rank_proposed_work, migrations.RunPython.noop, elidable=True),
    ]
