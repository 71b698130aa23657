"""Each person's last sign-in to their own organization (`Person.last_signed_in`), where the
pages read their login's last sign-in before: that one counts every organization the login
is in, so one organization's admins saw when someone used another.

Filled as the pages read it before where that told no other organization's use: a login
that is a person in one organization only has its last sign-in there (`last_login`, since
they were added). A login in several is filled from the sign-in events of each
organization (`activity.signins.landed`), but for those recorded in all of them at once, as
Accord did for a few days before a sign-in was one organization's event: those say nothing
of which one was used. People without a login (forgotten ones) keep none."""

from collections import Counter, defaultdict

from django.db import migrations, models

ACCOUNT = "auth.user"  # as in accord.activity.signins, frozen here
SIGNED_IN = "signed_in"
BATCH = 500
# Sign-ins of one login recorded in several organizations this close together were one
# sign-in written to each of them.
TOGETHER_SECONDS = 2


def _together(rows: list, i: int) -> bool:
    """Whether the sign-in `rows[i]` of a login (rows by time) was recorded in another
    organization at the same moment too."""
    at, org_id = rows[i]
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(rows) and abs((rows[j][0] - at).total_seconds()) <= TOGETHER_SECONDS:
            if rows[j][1] != org_id:
                return True
            j += step
    return False


def fill_last_signed_in(apps, schema_editor=None) -> int:
    """Set each person's last sign-in (see above): one read of the people with a login, one
    of the sign-in events when some login is in several organizations, then the people
    written in batches. Returns how many were set."""
    Event = apps.get_model("activity", "Event")
    Person = apps.get_model("org", "Person")
    people = list(
        Person.objects.filter(user__isnull=False)
        .order_by("id")
        .values_list("id", "org_id", "user_id", "created_at", "user__last_login", "last_signed_in")
    )
    orgs_of = Counter(user_id for _, _, user_id, *_ in people)
    events: dict[tuple[int, int], object] = {}
    if any(n > 1 for n in orgs_of.values()):
        by_login = defaultdict(list)
        for org_id, target_id, at in (
            Event.objects.filter(target_type=ACCOUNT, verb=SIGNED_IN)
            .order_by()
            .values_list("org_id", "target_id", "created_at")
        ):
            if target_id and target_id.isdigit() and orgs_of.get(int(target_id), 0) > 1:
                by_login[int(target_id)].append((at, org_id))
        for user_id, rows in by_login.items():
            rows.sort(key=lambda row: row[0])
            for i, (at, org_id) in enumerate(rows):
                if _together(rows, i):
                    continue
                key = (org_id, user_id)
                if key not in events or events[key] < at:
                    events[key] = at
    batch, done = [], 0
    for pk, org_id, user_id, created_at, last_login, already in people:
        if already is not None:
            continue
        if orgs_of[user_id] == 1:
            last = last_login if last_login is not None and last_login >= created_at else None
        else:
            last = events.get((org_id, user_id))
        if last is None:
            continue
        batch.append(Person(pk=pk, last_signed_in=last))
        if len(batch) >= BATCH:
            Person.objects.bulk_update(batch, ["last_signed_in"])
            done, batch = done + len(batch), []
    if batch:
        Person.objects.bulk_update(batch, ["last_signed_in"])
        done += len(batch)
    return done


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0014_kinds_and_roles_of_generated_organizations"),
        ("activity", "0010_notification_text_kept"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="last_signed_in",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_last_signed_in, migrations.RunPython.noop),
    ]
