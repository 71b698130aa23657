"""Telling the informed people and the affected teams when a decision is decided,
superseded or reversed; the owners of its open action items when it is superseded;
whoever raised an issue when it is solved, dropped or decided on; and the owner of an
action item when someone else gives it to them, and the morning it is due and the
morning after it became overdue (`remind_due`, the worker's, at 08:00 in their own zone;
not while they are away: overdue, the first morning back within a week of its due date).

The notice goes through the one delivery path (`accord.activity.delivery`): an e-mail per
person, as they chose, and a post to each affected team's chat webhooks; whoever raised an
issue also finds its news in their inbox (`accord.conversation`). It is queued in
the same transaction as the change, so a refused change queues nothing, and the worker
sends it once, retrying failures with back-off.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator, Set

from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.core.days import own_zone
from accord.decisions.models import ActionItem, ActionSource, ActionStatus, Decision, Issue
from accord.org.invitations import email_configured
from accord.org.models import Organization, Person
from accord.web.templatetags.dates import day

# The kinds of notice decisions send (people can mute each one).
KINDS = {
    "decision_decided": "A decision you are informed of is decided",
    "decision_superseded": "A decision you are informed of is superseded",
    "decision_reversed": "A decision you are informed of is reversed",
    "action_assigned": "Someone gives you an action item",
    "action_due": "An action item of yours is due today, or has become overdue",
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
    """Tell whoever raised `issue` that it is "solved" or "dropped" (with how, and the
    decision that solved it), or that `decision` about it is "decided": an item in their
    inbox (whether or not e-mail is set up), and the notice queued for e-mail as they
    chose. Not the person who did it; changes by the system tell no one (as `announce`)."""
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
    _inbox_raiser(org, actor, issue, raiser, key, subject if verb == "decided" else None, path)
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


def _inbox_raiser(
    org: Organization,
    actor: Person,
    issue: Issue,
    raiser: Person,
    key: str,
    title: str | None,
    link: str,
) -> None:
    """The raiser's inbox item of `tell_raiser`'s news (its `key`): "Solved by Jonas
    Mensah: …", "Dropped by …: …" (`title` None), or the decision's `title`; linked to
    the issue (or the decision taken on it)."""
    from accord.conversation.models import InboxItem, InboxKind
    from accord.conversation.services import add_items

    if not raiser.is_active:
        return
    if title is None:
        title = f"{issue.get_status_display()} by {actor.name}: {issue.title}"
    add_items(
        org,
        [
            InboxItem(
                org=org,
                person=raiser,
                kind=InboxKind.RAISED,
                key=key[:100],
                title=title[:300],
                link=link[:500],
                actor=actor,
                target_type="decisions.issue",
                target_id=issue.pk,
            )
        ],
    )


# --- action items: given to someone, due, overdue ------------------------------------------

MORNING = dt.time(8)  # an action item's reminders go out at this hour of its owner's day


def due_words(item: ActionItem) -> str:
    """What follows an action item's title: " (due 8 Dec 2026)", or nothing when undated."""
    return f" (due {day(item.due_on)})" if item.due_on else ""


def _action_link(org: Organization, item: ActionItem) -> str:
    return delivery.site_link(
        reverse("decisions:action", kwargs={"org_slug": org.slug, "item_id": item.pk})
    )


# Set while a leaver's work is handed on (`org.leaving.hand_over`): the one summary e-mail
# tells the new owner, not one e-mail per action item.
_handing_over = contextvars.ContextVar("handing_over", default=False)


@contextlib.contextmanager
def handing_over() -> Iterator[None]:
    """Within it, action items given to someone send no "gave you" e-mail each."""
    token = _handing_over.set(True)
    try:
        yield
    finally:
        _handing_over.reset(token)


def tell_owner(org: Organization, actor: Person | None, item: ActionItem) -> int:
    """Queue the e-mail telling `item`'s owner that `actor` gave it to them (created for
    them, or given to them by a change of owner). Not when they filed it for themselves,
    nor for history (`actor` None: importers; the demo's story), nor while a leaver's work
    is handed on (`handing_over`: one summary e-mail says it all). Call inside the
    transaction; once per change of the item (its version)."""
    from accord import demo

    if actor is None or actor.pk == item.owner_id or demo.loading() or _handing_over.get():
        return 0
    lines = [f"{actor.name} gave you an action item: {item.title}"]
    lines.append(f"Due {day(item.due_on)}." if item.due_on else "It has no due date.")
    if item.team_id:
        lines.append(f"For {item.team.name}.")
    return delivery.notify(
        org,
        kind="action_assigned",
        key=f"action:{item.pk}:v{item.version}:assigned",
        subject=f"{actor.name} gave you an action item: {item.title}{due_words(item)}",
        text="\n\n".join(lines),
        link=_action_link(org, item),
        link_label="Open the action item",
        people=[item.owner],
    )


