"""The team an event is about (`Event.team`): the team its subject belongs to, set when the
event is recorded, so a department head reads what happened in their teams off one index.

One rule for every kind of object, read from the models themselves (`team_paths`):

1. a team is its own (a team's deletion is its parent's: the team is gone, the parent stays);
2. else the team its model names: its field `team` (objectives, initiatives, action items,
   issues, measurables, memberships, cadences of one team, …), or the field `TEAM_FIELDS`
   names for a kind whose team is called otherwise (a dependency is the asking team's);
3. else the first (lowest id) of its `teams` (a decision, a milestone, a cadence of a set
   of teams, a signal);
4. else the team of what it belongs to, the first of `PARENTS` it has (a key result's
   objective, a check-in's or a meeting's cadence, a headline's meeting, a measurable's
   value, a decision's option, an issue's escalation), and a comment's, that of what it is on;
5. else none: it is the whole organization's (an organization-wide objective, a period, a
   person, one's own settings).

`team_of` reads one object (what `record` asks, walking what is usually loaded already);
`teams_of` reads many of one kind in one query (what `fill_event_teams` asks of the log).

Some events concern a second team just as much (`Event.other_team`, `other_team_of`), whose
feed shows them too:

a. what is between two teams: a dependency's providing team (`OTHER_TEAM_FIELDS`; the
   asking team is its team), and a comment on it alike; a link between two teams
   (`org.services.link_teams`), recorded on the team it is from, the team it links to
   (`LINKED_TEAM`, in the event's `after` when made, its `before` when removed);
b. a move from one team to another (an initiative, objective or action item handed to
   another team, an issue escalated to the team above: its `team`; a team put under
   another parent: its `parent`, before and after): the one of the two that is not the
   event's team, i.e. the team it left;
c. else none; never the event's team itself. A decision, milestone or cadence of a set of
   teams stays its first team's: one more column cannot hold a set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Case, Min, Q, Value, When
from django.db.models.fields.json import KT

from accord.org.models import Team

# The field naming the team of a kind whose team field is not called `team`.
TEAM_FIELDS = {"coordination.dependency": "requester_team"}
# The field naming the second team of a kind between two teams (rule a).
OTHER_TEAM_FIELDS = {"coordination.dependency": "provider_team"}
# The key naming, in a team's "linked" or "unlinked" event, the team the link is to.
LINKED_TEAM = "to_team"
# What an object without a team of its own belongs to, in the order they are tried.
PARENTS = (
    "objective",
    "key_result",
    "initiative",
    "meeting",
    "cadence",
    "measurable",
    "decision",
    "issue",
    "signal",
)
COMMENT = "conversation.comment"


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@cache
def team_paths(model: type[models.Model]) -> tuple[str, ...]:
    """The lookups (`objective__team`, `cadence__teams`, …) that lead from an object of
    `model` to its team, in the order of the rule: the first that gives one is its team.
    Empty for a team itself (rule 1) and for what belongs to the whole organization."""
    return _paths(model, depth=0)


def _paths(model: type[models.Model], depth: int) -> tuple[str, ...]:
    if model is Team or depth > 3:
        return ()
    out: list[str] = []
    own = _field(model, TEAM_FIELDS.get(_label(model), "team"))
    if isinstance(own, models.ForeignKey) and own.related_model is Team:
        out.append(own.name)
    many = _field(model, "teams")
    if isinstance(many, models.ManyToManyField) and many.related_model is Team:
        out.append(many.name)
    for name in PARENTS:
        parent = _field(model, name)
        if isinstance(parent, models.ForeignKey):
            out += [f"{name}__{p}" for p in _paths(parent.related_model, depth + 1)]
    return tuple(out)


def team_of(obj: models.Model, verb: str = "") -> int | None:
    """The id of the team `obj` belongs to (see the module's rule), or None."""
    if isinstance(obj, Team):
        return obj.parent_id if verb == "deleted" else obj.pk
    if _label(type(obj)) == COMMENT:
        return _commented_team(obj)
    for path in team_paths(type(obj)):
        found = _follow(obj, path.split("__"))
        if found is not None:
            return found
    return None


def other_team_of(
    obj: models.Model,
    team_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> int | None:
    """The id of the second team an event about `obj` concerns (see the module's rule b
    and c), given the event's team and its `before` and `after`; None when there is none."""
    label = _label(type(obj))
    if label == COMMENT:
        found = _commented_team(obj, OTHER_TEAM_FIELDS)
    elif label in OTHER_TEAM_FIELDS:
        found = getattr(obj, f"{OTHER_TEAM_FIELDS[label]}_id")
    elif isinstance(obj, Team) and (linked := linked_team(before or {}, after or {})):
        found = linked
    elif label in kinds_with_other_teams():
        found = moved_from(label, before or {}, after or {}, team_id)
    else:
        found = None
    return found if found != team_id else None


def linked_team(before: dict, after: dict) -> int | None:
    """For a team's event of a link to another team made or removed (rule a): the team it
    is to, as its `after` (made) or `before` (removed) names it."""
    return _as_id(after.get(LINKED_TEAM, before.get(LINKED_TEAM)))


def moved_from(target_type: str, before: dict, after: dict, team_id: int | None) -> int | None:
    """For an event that moved its subject from one team to another (rule b): the one of
    the two, as its `before` and `after` name them, that is not the event's team."""
    key = "parent" if target_type == "org.team" else "team"
    if key not in before or key not in after:
        return None
    return _left(before[key], after[key], team_id)


def _left(was: object, now: object, team_id: int | None) -> int | None:
    """The team a move from `was` to `now` left, unless the event is that team's: then
    the one it went to (the fill gives an event the team its subject is at now, which may
    be the one a move left before it came back)."""
    if was == now:
        return None
    if _is_id(was) and was != team_id:
        return was
    return now if was == team_id and _is_id(now) else None


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _follow(obj: models.Model | None, parts: list[str]) -> int | None:
    """The team id at the end of `parts` from `obj`: foreign keys followed as loaded
    (usually already: a key result's objective, a check-in's cadence), the first of a
    `teams` read in one query unless prefetched."""
    *through, last = parts
    for name in through:
        obj = getattr(obj, name)
        if obj is None:
            return None
    field = obj._meta.get_field(last)
    if isinstance(field, models.ManyToManyField):
        if obj.pk is None:
            return None
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(last)
        if prefetched is not None:
            return min((t.pk for t in prefetched), default=None)
        return getattr(obj, last).aggregate(first=Min("pk"))["first"]
    return getattr(obj, field.attname)


def _commented_team(comment: models.Model, fields: dict[str, str] | None = None) -> int | None:
    """The team of what `comment` is on (its second team with `fields=OTHER_TEAM_FIELDS`)."""
    from accord.conversation import targets

    kind = targets.KINDS.get(comment.target_kind)
    if kind is None:
        return None
    return teams_of(kind.model_class(), [comment.target_id], fields).get(comment.target_id)


def teams_of(
    model: type[models.Model], ids: Iterable[int], fields: dict[str, str] | None = None
) -> dict[int, int]:
    """{id: team id} of the objects of `model` with `ids` that belong to a team, in one
    query (per 500 ids); the same rule as `team_of`. With `fields=OTHER_TEAM_FIELDS`: of
    those of a kind between two teams, their second team (rule a)."""
    ids = sorted(set(ids))
    if fields is not None:
        name = fields.get(_label(model))
        paths: tuple[str, ...] = (name,) if name else ()
    elif model is Team:
        return {pk: pk for pk in Team._base_manager.filter(pk__in=ids).values_list("pk", flat=True)}
    else:
        paths = team_paths(model)
    if not paths or not ids:
        return {}
    out: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        best: dict[int, tuple[int, int]] = {}  # id -> (rank of the path, team id)
        rows = model._base_manager.filter(pk__in=ids[start : start + 500]).values_list("pk", *paths)
        for pk, *found in rows:  # a `teams` path gives one row per team
            for rank, team_id in enumerate(found):
                if team_id is not None:
                    if pk not in best or (rank, team_id) < best[pk]:
                        best[pk] = (rank, team_id)
                    break
        out.update({pk: team_id for pk, (_, team_id) in best.items()})
    return out


# --- the log written before events had a team ---------------------------------------------

FILL_BATCH = 5000  # events read and written per transaction


def kinds_with_teams() -> list[str]:
    """The `target_type`s of the objects that can belong to a team."""
    out = []
    for model in apps.get_models():
        label = _label(model)
        if model is Team or label == COMMENT or team_paths(model):
            out.append(label)
    return sorted(out)


@cache
def kinds_with_other_teams() -> frozenset[str]:
    """The `target_type`s whose events may have a second team: those between two teams and
    comments (rule a), teams and whatever has a `team` of its own, which can move (b).
    A team's feed asked for another kind reads the team index alone."""
    out = {*OTHER_TEAM_FIELDS, COMMENT}
    for model in apps.get_models():
        own = _field(model, "team")
        if model is Team or (isinstance(own, models.ForeignKey) and own.related_model is Team):
            out.add(_label(model))
    return frozenset(out)


def _moved() -> Q:
    """An event that moved its subject between teams (rule b): its `before` and `after`
    name both."""
    kinds = sorted(kinds_with_other_teams() - {"org.team"})
    return Q(target_type__in=kinds, before__has_key="team", after__has_key="team") | Q(
        target_type="org.team", before__has_key="parent", after__has_key="parent"
    )


def _linked() -> Q:
    """A team's event of a link to another team made or removed (rule a): its `after` or
    `before` names that team."""
    return Q(target_type="org.team") & (
        Q(after__has_key=LINKED_TEAM) | Q(before__has_key=LINKED_TEAM)
    )


def _pending(org) -> models.QuerySet:
    """The events the fill reads: those without a team whose subject can have one, and
    those without a second team that may concern one (rules a and b)."""
    from accord.activity.models import Event

    second = Q(target_type__in=[*OTHER_TEAM_FIELDS, COMMENT]) | _moved() | _linked()
    pending = Event._base_manager.filter(
        Q(team__isnull=True, target_type__in=kinds_with_teams())
        | Q(second, other_team__isnull=True)
    )
    return pending if org is None else pending.filter(org=org)


def fill_event_teams(
    org=None, *, batch: int = FILL_BATCH, progress: Callable[[int, int], None] | None = None
) -> int:
    """Give the events recorded before events had a team (all organizations', or `org`'s)
    the team of their subject as it is now, and those recorded before events had a second
    team (or, of a link between two teams, before `record` gave it its second team) their
    second team (`other_team_of`), by the rule `record` follows; a subject
    deleted since leaves its events without. `batch` events are read and written per
    transaction, in the order they were recorded, so the app keeps working meanwhile and an
    interrupted fill goes on where it stopped when run again (an event given its teams is
    never read again; one that found none, a deleted subject's or a comment on something of
    one team, is read again). Returns how many events were given a team or a second team;
    `progress(done, given)` hears after each batch."""
    from accord.activity.models import Event

    pending = _pending(org).annotate(
        moved=Case(When(_moved(), then=Value(True)), default=Value(False)),
        was=Case(
            When(target_type="org.team", then=KT("before__parent")), default=KT("before__team")
        ),
        now=Case(When(target_type="org.team", then=KT("after__parent")), default=KT("after__team")),
        linked=Case(
            When(_linked() & Q(after__has_key=LINKED_TEAM), then=KT(f"after__{LINKED_TEAM}")),
            When(_linked(), then=KT(f"before__{LINKED_TEAM}")),
        ),
    )
    fields = (
        *("pk", "org_id", "target_type", "target_id", "team_id"),
        *("moved", "was", "now", "linked"),
    )
    table = Event._meta.db_table
    last, done, given = 0, 0, 0
    while True:
        rows = list(pending.filter(pk__gt=last).order_by("pk").values_list(*fields)[:batch])
        if not rows:
            return given
        last = rows[-1][0]
        found = _both_teams(rows)
        with transaction.atomic(), transaction.get_connection().cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET team_id = COALESCE(team_id, %s), other_team_id = %s "
                "WHERE id = %s",
                [(team_id, other_id, pk) for pk, team_id, other_id in found],
            )
        done, given = done + len(rows), given + len(found)
        if progress is not None:
            progress(done, given)


def _both_teams(rows: list[tuple]) -> list[tuple[int, int | None, int | None]]:
    """(event id, team id, second team id) of the events (`fill_event_teams`'s rows) given
    a team or a second team; the team is left as it was when it had one."""
    subjects = [(pk, kind, target) for pk, _, kind, target, *_ in rows]
    teams = dict(_teams_for(subjects))
    between = {*OTHER_TEAM_FIELDS, COMMENT}
    others = dict(_teams_for([r for r in subjects if r[1] in between], OTHER_TEAM_FIELDS))
    moves: dict[int, int] = {}  # and links: the second team the event's JSON names
    for pk, _, kind, _, had, moved, was, now, linked in rows:
        if _as_id(linked) is not None:  # a link to another team (rule a)
            moves[pk] = _as_id(linked)
        elif moved and kind not in between:
            team_id = had if had is not None else teams.get(pk)
            found = _left(_as_id(was), _as_id(now), team_id)
            if found is not None:
                moves[pk] = found
    # A team a move or a link names may have been deleted since (or be another
    # organization's).
    known = set(Team._base_manager.filter(pk__in=set(moves.values())).values_list("pk", "org_id"))
    orgs = {row[0]: row[1] for row in rows}
    others.update({pk: t for pk, t in moves.items() if (t, orgs[pk]) in known})
    out = []
    for pk, _, _, _, had, *_ in rows:
        team_id = had if had is not None else teams.get(pk)
        other_id = others.get(pk)
        if other_id == team_id:
            other_id = None
        if (had is None and team_id is not None) or other_id is not None:
            out.append((pk, team_id, other_id))
    return out


def _as_id(value: object) -> int | None:
    """A team id read out of an event's JSON (a number on SQLite, text on PostgreSQL)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _teams_for(
    rows: list[tuple[int, str, str]], fields: dict[str, str] | None = None
) -> list[tuple[int, int]]:
    """(event id, team id) of the events (id, target type, target id) whose subject has a
    team (a second team, with `fields=OTHER_TEAM_FIELDS`): one query per kind of subject."""
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for pk, target_type, target_id in rows:
        if target_id.isdigit():
            by_kind.setdefault(target_type, []).append((pk, int(target_id)))
    out: list[tuple[int, int]] = []
    for target_type, events in by_kind.items():
        model = apps.get_model(target_type)
        ids = [target for _, target in events]
        if target_type == COMMENT:
            teams = _comments_teams(model, ids, fields)
        else:
            teams = teams_of(model, ids, fields)
        out += [(pk, teams[target]) for pk, target in events if target in teams]
    return out


def _comments_teams(
    model: type[models.Model], ids: list[int], fields: dict[str, str] | None = None
) -> dict[int, int]:
    """{comment id: team id} of comments: the team (or second team) of what each is on."""
    from accord.conversation import targets

    on: dict[str, dict[int, list[int]]] = {}
    for pk, kind, target_id in model._base_manager.filter(pk__in=ids).values_list(
        "pk", "target_kind", "target_id"
    ):
        on.setdefault(kind, {}).setdefault(target_id, []).append(pk)
    out: dict[int, int] = {}
    for kind, targets_ in on.items():
        if kind not in targets.KINDS:
            continue
        teams = teams_of(targets.KINDS[kind].model_class(), targets_, fields)
        for target_id, comments in targets_.items():
            if target_id in teams:
                out.update(dict.fromkeys(comments, teams[target_id]))
    return out
