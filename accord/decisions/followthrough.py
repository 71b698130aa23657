"""The stored follow-through: daily tallies of action items, kept on every write.

Follow-through (`queries.FollowThrough`) counts the action items due in a window of the
last N days up to yesterday: done on time, done late, still open (overdue), and apart
the undated ones. Counted from the items on every request, a team near the top of a
large organization reads every item of its whole subtree for each window. Stored here
instead, as one row per (subject, day) of the numbers that do not change with the clock:

- `due`, `on_time`, `late` on the item's due day. Whether an item due on a past day is
  overdue depends on nothing but that it is not done: `overdue = due - on_time - late`
  over the window, derived at read time, so nothing stored goes stale at midnight;
- `undated_done` on the day an undated item was done (it counts when that day is in the
  window or after it), `undated_open` on the fixed day `UNDATED` (it always counts).

An item that slipped (re-dated after its due date had passed: `slipped_from`, set by
`services.update_action_item`) is never on time: done, it is late on the day it slipped
from, the due date it missed, whatever its new date. Open, it counts on its current due
date like any open item, so what is overdue now (`due - on_time - late` before today)
stays the open items past their current date. An item re-dated before it was due counts
against its new date.

Dropped items count nowhere. The subjects (`kind`, `subject`): the organization
(`org`), an owner (`owner`: a person's id), the items filed to a team alone (`team`) and
those filed to a team or any team below it (`tree`: the subtree roll-up). A window's
figure is then one query summing at most one row per day of the window, whatever the
size of the subtree: the roll-up costs every write one row per ancestor of the item's
team (the tree's depth, a handful), where summing per-team rows over the subtree at read
time would read one row per team and day below the team (900,000 at the root of a
10,000-team organization for 90 days).

Every service that changes an action item calls `changed(org, before, after)` inside its
transaction, with the item's `state` before and after: the old contribution is taken
off, the new one added, as increments (`INSERT … ON CONFLICT DO UPDATE`, so two writers
never lose each other's change). Moving a team moves its `tree` rows from its old
ancestors to its new ones (`team_moved`); deleting one takes its rows away
(`team_deleted`); both listen to `accord.org.signals`. `recompute` rebuilds an
organization from its items (the migrations that added the table and that moved done
days to the organization's day, `accord generate` after its bulk inserts, and
`manage.py rebuild_follow_through` after rows were written around the services);
`computed` is that recomputation without writing.

Days are the organization's (`core.days.org_day`: the UTC date of the moment), so what a
write takes off is always what an earlier one added, whoever marks it done or reopens it
and in whatever zone (the web in the person's own, the API and the worker in UTC). On time
is the one judgement that needs more than a date: an item is done on time when it is done
before its due day has ended everywhere (`done_in_time`: before 12:00 UTC the next day,
when the day ends in the last zone on Earth). It needs no one's zone, so it reads the same
for every reader, and whoever finishes on the due day where they are is on time: 17:30 in
Los Angeles on the 7th (01:30 UTC on the 8th) and 08:00 in Sydney on the 8th alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection

from accord.core.days import org_day, org_day_start
from accord.org.queries import ancestor_ids

# The day undated open items are kept on: before every window.
UNDATED = dt.date(1, 1, 1)
COLUMNS = ("due", "on_time", "late", "undated_done", "undated_open")
ORG, OWNER, TEAM, TREE = "org", "owner", "team", "tree"
# `slipped_from` last: the migration that fills the tallies predates it (`computed`).
STATE_FIELDS = ("org_id", "owner_id", "team_id", "due_on", "status", "done_at", "slipped_from")

# The window follow-through is told over: the action-items page's and a team panel's
# headline figure ("Follow-through, 30 days") and the Insights signal
# `actions.follow_through` count the days before today over the same window, with the same
# rule (`item_counts`), so the two pages say the same of a team.
WINDOW_DAYS = 30

# A due day has ended everywhere this long after it began in UTC: at midnight in the last
# time zone on Earth (UTC-12), 12:00 UTC the next day.
DUE_DAY_ENDS = dt.timedelta(days=1, hours=12)

# (kind, subject, day) -> the five counts
Tallies = dict[tuple[str, int, dt.date], list[int]]


def state(item: Any) -> tuple:
    """What of an item the tallies depend on."""
    return tuple(getattr(item, f) for f in STATE_FIELDS)


def done_in_time(moment: dt.datetime, due_on: dt.date) -> bool:
    """Whether `moment` is before `due_on` has ended everywhere on Earth (`DUE_DAY_ENDS`):
    done then, an item due that day is on time; re-dated then, it has not slipped."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # a naive moment is UTC, as `org_day` reads it
    return moment < org_day_start(due_on) + DUE_DAY_ENDS


