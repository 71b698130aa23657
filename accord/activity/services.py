"""Recording events. Every service write calls `record` inside its own transaction."""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When

from accord.activity.models import Event
from accord.activity.teams import other_team_of, team_of
from accord.org.models import Organization, Person, Team
from accord.org.permissions import on_behalf_of

# Functions called with each recorded event, inside its transaction (outbound webhooks queue
# their deliveries there). Apps add theirs in AppConfig.ready(); they must not call the network.
LISTENERS: list[Callable[[Event], None]] = []
# `record`'s default team: the one its target belongs to (`activity.teams.team_of`).
DERIVED = object()


def target_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` on `obj` (foreign keys as their ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attr = field.attname if isinstance(field, models.ForeignKey) else name
        out[name] = _jsonable(getattr(obj, attr))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# --- the channel a write came through -------------------------------------------------------

# What finds the API token the writes of this request (or this `accord mcp` process) come
# through: `through`, around each request (`activity.middleware`) and MCP session.
_channel: contextvars.ContextVar[Callable[[], Any] | None] = contextvars.ContextVar(
    "accord_event_channel", default=None
)


@contextmanager
def through(token: Any) -> Iterator[None]:
    """Within this block, the events of the token's person are recorded as made through
    that API token (`Event.via_token`, its name): the API and MCP, told from what the
    person did in the pages. `token` is an `ApiToken`, or a function returning one or None
    when an event is recorded (a request's token, known once it is authenticated)."""
    find = token if callable(token) else (lambda: token)
    reset = _channel.set(find)
    try:
        yield
    finally:
        _channel.reset(reset)


def _via_token(actor: Person | None) -> str | None:
    """The name of the API token `actor` writes through now, if any (only the token's own
    person's writes: never Accord's own nor another's)."""
    find = _channel.get()
    token = find() if find is not None else None
    if token is None or actor is None or token.person_id != actor.pk:
        return None
    return token.name


def record(
    org: Organization,
    actor: Person | None,
    verb: str,
    target: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str | None = None,
    team: Team | int | object | None = DERIVED,
) -> Event:
    """Append one event. Must run inside the transaction of the write it describes.
    Within `recorded_as(person)`, an event of Accord (`actor` None) is that person's.
    The event's team is the one `target` belongs to (`activity.teams.team_of`) unless the
    caller knows better and says so (`team`: a team, its id, or None for none); its second
    team, the other one it concerns (`other_team_of`: a dependency's providing team, the
    team a move took it from), never that team."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside the write's transaction")
    if actor is None:
        actor = getattr(transaction.get_connection(), "_accord_event_actor", None)
    owner = on_behalf_of(actor)  # an agent's owner; the owner is kept on the actor
    before, after = _jsonable(before or {}), _jsonable(after or {})
    team_id = team_of(target, verb) if team is DERIVED else getattr(team, "pk", team)
    event = Event(
        org=org,
        actor=actor,
        actor_name=actor.name if actor else "Accord",
        on_behalf_of=owner,
        on_behalf_of_name=owner.name if owner else "",
        via_token=_via_token(actor),
        verb=verb,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        target_label=(label if label is not None else str(target))[:300],
        before=before,
        after=after,
        team_id=team_id,
        other_team_id=other_team_of(target, team_id, before, after),
    )
    batch = _batch()
    if batch is not None:
        batch.append(event)  # saved by flush_events, in this same transaction
        return event
    event.save(force_insert=True)
    _tell([event])
    return event


def _tell(events: list[Event]) -> None:
    """The listeners hear of events just inserted; a `recorded_as` block counts them."""
    tally = getattr(transaction.get_connection(), "_accord_event_tally", None)
    if tally is not None:
        tally.count += len(events)
    for event in events:
        for listener in LISTENERS:
            listener(event)


class Tally:
    """How many events a `recorded_as` block inserted (those of refused writes, discarded
    with them, are not)."""

    count = 0


@contextmanager
def recorded_as(actor: Person | None) -> Iterator[Tally]:
    """Within this block, the writes services make as Accord (`actor` None) are recorded as
    `actor`'s: an import applied by an admin runs every write with Accord's rights (a file
    enters what was, whatever the admin's role in each team) and names the admin who applied
    it in each event. `None` changes nothing (the command line's imports stay Accord's).
    The block's `Tally` counts the events inserted in it."""
    conn = transaction.get_connection()
    previous = getattr(conn, "_accord_event_actor", None)
    outer = getattr(conn, "_accord_event_tally", None)
    tally = Tally()
    conn._accord_event_actor = actor if actor is not None else previous
    conn._accord_event_tally = tally
    try:
        yield tally
    finally:
        conn._accord_event_actor = previous
        conn._accord_event_tally = outer
        if outer is not None:
            outer.count += tally.count


# --- many writes in one go ----------------------------------------------------------------


def _batch() -> list[Event] | None:
    return getattr(transaction.get_connection(), "_accord_event_batch", None)


@contextmanager
def batched() -> Iterator[list[Event]]:
    """Within this block (inside a transaction), `record` keeps its events and
    `flush_events` inserts them together (at the end of the block at the latest), so a
    bulk writer (applying an organization file) records every event without one INSERT
    each. A writer that rolls a write back calls `discard_events(mark)` with the
    `event_mark()` taken before it, so the events of a refused write are not kept."""
    conn = transaction.get_connection()
    if getattr(conn, "_accord_event_batch", None) is not None:
        yield conn._accord_event_batch  # nested: the outer block flushes
        return
    batch: list[Event] = []
    conn._accord_event_batch = batch
    conn._accord_event_rehomed = {}  # `rehome_events`: a deleted team's id -> its parent's
    try:
        yield batch
        flush_events()
    finally:
        conn._accord_event_batch = None
        conn._accord_event_rehomed = None


def flush_events() -> int:
    """Insert the events a `batched` block holds (in the order recorded) and tell the
    listeners; returns how many."""
    batch = _batch()
    if not batch:
        return 0
    events = batch[:]
    batch.clear()
    _forget_deleted_teams(events)
    Event.objects.bulk_create(events, batch_size=500)
    _tell(events)
    return len(events)


def _forget_deleted_teams(events: list[Event]) -> None:
    """Events held back by `batched` name teams that may have been deleted since they were
    recorded (a file that removes a team records its memberships' ends, then deletes it).
    One deleted by `delete_team` gives them to its parent (or the parent's, if gone too:
    `rehome_events`), as it does the log's; a team gone otherwise (with its organization)
    clears the log's events of it (`on_delete`), so these are cleared alike rather than
    inserted pointing at no team. A deletion refused and rolled back changes nothing."""
    rehomed = getattr(transaction.get_connection(), "_accord_event_rehomed", None) or {}
    named = {t for e in events for t in (e.team_id, e.other_team_id) if t is not None}
    named = sorted(named | {t for t in rehomed.values() if t is not None})
    kept: set[int] = set()
    for start in range(0, len(named), 500):
        chunk = named[start : start + 500]
        kept.update(Team._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))

    def home(team_id: int | None) -> int | None:
        seen = set()
        while team_id is not None and team_id not in kept and team_id not in seen:
            seen.add(team_id)
            team_id = rehomed.get(team_id)
        return team_id if team_id in kept else None

    for event in events:
        event.team_id, event.other_team_id = home(event.team_id), home(event.other_team_id)
        if event.other_team_id == event.team_id:
            event.other_team_id = None


def rehome_events(team: Team) -> dict[str, Any]:
    """Before `team` is deleted (`org.services.delete_team`): its events, and those it is
    the second team of, become its parent's, so the department still reads the history of
    a team it no longer has (a team at the top leaves them the organization's own). One
    UPDATE off the two team indexes, whatever the number of events; the events a
    `batched` block still holds follow when they are inserted, if the team is gone by then
    (`_forget_deleted_teams`). Returns what the team's "deleted" event says of it: where
    its history went and how many events of the log moved."""
    gone, parent = team.pk, team.parent_id
    as_id = models.IntegerField()
    moved = Event._base_manager.filter(Q(team_id=gone) | Q(other_team_id=gone)).update(
        team_id=Case(
            When(team_id=gone, then=Value(parent)), default=F("team_id"), output_field=as_id
        ),
        # Never the event's team as its second: an event of the parent's about the team
        # gone (or the other way round) is the parent's alone.
        other_team_id=Case(
            When(other_team_id=gone, team_id__in=[gone, parent], then=Value(None)),
            When(other_team_id=gone, then=Value(parent)),
            When(other_team_id=parent, team_id=gone, then=Value(None)),
            default=F("other_team_id"),
            output_field=as_id,
        ),
    )
    rehomed = getattr(transaction.get_connection(), "_accord_event_rehomed", None)
    if rehomed is not None:
        rehomed[gone] = parent
    return {"history_moved_to": parent, "events_moved": moved}


def event_mark() -> int:
    batch = _batch()
    return len(batch) if batch is not None else 0


def discard_events(mark: int) -> None:
    batch = _batch()
    if batch is not None:
        del batch[mark:]
