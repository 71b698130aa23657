"""Telling the informed people and the affected teams when a decision is decided,
superseded or reversed.

The notice goes through the one delivery path (`accord.activity.delivery`): an e-mail per
person, as they chose, and a post to each affected team's chat webhooks. It is queued in
the same transaction as the change, so a refused change queues nothing, and the worker
sends it once, retrying failures with back-off.
"""

from __future__ import annotations

from django.urls import reverse

from accord.activity import delivery
from accord.decisions.models import Decision
from accord.org.models import Organization, Person

# The kinds of notice decisions send (people can mute each one).
KINDS = {
    "decision_decided": "A decision you are informed of is decided",
    "decision_superseded": "A decision you are informed of is superseded",
    "decision_reversed": "A decision you are informed of is reversed",
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