def item_counts(
    due_on, status, done_at, slipped_from=None
) -> tuple[dt.date, tuple[int, ...]] | None:
    """The day an item counts on and what it adds to each of `COLUMNS` (None: nothing):
    the one rule of follow-through. The stored tallies, their recount from the items
    (`queries.counted_follow_through`) and the Insights signal `actions.follow_through`
    all count with it, so a team's signal and its action-items page agree."""
    if status == "dropped":
        return None
    if slipped_from is not None and status == "done":
        return slipped_from, (1, 0, 1, 0, 0)  # late on the day it missed, whatever its date
    if due_on is not None:
        if status == "done" and done_at is not None:
            on_time = done_in_time(done_at, due_on)
            return due_on, (1, int(on_time), int(not on_time), 0, 0)
        return due_on, (1, 0, 0, 0, 0)  # not done: overdue once the day is past
    if status == "done":
        return (org_day(done_at), (0, 0, 0, 1, 0)) if done_at is not None else None
    return UNDATED, (0, 0, 0, 0, 1)


def _add(out: Tallies, row: tuple, sign: int, ancestors: dict[int, list[int]]) -> None:
    """Add an item's counts (`row`: its `state`), times `sign`, to every subject's day."""
    org_id, owner_id, team_id, due_on, status, done_at, slipped_from = row
    counted = item_counts(due_on, status, done_at, slipped_from)
    if counted is None:
        return
    day, adds = counted
    subjects = [(ORG, org_id), (OWNER, owner_id)]
    if team_id is not None:
        subjects += [(TEAM, team_id), (TREE, team_id)]
        subjects += [(TREE, a) for a in ancestors.get(team_id, ())]
    for kind, subject in subjects:
        counts = out.setdefault((kind, subject, day), [0] * len(COLUMNS))
        for n, add in enumerate(adds):
            counts[n] += sign * add


def _apply(org_id: int, tallies: Tallies) -> None:
    """Add the tallies to the stored rows (increments, created when missing)."""
    rows = [
        (org_id, kind, subject, day, *counts)
        for (kind, subject, day), counts in sorted(tallies.items())
        if any(counts)
    ]
    if not rows:
        return
    from accord.decisions.models import FollowTally

    q = connection.ops.quote_name
    table = q(FollowTally._meta.db_table)
    key = ", ".join(q(c) for c in ("org_id", "kind", "subject", "day"))
    cols = ", ".join(q(c) for c in COLUMNS)
    sets = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COLUMNS)
    sql = (
        f"INSERT INTO {table} ({key}, {cols}) "
        f"VALUES ({', '.join(['%s'] * (4 + len(COLUMNS)))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets}"
    )  # the table and columns are the model's; the values are parameters
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _hold_tree(org_id: int, *, exclusive: bool = False) -> None:
    """Keep the team tree still until the transaction ends. Moving a team locks its
    organization's row for update (`org.services.update_team`); an item's write takes the
    weakest lock that waits for that one (PostgreSQL's FOR KEY SHARE, which item writes
    do not contend for among themselves), so it never adds to the ancestors of a tree a
    move is rewriting. SQLite runs one write transaction at a time: nothing to do."""
    if connection.vendor != "postgresql":
        return
    from accord.org.models import Organization

    table = connection.ops.quote_name(Organization._meta.db_table)
    lock = "UPDATE" if exclusive else "KEY SHARE"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR {lock}", [org_id])


def changed(org_id: int, before: tuple | None, after: tuple | None) -> None:
    """An item went from state `before` to `after` (None: it did not exist / no longer
    does): move its counts. Call inside the write's transaction."""
    if before == after:
        return
    _hold_tree(org_id)
    teams = {s[2] for s in (before, after) if s is not None and s[2] is not None}
    ancestors = ancestor_ids(org_id, teams)
    tallies: Tallies = {}
    if before is not None:
        _add(tallies, before, -1, ancestors)
    if after is not None:
        _add(tallies, after, 1, ancestors)
    _apply(org_id, tallies)


