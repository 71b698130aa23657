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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Min

from accord.org.models import Team

# The field naming the team of a kind whose team field is not called `team`.
TEAM_FIELDS = {"coordination.dependency": "requester_team"}
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


def _commented_team(comment: models.Model) -> int | None:
    from accord.conversation import targets

    kind = targets.KINDS.get(comment.target_kind)
    if kind is None:
        return None
    return teams_of(kind.model_class(), [comment.target_id]).get(comment.target_id)


def teams_of(model: type[models.Model], ids: Iterable[int]) -> dict[int, int]:
    """{id: team id} of the objects of `model` with `ids` that belong to a team, in one
    query (per 500 ids); the same rule as `team_of`."""
    ids = sorted(set(ids))
    if model is Team:
        return {pk: pk for pk in Team._base_manager.filter(pk__in=ids).values_list("pk", flat=True)}
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


def fill_event_teams(
    org=None, *, batch: int = FILL_BATCH, progress: Callable[[int, int], None] | None = None
) -> int:
    """Give the events recorded before events had a team (all organizations', or `org`'s)
    the team of their subject as it is now, by the rule `record` follows; a subject deleted
    since leaves its events without one. `batch` events are read and written per
    transaction, in the order they were recorded, so the app keeps working meanwhile and an
    interrupted fill goes on where it stopped when run again (an event with a team is never
    read again). Returns how many events were given a team; `progress(done, given)` hears
    after each batch."""
    from accord.activity.models import Event

    pending = Event._base_manager.filter(team__isnull=True, target_type__in=kinds_with_teams())
    if org is not None:
        pending = pending.filter(org=org)
    table = Event._meta.db_table
    last, done, given = 0, 0, 0
    while True:
        rows = list(
            pending.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "target_type", "target_id")[:batch]
        )
        if not rows:
            return given
        last = rows[-1][0]
        found = _teams_for(rows)
        with transaction.atomic(), transaction.get_connection().cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET team_id = %s WHERE id = %s",
                [(team_id, pk) for pk, team_id in found],
            )
        done, given = done + len(rows), given + len(found)
        if progress is not None:
            progress(done, given)


def _teams_for(rows: list[tuple[int, str, str]]) -> list[tuple[int, int]]:
    """(event id, team id) of the events (id, target type, target id) whose subject has a
    team: one query per kind of subject."""
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for pk, target_type, target_id in rows:
        if target_id.isdigit():
            by_kind.setdefault(target_type, []).append((pk, int(target_id)))
    out: list[tuple[int, int]] = []
    for target_type, events in by_kind.items():
        model = apps.get_model(target_type)
        ids = [target for _, target in events]
        if target_type == COMMENT:
            teams = _comments_teams(model, ids)
        else:
            teams = teams_of(model, ids)
        out += [(pk, teams[target]) for pk, target in events if target in teams]
    return out


def _comments_teams(model: type[models.Model], ids: list[int]) -> dict[int, int]:
    """{comment id: team id} of comments: the team of what each is on."""
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
        teams = teams_of(targets.KINDS[kind].model_class(), targets_)
        for target_id, comments in targets_.items():
            if target_id in teams:
                out.update(dict.fromkeys(comments, teams[target_id]))
    return out
