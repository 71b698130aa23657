"""Reads of the event log shared by pages: the feed, the kinds of object it holds, and names
for the ids that events refer to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone

from accord.activity import describe
from accord.activity.models import Event, EventQuerySet
from accord.activity.teams import kinds_with_other_teams
from accord.org.models import Person, Role, Team
from accord.org.queries import covers_every_team, subtree_ids

# Kinds of object the feed leaves out unless asked for by kind: Accord's delivery of each
# reader's weekly briefing (one event per person a week: 100,000 at once in a large
# organization), which each reader finds on their own briefings page; and sign-ins,
# lockouts and password changes (`activity.signins`: everyone's, every day), which admins
# read under the kind "Account".
QUIET_KINDS = ("briefings.briefing", "auth.user")

# One person's own settings and reading: how Accord reaches them, when they get their
# weekly briefing, their calendar address, what they muted, their time off, their tokens,
# saved views, inbox and downloads of their own data. The event log keeps them (admins
# audit it); nobody else reads them in the feed, a history or the events API. (A team's
# chat summary schedule is a briefing schedule too: its changes are read by the lead who
# made them and admins.)
PERSONAL_KINDS = (
    "activity.deliverypreferences",
    "api.apitoken",
    "briefings.briefingschedule",
    "conversation.inboxitem",
    "interchange.personaldataexport",
    "rhythm.away",
    "rhythm.cadencemute",
    "rhythm.calendarfeed",
    "web.savedview",
)
PERSONAL_VERBS = ("inbox_read",)
# What only admins manage, and so only admins read in the feed, a history or the events API:
# outbound webhooks, whose address often carries a secret (…/hooks/T0/B0/xyz, ?token=), and
# people's accounts: who signed in, whose sign-in was locked, who changed their password
# (activity.signins); and exports of the whole organization (everyone's addresses).
ADMIN_KINDS = ("hooks.webhook", "auth.user", "interchange.organizationexport")
# How admins manage people's accounts: a login given, a password set, a sign-in link made.
# Home's "Recent activity" leaves them out for everyone but admins (the Activity page and a
# person's history still show them).
ACCOUNT_VERBS = ("login_given", "password_set", "password_retired", "sign_in_link_made")


def seen_by(events: EventQuerySet, viewer: Person | None) -> EventQuerySet:
    """`events` less other people's personal ones (PERSONAL_KINDS) and those of what only
    admins manage (ADMIN_KINDS), for anyone but an admin; `None` is Accord itself, which
    reads everything."""
    if viewer is None or viewer.has_role(Role.ADMIN):
        return events
    personal = Q(target_type__in=PERSONAL_KINDS) | Q(verb__in=PERSONAL_VERBS)
    return events.exclude(personal & ~Q(actor_id=viewer.pk)).exclude(target_type__in=ADMIN_KINDS)


# What a person's events hold that not everyone reads: their other addresses and handles.
IDENTITY_KEYS = ("emails", "handles")


def shown_to(events: Iterable[Event], viewer: Person | None) -> list[Event]:
    """`events` (a page, read) as `viewer` reads their values: the events of a person whose
    other addresses and handles `viewer` may not see (`permissions.can_see_identities`)
    without them, before and after. The page is changed in memory, the log is not; one
    query reads whether those people are active. `seen_by` says which events; this, what of
    them. `None` is Accord itself, which reads everything."""
    from accord.org.permissions import can_see_identities

    events = list(events)
    if viewer is None or viewer.has_role(Role.ADMIN):
        return events
    holding = [
        e
        for e in events
        if e.target_type == "org.person"
        and any(k in values for values in (e.before, e.after) for k in IDENTITY_KEYS)
    ]
    ids = {int(e.target_id) for e in holding if e.target_id.isdigit()}
    people = Person.objects.filter(org_id=viewer.org_id, pk__in=ids).only("pk", "is_active")
    may_see = {p.pk for p in people if can_see_identities(viewer, p)}
    for e in holding:
        if not e.target_id.isdigit() or int(e.target_id) not in may_see:
            e.before = {k: v for k, v in e.before.items() if k not in IDENTITY_KEYS}
            e.after = {k: v for k, v in e.after.items() if k not in IDENTITY_KEYS}
    return events


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the current time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def feed(
    org,
    viewer: Person | None,
    *,
    target_type: str = "",
    actor_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    team: Team | None = None,
    only: bool = False,
    teams: list[Team] | None = None,
    also: Callable[[EventQuerySet], EventQuerySet] | None = None,
) -> EventQuerySet:
    """The organization's events as `viewer` may read them (`seen_by`), newest first, of
    one kind of object and/or one actor (without the QUIET_KINDS unless that kind is asked
    for), about `team` and the teams below it (`only`: the team alone; an event is about
    its subject's team and the second team it concerns, `activity.teams`), recorded from
    the day `since` to the day `until` (both included, in the current time zone). Each
    filter is a range on `created_at` after the equalities of one of the event indexes
    (org; org and kind; org and actor; team; second team), so a page is read off an index
    in order whatever the size of the log. A team's feed is two such reads in one
    statement (`of_team`): it can be ordered and sliced, not filtered further. `teams`
    (instead of `team`): about any of them and the teams below them (`of_teams`: home's
    feed of the reader's teams). `also`: a further filter of each read (home's)."""

    def narrow(events: EventQuerySet) -> EventQuerySet:
        events = seen_by(events, viewer)
        if target_type:
            events = events.filter(target_type=target_type)
        else:
            events = events.exclude(target_type__in=QUIET_KINDS)
        if actor_id is not None:
            # Not joined to the person: SQLite then read the person first and that
            # person's events through the bare foreign-key index, sorting every one of
            # them; alone, the (org, actor, created_at, id) index gives a page in order.
            # Each event names its actor itself (`actor_name`).
            events = events.filter(actor_id=actor_id)
        elif team is None and not teams:
            # Nor for a team's: joined, SQLite reads every event of the subtree (and its
            # person) before sorting, instead of stopping each team's seek at a page.
            events = events.select_related("actor")
        if since is not None:
            events = events.filter(created_at__gte=day_start(since))
        if until is not None:
            events = events.filter(created_at__lt=day_start(until + dt.timedelta(days=1)))
        return also(events) if also is not None else events

    if teams:
        return of_teams(org, teams, narrow=narrow)
    if team is None:
        return narrow(Event.objects.for_org(org))
    return of_team(org, team, only=only, narrow=narrow, target_type=target_type)


# A subtree of at most this many teams is named by its ids, a larger one by the recursive
# subquery (`org.queries.subtree_ids`): either way the database knows how many teams it is.
FEW_TEAMS = 64


class Unlikely(models.Func):
    """SQLite's `unlikely(condition)`: the condition unchanged, and a hint to its planner
    that few rows meet it, so it seeks them through their index rather than walking
    another in order (its indexes are still used for the condition)."""

    function = "unlikely"
    output_field = models.BooleanField()


def of_team(
    org,
    team: Team,
    *,
    only: bool = False,
    narrow: Callable[[EventQuerySet], EventQuerySet] = lambda events: events,
    target_type: str = "",
) -> EventQuerySet:
    """The organization's events about `team` and the teams below it (`only`: the team
    alone), as `narrow` filters them, newest first: those whose team is one of them, off
    the (team, created_at, id) index, and those whose second team is (a dependency asked
    of one of them, `activity.teams`), off (other_team, created_at, id, team). Each event
    once, even when both its teams are among them. The only team at the top has every
    event (the organization's own too); asked for one kind of object (`target_type`) that
    never has a second team (`teams.kinds_with_other_teams`), only the team index is read.

    A subtree of a few teams is named by its ids (one query finds them): a database that
    cannot tell how many teams a recursive subquery gives walks the organization's whole
    log in order to find a leaf's few events (half a second on PostgreSQL at 3,000 teams).

    PostgreSQL reads "team or second team" in one WHERE: it walks the log in order while
    the subtree's events are dense, else ORs the two indexes (bench/README.md, "A team's
    activity with its second team").

    SQLite, given that OR, gathers every event of the subtree from both indexes to sort
    them (a department of 1,100 teams at 10,000 teams: 175 ms instead of 7), so it reads
    the two as one statement, UNION ALL ordered as the feed, where each part gets the
    page's LIMIT (the offset's rows and the page's) and each team's seek stops there. The
    parts are `Unlikely`: without a LIMIT of their own, SQLite walked the whole log in
    order for a subtree it reckoned a large part of it. An event both of whose teams are in
    the subtree is read by the first part only: the second checks the event's team in its
    index, without reading the event. The organization is checked on each row
    (`org_id + 0`), not through an index: its statistics, sampled, say an organization has
    a thousand events, so it would walk the log through (org, created_at) whatever the
    subtree. Such a feed can be ordered and sliced, not filtered further."""
    if not only and covers_every_team(team):
        return narrow(Event.objects.for_org(org))
    ids = subtree_ids(team, only=only)
    if not isinstance(ids, list):
        found = Team.objects.filter(pk__in=ids).order_by().values_list("pk", flat=True)
        few = list(found[: FEW_TEAMS + 1])
        ids = few if len(few) <= FEW_TEAMS else ids
    return _about_teams(org, ids, narrow=narrow, target_type=target_type)


def of_teams(
    org,
    teams: list[Team],
    *,
    narrow: Callable[[EventQuerySet], EventQuerySet] = lambda events: events,
) -> EventQuerySet:
    """`of_team` for several teams: the organization's events about any of `teams` and
    the teams below them, each event once, newest first. One query finds the teams (their
    ids, when few; else they stay a subquery), as for one team; one of them at the top
    (`covers_every_team`) is every event."""
    if len(teams) == 1:
        return of_team(org, teams[0], narrow=narrow)
    if any(covers_every_team(t) for t in teams):
        return narrow(Event.objects.for_org(org))
    below = Q()
    for team in teams:
        below |= Q(pk__in=subtree_ids(team))
    found = Team.objects.filter(below).order_by().values_list("pk", flat=True)
    few = list(found[: FEW_TEAMS + 1])
    return _about_teams(org, few if len(few) <= FEW_TEAMS else found, narrow=narrow)


def _about_teams(
    org,
    ids,
    *,
    narrow: Callable[[EventQuerySet], EventQuerySet],
    target_type: str = "",
) -> EventQuerySet:
    """The events whose team or second team is one of `ids` (a list or a subquery), as
    `of_team` reads them."""
    one_team = bool(target_type) and target_type not in kinds_with_other_teams()
    if connection.vendor != "sqlite":
        events = Event.objects.for_org(org)
        if one_team:
            return narrow(events.filter(team_id__in=ids))
        return narrow(events.filter(Q(team_id__in=ids) | Q(other_team_id__in=ids)))
    events = Event.objects.alias(in_org=F("org_id") + 0).filter(in_org=org.pk)
    if one_team:
        return narrow(events.filter(team_id__in=ids))
    own = events.filter(Unlikely(Q(team_id__in=ids)))
    second = events.filter(Unlikely(Q(other_team_id__in=ids))).exclude(team_id__in=ids)
    parts = (narrow(own).order_by(), narrow(second).order_by())
    return parts[0].union(parts[1], all=True).order_by("-created_at", "-id")


def target_types(org) -> list[str]:
    """The kinds of object the organization's events are about, sorted, in one query.

    A plain DISTINCT reads every event (a million at 10,000 teams); this walks the
    (org, target_type, …) index from one kind to the next, one seek per kind, on SQLite and
    PostgreSQL alike.
    """
    table = connection.ops.quote_name(Event._meta.db_table)
    sql = f"""
        WITH RECURSIVE kinds(kind) AS (
            SELECT MIN(target_type) FROM {table} WHERE org_id = %s
            UNION ALL
            SELECT (SELECT MIN(target_type) FROM {table} WHERE org_id = %s AND target_type > kind)
            FROM kinds WHERE kind IS NOT NULL
        )
        SELECT kind FROM kinds WHERE kind IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, org.pk])
        return [row[0] for row in cursor.fetchall()]