def _tree_rows(org_id: int, team_id: int) -> list[tuple]:
    from accord.decisions.models import FollowTally

    return list(
        FollowTally.objects.filter(org_id=org_id, kind=TREE, subject=team_id).values_list(
            "day", *COLUMNS
        )
    )


def team_moved(org_id: int, team_id: int, old_parent_id: int | None, new_parent_id: int | None):
    """A team's subtree now counts for its new ancestors instead of its old ones (the
    organization is locked by the move: see `_hold_tree`)."""
    parents = [p for p in (old_parent_id, new_parent_id) if p is not None]
    up = ancestor_ids(org_id, parents)
    signs: dict[int, int] = defaultdict(int)
    for parent_id, sign in ((old_parent_id, -1), (new_parent_id, 1)):
        if parent_id is not None:
            for a in (parent_id, *up[parent_id]):
                signs[a] += sign
    _move_tree(org_id, team_id, {a: s for a, s in signs.items() if s})


def _move_tree(org_id: int, team_id: int, signs: dict[int, int]) -> None:
    """Add the team's subtree rows, times each sign, to those teams' roll-ups."""
    if not signs:
        return
    tallies: Tallies = {}
    for day, *counts in _tree_rows(org_id, team_id):
        for a, sign in signs.items():
            tallies[(TREE, a, day)] = [sign * c for c in counts]
    _apply(org_id, tallies)


def team_deleted(org_id: int, team_id: int, parent_id: int | None) -> None:
    """A deleted team (it had no sub-teams): its items are no longer filed to a team, so
    they leave its ancestors' roll-ups, and its own rows go."""
    from accord.decisions.models import FollowTally

    _hold_tree(org_id, exclusive=True)  # no item write adds to the rows read here
    if parent_id is not None:
        up = ancestor_ids(org_id, [parent_id])[parent_id]
        _move_tree(org_id, team_id, {a: -1 for a in (parent_id, *up)})
    FollowTally.objects.filter(org_id=org_id, kind__in=(TEAM, TREE), subject=team_id).delete()


def computed(org_id: int, *, apps: Any = None) -> Tallies:
    """Every tally of the organization, recounted from its action items."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    ActionItem = apps.get_model("decisions", "ActionItem")
    Team = apps.get_model("org", "Team")
    parents = dict(Team.objects.filter(org_id=org_id).values_list("id", "parent_id"))
    ancestors: dict[int, list[int]] = {}
    for tid in parents:
        chain, seen, current = [], {tid}, parents.get(tid)
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = parents.get(current)
        ancestors[tid] = chain
    # The fields the model has at this point of the migrations: those added later (last in
    # `STATE_FIELDS`) are None.
    names = {f.attname for f in ActionItem._meta.concrete_fields}
    fields = [f for f in STATE_FIELDS if f in names]
    missing = (None,) * (len(STATE_FIELDS) - len(fields))
    out: Tallies = {}
    rows = (
        ActionItem.objects.filter(org_id=org_id)
        .exclude(status="dropped")
        .order_by()
        .values_list(*fields)
        .iterator(chunk_size=5000)
    )
    for row in rows:
        _add(out, row + missing, 1, ancestors)
    return {k: v for k, v in out.items() if any(v)}


def recompute(org_id: int, *, apps: Any = None) -> int:
    """Rebuild an organization's stored tallies from its items; returns the rows stored."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    FollowTally = apps.get_model("decisions", "FollowTally")
    tallies = computed(org_id, apps=apps)
    FollowTally.objects.filter(org_id=org_id).delete()
    FollowTally.objects.bulk_create(
        (
            FollowTally(
                org_id=org_id,
                kind=kind,
                subject=subject,
                day=day,
                **dict(zip(COLUMNS, counts, strict=True)),
            )
            # In key order: the same items give the same rows in the same order.
            for (kind, subject, day), counts in sorted(tallies.items())
        ),
        batch_size=2000,
    )
    return len(tallies)
