"""The decisions pillar: decisions with their roles, options and latency; action items
from meetings and decisions (done, open, overdue); issues, some escalated up the tree."""

from __future__ import annotations

import datetime as dt

from accord.core.generator.context import Gen
from accord.decisions.models import (
    ActionItem,
    Decision,
    DecisionLink,
    DecisionOption,
    Issue,
    IssueEscalation,
)

DECISION_FIELDS = (
    "org_id",
    "question",
    "context",
    "outcome",
    "rationale",
    "status",
    "driver_id",
    "approver_id",
    "decide_by",
    "revisit_on",
    "revisit_trigger",
    "opened_at",
    "proposed_at",
    "decided_at",
    "closed_at",
    "superseded_by_id",
    "supersede_reason",
    "reversal_reason",
    "created_by_id",
    "overdue_flagged_at",
    "version",
)
# By the team's strain (`context.STRAIN`): a fine team decides most of what it opens and
# does most of what it takes on; a troubled one leaves both waiting.
DECISION_STATUSES = {
    "fine": {"decided": 78, "open": 12, "proposed": 8, "reversed": 2},
    "strained": {"decided": 62, "open": 22, "proposed": 12, "reversed": 4},
    "troubled": {"decided": 45, "open": 35, "proposed": 15, "reversed": 5},
}
ACTION_STATUSES = {
    "fine": {"done": 70, "open": 27, "dropped": 3},
    "strained": {"done": 55, "open": 40, "dropped": 5},
    "troubled": {"done": 40, "open": 54, "dropped": 6},
}
# The chance that a fine or strained team's open decision or action item is recent (its
# due date still ahead) rather than drawn anywhere in the history (mostly overdue).
RECENT = {"fine": 0.85, "strained": 0.5, "troubled": 0.0}


def generate_decisions(g: Gen) -> None:
    g.extra["decisions"] = [[] for _ in g.teams]
    for i in range(len(g.teams)):
        strain = g.strain(i)
        for _ in range(g.rng.randint(3, 7)):
            write_decision(g, i, g.pick(DECISION_STATUSES[strain]))
        for _ in range(g.rng.randint(6, 14)):
            write_action_item(g, i, g.pick(ACTION_STATUSES[strain]))
        if g.rng.random() < 0.9:
            write_issue(g, i)


def _m2m(g: Gen, field, left: str, right: str):
    return g.writer.table(field.through, (left, right))


def write_decision(g: Gen, i: int, status: str) -> None:
    """A decision of team i: driven by one of its members, approved by its lead or the
    lead above; decided ones took days to weeks (their latency)."""
    rng, w = g.rng, g.writer
    t = g.teams[i]
    approver = t.lead
    if t.parent is not None and rng.random() < 0.3:
        approver = g.teams[t.parent].lead
    driver = rng.choice(t.members)
    question = g.namer.question()
    since = g.window_start - dt.timedelta(weeks=3)
    if status in ("open", "proposed") and rng.random() < RECENT[g.strain(i)]:
        since = max(since, g.now - dt.timedelta(days=6))
    opened = g.between(since, g.now - dt.timedelta(days=1))
    row = dict.fromkeys(DECISION_FIELDS, None)
    row.update(
        org_id=g.org_id,
        question=question,
        context="",
        outcome="",
        rationale="",
        status="open",
        driver_id=driver,
        approver_id=approver,
        revisit_trigger="",
        opened_at=opened,
        supersede_reason="",
        reversal_reason="",
        created_by_id=driver,
        version=1,
        decide_by=opened.date() + dt.timedelta(days=rng.choice((7, 14, 14, 21, 30))),
    )
    pk = w.table(Decision, DECISION_FIELDS).new_id()
    # Its events are written once its teams are known (their first is the events' team,
    # as `record` sets it), the random draws in the order they always were.
    after = {"question": question, "approver": approver, "decide_by": row["decide_by"]}
    events = [(opened, "created", g.actor(driver), None, after)]
    _decision_lifecycle(g, row, status, events)
    w.table(Decision, DECISION_FIELDS).add(*(row[f] for f in DECISION_FIELDS), pk=pk)
    g.extra["decisions"][i].append((pk, row["decided_at"] or opened))
    team = min(_decision_parts(g, pk, i, driver))
    for when, verb, actor, before, after in events:
        w.event(
            when,
            verb,
            "decisions.decision",
            pk,
            question,
            actor,
            before=before,
            after=after,
            team=team,
        )