def kinds_offered(org, viewer: Person | None, chosen: str = "") -> list[tuple[str, str]]:
    """The activity page's "Kind" choices for `viewer`: (kind, label) of what the
    organization's events are about, by label. Anyone but an admin is offered neither the
    kinds only admins read (ADMIN_KINDS) nor the PERSONAL_KINDS, of which their feed shows
    only their own (still there under "Everything"); `chosen`, the kind asked for, stays
    offered so that the choice shows what the feed is."""
    kinds = target_types(org)
    if viewer is not None and not viewer.has_role(Role.ADMIN):
        hidden = set(ADMIN_KINDS) | set(PERSONAL_KINDS)
        kinds = [k for k in kinds if k not in hidden or (k == chosen and k in PERSONAL_KINDS)]
    return sorted(((k, describe.kind_title(k)) for k in kinds), key=lambda pair: pair[1])


# Keys events use for other objects that are not fields of the event's own model (a link
# recorded on an initiative names the key result it now serves).
REFERENCES = {
    "key_result": "alignment.KeyResult",
    "objective": "alignment.Objective",
    "carried_from": "alignment.Objective",
    "parent": "alignment.Objective",  # an objective's link; a team's parent is its own field
    "person": "org.Person",
    "recorded_by": "org.Person",  # who recorded a key result's value that was removed
    "cascade_to": "org.Team",
    "supersedes": "decisions.Decision",
    "history_moved_to": "org.Team",  # a deleted team's events, now its parent's
    # Whom a comment mentions (`conversation.services.post_comment`): people and teams.
    "mentions": "org.Person",
    "team_mentions": "org.Team",
}


