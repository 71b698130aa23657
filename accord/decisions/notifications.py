"""Telling the informed people and the affected teams when a decision is decided,
superseded or reversed.

Delivery is the operating rhythm's notification channels (e-mail per person, respecting
their channel choice; chat webhooks per team): the notice is queued in the same
transaction as the change, so a refused change queues nothing, and the worker sends it
once, retrying failures with back-off.
"""

from __future__ import annotations

from django.urls import reverse

from accord.decisions.models import Decision
from accord.org.models import Organization, Person


def _notice(org: Organization, d: Decision, verb: str):
    from accord.rhythm.notifications import Notice, site_link

    path = reverse("decisions:decision", kwargs={"org_slug": org.slug, "decision_id": d.pk})
    if verb == "decided":
        subject = f"Decided: {d.question}"
        lines = [f"{d.approver.name} decided: {d.outcome}"]
        if d.rationale:
            lines.append(f"Why: {d.rationale}")
    elif verb == "superseded":
        new = d.superseded_by
        subject = f"Superseded: {d.question}"
        lines = [
            f"This decision is replaced by “{new.question}”"
            + (f": {new.outcome}" if new and new.outcome else "."),
            f"Reason: {d.supersede_reason}",
            f"The original outcome is kept for the record: {d.outcome}",
        ]
    elif verb == "reversed":
        subject = f"Reversed: {d.question}"
        lines = [
            f"This decision is reversed. Reason: {d.reversal_reason}",
            f"The original outcome is kept for the record: {d.outcome}",
        ]
    else:  # pragma: no cover - a programming error
        raise ValueError(verb)
    return Notice(
        key=f"decision:{d.pk}:{verb}",
        kind=f"decision_{verb}",
        subject=subject[:300],
        lines=lines,
        link=site_link(path),
        link_label="Open the decision",
    )


def announce(org: Organization, actor: Person | None, d: Decision, verb: str) -> int:
    """Queue the notice of `verb` on `d` for its informed people (but not the person who
    made the change) and the webhooks of its affected teams. Call inside the transaction.

    Changes by the system (`actor=None`: the demo loader, importers) record history that
    already happened; they are not news and queue nothing."""
    from accord.rhythm import notifications

    if actor is None:
        return 0
    people = [p for p in d.informed.all() if actor is None or p.pk != actor.pk]
    teams = list(d.teams.all())
    if not people and not teams:
        return 0
    return notifications.announce(org, _notice(org, d, verb), people=people, teams=teams)