def _decision_lifecycle(g: Gen, row: dict, status: str, events: list) -> None:
    """Move the decision on to `status`, adding (when, verb, actor, before, after) of each
    step to `events`."""
    rng = g.rng
    opened = row["opened_at"]
    if status == "open":
        return
    latency = dt.timedelta(hours=rng.lognormvariate(4.5, 0.9))  # a few days, long tail
    if status == "proposed" or rng.random() < 0.4:  # some go through a proposal first
        proposed = min(opened + latency / 2, g.now)
        row.update(status="proposed", proposed_at=proposed, version=row["version"] + 1)
        actor = g.actor(row["driver_id"])
        events.append((proposed, "proposed", actor, {"status": "open"}, {"status": "proposed"}))
    decided = opened + latency
    if status == "proposed" or decided >= g.now:
        return
    before = {"status": row["status"]}
    outcome = "Go with the first option"
    row.update(status="decided", decided_at=decided, outcome=outcome, version=row["version"] + 1)
    row["rationale"] = "Cheapest path that meets the need"
    after = {"status": "decided", "outcome": outcome}
    events.append((decided, "decided", g.actor(row["approver_id"]), before, after))
    if status == "reversed":
        closed = g.between(decided, g.now)
        reason = "The numbers changed"
        row.update(
            status="reversed", closed_at=closed, reversal_reason=reason, version=row["version"] + 1
        )
        after = {"status": "reversed", "reason": reason}
        events.append((closed, "reversed", g.actor(row["approver_id"]), None, after))


def _decision_parts(g: Gen, pk: int, i: int, driver: int) -> list[int]:
    """Options, contributors, people informed, affected teams, and what it concerns;
    returns the ids of its teams."""
    rng, w = g.rng, g.writer
    t = g.teams[i]
    options = w.table(
        DecisionOption, ("org_id", "decision_id", "title", "pros", "cons", "position", "version")
    )
    if rng.random() < 0.6:
        for position in range(rng.choice((2, 2, 3))):
            options.add(g.org_id, pk, f"Option {chr(65 + position)}", "", "", position, 1)
    others = [p for p in t.members if p != driver]
    contributors = _m2m(g, Decision.contributors, "decision_id", "person_id")
    for pid in rng.sample(others, min(len(others), rng.choice((0, 1, 2)))):
        contributors.add(pk, pid)
    informed = _m2m(g, Decision.informed, "decision_id", "person_id")
    if rng.random() < 0.4 and t.parent is not None:
        informed.add(pk, g.teams[t.parent].lead)
    teams = _m2m(g, Decision.teams, "decision_id", "team_id")
    teams.add(pk, t.id)
    ids = [t.id]
    if rng.random() < 0.3:
        ids.append(g.teams[g.neighbour(i)].id)
        teams.add(pk, ids[-1])
    if rng.random() < 0.3:
        iid, *_ = rng.choice(g.extra["initiatives"][i])
        w.table(DecisionLink, ("org_id", "decision_id", "target_type", "target_id", "label")).add(
            g.org_id, pk, "alignment.initiative", iid, ""
        )
    return ids