# An overdue item's owner away the morning after it was due is reminded of it the first
# morning they are back, if that is within this many days of its due date.
OVERDUE_BACK_WITHIN = 7


def _stage(item: ActionItem, local: dt.datetime, away: Set[dt.date] = frozenset()) -> str:
    """The reminder due now: "due" from the morning of the owner's day it is due,
    "overdue" from the morning after, else "". Not "due" when it was given after that
    morning's hour: the e-mail and the inbox item that gave it said when it is due. None
    on a day the owner is away (`away`: their days off); "overdue" then goes the first
    morning they are back, within OVERDUE_BACK_WITHIN days of the due date."""
    if local.time() < MORNING:
        return ""
    today = local.date()
    if today in away:
        return ""
    if item.due_on == today:
        morning = dt.datetime.combine(today, MORNING, local.tzinfo)
        return "" if item.created_at >= morning else "due"
    late = (today - item.due_on).days
    if 1 <= late <= OVERDUE_BACK_WITHIN and all(
        item.due_on + dt.timedelta(days=k) in away for k in range(1, late)
    ):
        return "overdue"  # the morning after, or the first morning back since
    return ""


def _days_away(book, person_id: int, start: dt.date, end: dt.date) -> set[dt.date]:
    """The days from `start` to `end` that `person_id` is away (`book`: an `AwayBook`)."""
    days: set[dt.date] = set()
    for first, last in book.periods.get(person_id, ()):
        first, last = max(first, start), min(last, end)
        days.update(first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    return days


def remind_due(org: Organization, now: dt.datetime | None = None) -> int:
    """Queue, once per open action item and stage, the e-mail reminding its owner that it
    is due today (from 08:00 of the day it is due, in their own zone) or that it is overdue
    (from 08:00 of the day after). Nothing while the owner is away (their time off): no
    "due today" on a day off, and "overdue" the first morning they are back instead, if
    that is within OVERDUE_BACK_WITHIN (7) days of the due date. Reads only the open items
    due from eight days before the UTC day to the day after (every zone's today and the
    week before), off the due-date index, and their owners' time off (one query);
    leaves out deactivated owners, those without an address and those who turned e-mail
    off or muted `action_due`, and the reminders already queued. Returns how many are new."""
    from accord.rhythm.queries import AwayBook

    now = now or timezone.now()
    if not email_configured():
        return 0  # nothing would be queued: read nothing
    utc_today = now.astimezone(dt.UTC).date()
    first_due = utc_today - dt.timedelta(days=OVERDUE_BACK_WITHIN + 1)
    items = list(
        ActionItem.objects.for_org(org)
        .filter(
            status=ActionStatus.OPEN,
            due_on__gte=first_due,
            due_on__lte=utc_today + dt.timedelta(days=1),
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .select_related("owner", "team")
        .order_by("due_on", "id")
    )
    if not items:
        return 0
    last_day = utc_today + dt.timedelta(days=1)
    book = AwayBook(org, {i.owner_id for i in items}, first_due, last_day)
    away = {pid: _days_away(book, pid, first_due, last_day) for pid in book.periods}
    fallback = timezone.get_default_timezone()
    planned: list[tuple[ActionItem, str, str]] = []
    for item in items:
        local = now.astimezone(own_zone(item.owner) or fallback)
        stage = _stage(item, local, away.get(item.owner_id, frozenset()))
        if stage:
            planned.append((item, stage, f"action:{item.pk}:{stage}:{item.due_on.isoformat()}"))
    if not planned:
        return 0
    told = set(
        Notification.objects.filter(org=org, topic__in=[key for _, _, key in planned]).values_list(
            "topic", "person_id"
        )
    )
    prefs = delivery.preferences(org, {item.owner_id for item, _, _ in planned})
    queued = 0
    for item, stage, key in planned:
        if (key, item.owner_id) in told or not prefs[item.owner_id].wants("action_due", "email"):
            continue
        if stage == "due":
            subject = f"Due today: {item.title}"
            lines = [f"Your action item “{item.title}” is due today, {day(item.due_on)}."]
        else:
            subject = f"Overdue since {day(item.due_on)}: {item.title}"
            lines = [f"Your action item “{item.title}” is overdue since {day(item.due_on)}."]
        if item.team_id:
            lines.append(f"For {item.team.name}.")
        lines.append("Mark it done once it is, or give it a new date.")
        queued += delivery.notify(
            org,
            kind="action_due",
            key=key,
            subject=subject,
            text="\n\n".join(lines),
            link=_action_link(org, item),
            link_label="Open the action item",
            people=[item.owner],
            now=now,
        )
    return queued


def remind_due_all(now: dt.datetime | None = None) -> int:
    """`remind_due` in every organization: what the periodic task does."""
    now = now or timezone.now()
    return sum(remind_due(org, now) for org in Organization.objects.all())