@cache
def _relation(target_type: str, key: str) -> type[models.Model] | None:
    """The model a changed field of `target_type` refers to by id, read from the model itself
    (a foreign key or a many-to-many), or None for a plain value or an unknown field."""
    try:
        model = apps.get_model(target_type)
        field = model._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        try:
            return apps.get_model(REFERENCES[key]) if key in REFERENCES else None
        except LookupError:
            return None
    if isinstance(field, models.ForeignKey | models.ManyToManyField):
        return field.related_model
    return None


def _ids(value: object) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def name_references(org, events: Iterable[Event]) -> list[Event]:
    """Give each event the names of the objects its changes refer to by id, so a history
    reads "parent: Engineering" rather than "parent: 16". One query per kind of object,
    and only the organization's own objects are named."""
    events = list(events)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in events:
        for key in {*event.before, *event.after}:
            model = _relation(event.target_type, key)
            if model is not None:
                wanted[model].update(_ids(event.before.get(key)) + _ids(event.after.get(key)))
    names: dict[type[models.Model], dict[int, str]] = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=ids)
        if any(f.name == "org" for f in model._meta.concrete_fields):
            rows = rows.filter(org=org)
        names[model] = {obj.pk: str(obj) for obj in rows}
        gone = ids - set(names[model])
        if gone:  # deleted since: named as the log last knew them
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            labels = (
                Event.objects.for_org(org)
                .filter(target_type=label, target_id__in=[str(pk) for pk in gone])
                .exclude(target_label="")
                .order_by("created_at", "id")
                .values_list("target_id", "target_label")
            )
            for target_id, target_label in labels:
                names[model][int(target_id)] = f"{target_label} (deleted)"
    for event in events:
        event.reference_names = {
            key: names[model]
            for key in {*event.before, *event.after}
            if (model := _relation(event.target_type, key)) in names
        }
    return events