def write_action_item(g: Gen, i: int, status: str) -> None:
    """An action item from one of the team's meetings or decisions (or none), due a few
    days to three weeks after; done on time or late, open (some overdue) or dropped."""
    rng, w = g.rng, g.writer
    t = g.teams[i]
    source_type, source_id, created = "", None, None
    roll = rng.random()
    if roll < 0.5 and g.extra["meetings"][i]:
        source_id, created = rng.choice(g.extra["meetings"][i])
        source_type = "rhythm.meeting"
    elif roll < 0.75 and g.extra["decisions"][i]:
        source_id, created = rng.choice(g.extra["decisions"][i])
        source_type = "decisions.decision"
    if status == "open" and rng.random() < RECENT[g.strain(i)]:
        # Taken on in the last days, its due date ahead (other open ones are mostly overdue).
        source_type, source_id = "", None
        created = g.between(g.now - dt.timedelta(days=3), g.now - dt.timedelta(hours=1))
    elif created is None:
        created = g.between(g.window_start, g.now - dt.timedelta(hours=1))
    owner = rng.choice(t.members)
    due = created.date() + dt.timedelta(days=rng.randint(3, 21))
    done_at = dropped_at = None
    title = g.namer.action(g.teams[g.neighbour(i)].name)
    if status == "done":
        done_at = created + dt.timedelta(days=rng.uniform(0.5, 25))
        if done_at >= g.now:
            status, done_at = "open", None
    elif status == "dropped":
        dropped_at = g.between(created, g.now)
    table = w.table(
        ActionItem,
        (
            "org_id",
            "title",
            "owner_id",
            "team_id",
            "due_on",
            "status",
            "done_at",
            "dropped_at",
            "source_type",
            "source_id",
            "created_at",
            "created_by_id",
            "version",
        ),
    )
    pk = table.add(
        g.org_id,
        title,
        owner,
        t.id,
        due,
        status,
        done_at,
        dropped_at,
        source_type,
        source_id,
        created,
        t.lead,
        1 if status == "open" else 2,
    )
    after = {"title": title, "owner": owner, "due_on": due, "source_type": source_type}
    lead = g.actor(t.lead)
    w.event(created, "created", "decisions.actionitem", pk, title, lead, after=after, team=t.id)
    if done_at:
        w.event(
            done_at,
            "completed",
            "decisions.actionitem",
            pk,
            title,
            g.actor(owner),
            before={"status": "open"},
            after={"status": "done", "done_at": done_at},
            team=t.id,
        )
    elif dropped_at:
        w.event(
            dropped_at,
            "dropped",
            "decisions.actionitem",
            pk,
            title,
            g.actor(owner),
            before={"status": "open"},
            after={"status": "dropped"},
            team=t.id,
        )


def write_issue(g: Gen, i: int) -> None:
    """An issue raised by a team; a third were escalated one or two levels up the tree;
    about half are solved or dropped."""
    rng, w = g.rng, g.writer
    t = g.teams[i]
    raiser = rng.choice(t.members)
    title = g.namer.issue()
    opened = g.between(g.window_start, g.now - dt.timedelta(days=1))
    pk = w.table(Issue, ()).new_id()
    w.event(
        opened,
        "raised",
        "decisions.issue",
        pk,
        title,
        g.actor(raiser),
        after={"team": t.id, "severity": "medium"},
        team=t.id,
    )
    here, since = i, opened
    escalations = w.table(
        IssueEscalation,
        (
            "org_id",
            "issue_id",
            "from_team_id",
            "to_team_id",
            "reason",
            "by_id",
            "at",
            "days_at_level",
        ),
    )
    for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2))):
        up = g.teams[here].parent
        if up is None:
            break
        when = g.between(since, min(g.now, since + dt.timedelta(days=20)))
        days = (when - since).days
        by = g.teams[here].lead
        escalations.add(
            g.org_id, pk, g.teams[here].id, g.teams[up].id, "Needs a decision above", by, when, days
        )
        w.event(
            when,
            "escalated",
            "decisions.issue",
            pk,
            title,
            g.actor(by),
            before={"team": g.teams[here].id},
            after={
                "team": g.teams[up].id,
                "reason": "Needs a decision above",
                "days_at_level": days,
            },
            team=g.teams[up].id,  # the issue has moved up, from the team below
            other_team=g.teams[here].id,
        )
        here, since = up, when
    status, closed_at, closed_by, resolution = "open", None, None, ""
    if rng.random() < 0.5:
        closed_at = g.between(since, g.now)
        status = "solved" if rng.random() < 0.85 else "dropped"
        closed_by, resolution = g.teams[here].lead, "Agreed a way forward"
        w.event(
            closed_at,
            status,
            "decisions.issue",
            pk,
            title,
            g.actor(closed_by),
            before={"status": "open"},
            after={"status": status},
            team=g.teams[here].id,
        )
    w.table(
        Issue,
        (
            "org_id",
            "title",
            "description",
            "severity",
            "raised_by_id",
            "team_id",
            "raised_in_id",
            "status",
            "resolution",
            "decision_id",
            "opened_at",
            "level_since",
            "closed_at",
            "closed_by_id",
            "flagged_at",
            "version",
        ),
    ).add(
        g.org_id,
        title,
        "",
        rng.choice(("low", "medium", "medium", "high", "critical")),
        raiser,
        g.teams[here].id,
        t.id,
        status,
        resolution,
        None,
        opened,
        since,
        closed_at,
        closed_by,
        None,
        1,
        pk=pk,
    )
