"""End the current terms that retiring a team or deactivating a person left open before
both began to end them (`services.retire_team`, `services.update_person`): a term in a
retired team ends on its retirement day, a term of a deactivated person today (or on its
start, if later). Each ended term gets its "ended" event, by Accord, saying why, as the
services record it. Without it, a retired team's former members stay allocated to it (and
are refused by their next team at 100%), and the API lists deactivated people as members.
"""

from __future__ import annotations

from django.db import migrations
from django.utils.timezone import localdate

CHUNK = 500


def _end(apps, terms, day_of, why_of) -> None:
    Membership = apps.get_model("org", "Membership")
    Event = apps.get_model("activity", "Event")
    TeamLink = apps.get_model("org", "TeamLink")
    ids = list(terms.values_list("id", flat=True))
    for i in range(0, len(ids), CHUNK):
        chunk = list(
            Membership.objects.filter(id__in=ids[i : i + CHUNK]).select_related("person", "team")
        )
        events = []
        for m in chunk:
            day = day_of(m)
            if m.started_on and m.started_on > day:
                day = m.started_on
            m.ended_on = day
            m.version += 1
            TeamLink.objects.filter(
                kind="liaison", from_team_id=m.team_id, person_id=m.person_id
            ).delete()
            events.append(
                Event(
                    org_id=m.org_id,
                    actor=None,
                    actor_name="Accord",
                    verb="ended",
                    target_type="org.membership",
                    target_id=str(m.pk),
                    target_label=f"{m.person.name} in {m.team.name}"[:300],
                    before={"ended_on": None},
                    after={"ended_on": day.isoformat(), "reason": why_of(m)},
                )
            )
        Membership.objects.bulk_update(chunk, ["ended_on", "version"])
        Event.objects.bulk_create(events)


def end_open_terms(apps, schema_editor) -> None:
    Membership = apps.get_model("org", "Membership")
    open_terms = Membership.objects.filter(ended_on__isnull=True)
    today = localdate()
    _end(
        apps,
        open_terms.filter(team__state="retired"),
        lambda m: m.team.retired_on or today,
        lambda m: f"{m.team.name} was retired",
    )
    _end(
        apps,
        open_terms.filter(person__is_active=False),
        lambda m: today,
        lambda m: f"{m.person.name} was deactivated",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0010_person_by_role"),
        ("activity", "0004_event_on_behalf_of"),
    ]

    operations = [migrations.RunPython(end_open_terms, migrations.RunPython.noop)]
