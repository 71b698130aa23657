"""Telling the informed people and the affected teams when a decision is decided,
superseded or reversed; the owners of its open action items when it is superseded; and
whoever raised an issue when it is solved, dropped or decided on.

The notice goes through the one delivery path (`accord.activity.delivery`): an e-mail per
person, as they chose, and a post to each affected team's chat webhooks. It is queued in
the same transaction as the change, so a refused change queues nothing, and the worker
sends it once, retrying failures with back-off.
"""

from __future__ import annotations

from django.urls import reverse

from accord.activity import delivery
from accord.decisions.models import ActionItem, ActionSource, ActionStatus, Decision, Issue
from accord.org.models import Organization, Person

# The kinds of notice decisions send (people can mute each one).
KINDS = {
    "decision_decided": "A decision you are informed of is decided",
    "decision_superseded": "A decision you are informed of is superseded",
    "decision_reversed": "A decision you are informed of is reversed",
    "action_decision_superseded": "The decision an action item of yours carries out is superseded",
    "issue_closed": "An issue you raised is solved or dropped",
    "issue_decided": "A decision is taken on an issue you raised",
}


def _message(d: Decision, verb: str) -> tuple[str, list[str]]:
    if verb == "decided":
        lines = [f"{d.approver.name} decided: {d.outcome}"]
        if d.rationale:
            lines.append(f"Why: {d.rationale}")
        return f"Decided: {d.question}", lines
    if verb == "superseded":
        new = d.superseded_by
        return f"Superseded: {d.question}", [
            f"This decision is replaced by “{new.question}”"
            + (f": {new.outcome}" if new and new.outcome else "."),
            f"Reason: {d.supersede_reason}",
            f"The original outcome is kept for the record: {d.outcome}",
        ]
    if verb == "reversed":
        return f"Reversed: {d.question}", [
            f"This decision is reversed. Reason: {d.reversal_reason}",
            f"The original outcome is kept for the record: {d.outcome}",
        ]
    raise ValueError(verb)  # pragma: no cover - a programming error


def announce(org: Organization, actor: Person | None, d: Decision, verb: str) -> int:
    """Queue the notice of `verb` on `d` for its informed people (but not the person who
    made the change) and the webhooks of its affected teams. Call inside the transaction.

    Changes by the system (`actor=None`: the demo loader, importers) record history that
    already happened; they are not news and queue nothing."""
    if actor is None:
        return 0
    people = [p for p in d.informed.all() if p.pk != actor.pk]
    teams = list(d.teams.all())
    if not people and not teams:
        return 0
    subject, lines = _message(d, verb)
    path = reverse("decisions:decision", kwargs={"org_slug": org.slug, "decision_id": d.pk})
    return delivery.notify(
        org,
        kind=f"decision_{verb}",
        key=f"decision:{d.pk}:{verb}",
        subject=subject,
        text="\n\n".join(lines),
        link=delivery.site_link(path),
        link_label="Open the decision",
        people=people,
        teams=teams,
    )


def tell_action_owners(org: Organization, actor: Person | None, d: Decision) -> int:
    """Queue, for each owner of `d`'s open action items (but not the person who superseded
    it), a notice that the decision they carry out is superseded, naming their items and
    the decision that replaces it: the items stay open, theirs to finish or drop. Call
    inside the transaction; changes by the system queue nothing (as `announce`)."""
    if actor is None:
        return 0
    items = (
        ActionItem.objects.for_org(org)
        .filter(source_type=ActionSource.DECISION, source_id=d.pk, status=ActionStatus.OPEN)
        .exclude(owner_id=actor.pk)
        .select_related("owner")
        .order_by("owner_id", "id")
    )
    by_owner: dict[int, list[ActionItem]] = {}
    for item in items:
        by_owner.setdefault(item.owner_id, []).append(item)
    new = d.superseded_by
    path = reverse("decisions:decision", kwargs={"org_slug": org.slug, "decision_id": new.pk})
    queued = 0
    for mine in by_owner.values():
        lines = [
            f"“{d.question}”, which your open action item"
            + ("s carry" if len(mine) > 1 else " carries")
            + f" out, is superseded by #{new.pk} “{new.question}”"
            + (f": {new.outcome}" if new.outcome else "."),
            f"Reason: {d.supersede_reason}",
            "Still open, yours to finish or drop if it no longer holds: "
            + "; ".join(f"#{i.pk} {i.title}" for i in mine),
        ]
        queued += delivery.notify(
            org,
            kind="action_decision_superseded",
            key=f"decision:{d.pk}:superseded:owner:{mine[0].owner_id}",
            subject=f"Your action items' decision is superseded: {d.question}"
            if len(mine) > 1
            else f"Your action item's decision is superseded: {d.question}",
            text="\n\n".join(lines),
            link=delivery.site_link(path),
            link_label="Open the decision that replaces it",
            people=[mine[0].owner],
        )
    return queued


def tell_raiser(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    verb: str,
    decision: Decision | None = None,
) -> int:
    """Queue the notice to whoever raised `issue` that it is "solved" or "dropped" (with
    how, and the decision that solved it), or that `decision` about it is "decided". Not
    to the person who did it; changes by the system queue nothing (as `announce`)."""
    raiser = issue.raised_by
    if actor is None or raiser is None or raiser.pk == actor.pk:
        return 0
    by = actor.name
    if verb == "decided":
        subject = f"Decided on your issue: {issue.title}"
        lines = [f"{decision.approver.name} decided “{decision.question}”: {decision.outcome}"]
        if decision.rationale:
            lines.append(f"Why: {decision.rationale}")
        kind, page = "issue_decided", ("decisions:decision", "decision_id", decision.pk)
        key = f"issue:{issue.pk}:decided:{decision.pk}"
    elif verb in ("solved", "dropped"):
        subject = f"{verb.capitalize()}: {issue.title}"
        said = "How" if verb == "solved" else "Why"
        lines = [
            f"{by} {verb} the issue you raised, at {issue.team.name}.",
            f"{said}: {issue.resolution}",
        ]
        if decision is not None:
            lines.append(f"Solved by the decision “{decision.question}”: {decision.outcome}")
        kind, page = "issue_closed", ("decisions:issue", "issue_id", issue.pk)
        key = f"issue:{issue.pk}:{verb}"
    else:  # pragma: no cover - a programming error
        raise ValueError(verb)
    path = reverse(page[0], kwargs={"org_slug": org.slug, page[1]: page[2]})
    return delivery.notify(
        org,
        kind=kind,
        key=key,
        subject=subject,
        text="\n\n".join(lines),
        link=delivery.site_link(path),
        link_label="Open the decision" if verb == "decided" else "Open the issue",
        people=[raiser],
    )
