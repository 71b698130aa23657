"""Organizations `accord generate` made before it gave them the default kinds of team and
roles in a team (between 0005/0006, which seeded the organizations of the time, and the
generator's `add_default_kinds_and_roles`) have none: each gets the defaults, as every
other organization started with them. An organization that has none because its admins
removed them all (each removal is in its event log) is left as its admins made it."""

from django.db import migrations

DEFAULT_TEAM_KINDS = (  # as in accord.org.models, frozen here
    ("department", "Department"),
    ("team", "Team"),
    ("sig", "Special-interest group"),
    ("working-group", "Working group"),
    ("committee", "Committee"),
    ("guild", "Guild"),
)
DEFAULT_TEAM_ROLES = (  # as in accord.org.models, frozen here
    ("lead", "Lead"),
    ("co-lead", "Co-lead"),
    ("chair", "Chair"),
    ("member", "Member"),
    ("liaison", "Liaison"),
)


def seed_missing(apps, schema_editor):
    Organization = apps.get_model("org", "Organization")
    Event = apps.get_model("activity", "Event")
    for model_name, defaults in (
        ("TeamKind", DEFAULT_TEAM_KINDS),
        ("TeamRole", DEFAULT_TEAM_ROLES),
    ):
        model = apps.get_model("org", model_name)
        target_type = f"org.{model_name.lower()}"
        had = set(model.objects.values_list("org_id", flat=True).distinct())
        for org_id in Organization.objects.values_list("id", flat=True).iterator():
            if org_id in had:
                continue
            # Its admins removed them all: on the events' (org, target type) index, not a
            # read of the whole event log.
            if Event.objects.filter(org_id=org_id, target_type=target_type).exists():
                continue
            model.objects.bulk_create([model(org_id=org_id, slug=s, name=n) for s, n in defaults])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0013_verbose_names"),
        ("activity", "0010_notification_text_kept"),
    ]

    operations = [migrations.RunPython(seed_missing, migrations.RunPython.noop)]
