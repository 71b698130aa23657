"""What lands in a person's inbox from the other pillars, read off the event each of their
services records (in that write's transaction, so a refused write adds nothing):

- a dependency requested of a team → each lead of the providing team, also by e-mail
  (and a post to that team's chat); a proposal of
  another date or scope → the other side's leads, whose turn it is (and the person who
  asked, when the provider proposes), also by e-mail as an answer is; a side passed to
  another team (its initiative moved) → the question follows to that team's leads; a
  request its asker sends to another team → that team's leads, as a new request, and the
  team it left is told (a request or counter-proposal now asked of another team reaches
  its leads by e-mail and its chat too, as a new request does); a reminder its asking
  side sends (`remind`) → each lead of the providing team, also by e-mail;
- a dependency answered (accepted, declined with the reason, agreed, said delivered by
  its provider, delivered, said not delivered yet, or cancelled) → the requesting team's
  leads and the person who asked, and, when the requesting side acted (agreed, confirmed
  delivery, said not delivered yet, cancelled), the providing team's leads; flagged at
  risk or blocked, or its flag cleared → both teams' leads and the person who asked (a
  newer flag replaces the older one's item). These also go out as
  an e-mail (and a post to those teams' chats) through the one delivery path, which
  leaves out whoever turned e-mail off or muted the kind (`notifications.KINDS`);
- a decision created, proposed or given a new approver → its approver, while undecided;
- an action item created or given to someone → its owner (given to someone else, it is
  done for the previous owner); reopened → open again for its owner, as before it was
  closed, saying who reopened it (their own reopening, an Undo, is no news);
- an issue raised with a team or escalated to one → that team's leads (escalated, it is
  done for the team it left); solved, dropped or decided on → whoever raised it (written
  by `accord.decisions.notifications.tell_raiser` with the notice it queues, kind
  "raised", after the issue's other items are done by themselves).

What is meant for a team's leads goes, when the team has no active lead, to the leads of
the nearest team above it that has one (who may act for it), else to the organization's
admins (`_leads`, `org.queries.answering`: the one rule, moved requests and escalated
issues included, and the one the sentences saying who was told read).
Nobody is told of what they did themselves. Each lands once per person (the item's key).
When the thing is answered, decided or finished, its items are done by themselves, and
read (`InboxItemQuerySet.close`): a done item is never unread.
Rows written in bulk without events (`accord generate`) add nothing, and the demo's
story (`accord.demo.loading`) fills inboxes but sends no e-mail.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from accord.conversation.models import InboxItem, InboxKind
from accord.conversation.text import excerpt
from accord.org.models import Person
from accord.org.queries import answering
from accord.web.templatetags.dates import day
from accord.web.templatetags.numbers import counted

# (target_type, verb) -> handler; target types the inbox watches.
DEPENDENCY = "coordination.dependency"
DECISION = "decisions.decision"
ACTION = "decisions.actionitem"
ISSUE = "decisions.issue"

CLOSING = {
    DEPENDENCY: {
        "accepted",
        "declined",
        "cancelled",
        "delivered",
        "agreed",
        "proposed",
        "countered",
        "marked_delivered",
        "reopened",
    },
    DECISION: {"decided", "superseded", "reversed"},
    ACTION: {"completed", "dropped"},
    ISSUE: {"solved", "dropped"},
}

# What a dependency's answers and flags tell (`_news`): the verb's phrase, and whether the
# requesting side did it (then the providing team hears of it too).
ANSWERS = {
    "accepted": ("accepts", False),
    "declined": ("declines", False),
    "agreed": ("agrees to the proposal", True),
    "delivered": ("confirms the delivery", True),
    "cancelled": ("cancels the request", True),
    "marked_delivered": ("says it was delivered", False),
    "reopened": ("says it is not delivered yet", True),
}
FLAGS = {
    "flagged_at_risk": "flags at risk",
    "flagged_blocked": "flags blocked",
    "flag_cleared": "clears the flag",
}


def on_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    event = instance
    closing = CLOSING.get(event.target_type)
    if closing is None:
        return
    if event.verb in closing:
        _close(event)
        if event.target_type == DEPENDENCY and event.verb in ("proposed", "countered"):
            _turn(event)
        elif event.target_type == DEPENDENCY and event.verb in ANSWERS:
            _news(event)
    elif event.target_type == DEPENDENCY and event.verb in FLAGS:
        _news(event)
    elif event.target_type == DEPENDENCY and event.verb == "created":
        _dependency(event)
    elif event.target_type == DEPENDENCY and event.verb == "reminded":
        _reminded(event)
    elif event.target_type == DEPENDENCY and event.verb == "moved":
        _dependency_moved(event)
    elif event.target_type == DEPENDENCY and event.verb == "updated":
        _dependency_edited(event)
    elif event.target_type == DECISION and (
        event.verb in ("created", "proposed") or "approver" in (event.after or {})
    ):
        _decision(event)
    elif event.target_type == ACTION and (
        event.verb in ("created", "reopened") or "owner" in (event.after or {})
    ):
        _action(event)
    elif event.target_type == ACTION and {"title", "due_on"} & set(event.after or {}):
        _action_retitled(event)
    elif event.target_type == ISSUE and event.verb in ("raised", "escalated"):
        _issue(event)


def _get(event, model: str):
    return apps.get_model(model).objects.filter(org_id=event.org_id, pk=event.target_id).first()


def _leads(org_id: int, team) -> list[int]:
    """Who is told what is meant for a team's leads (a team or its id): its own active
    leads; with none, the nearest leads above it; with none up to the top, the admins
    (`org.queries.answering`, the rule the sentences saying who was told read too)."""
    if not isinstance(team, apps.get_model("org.Team")):
        team = apps.get_model("org.Team").objects.filter(org_id=org_id, pk=team).first()
        if team is None:
            return []
    return list(answering(org_id, team).people)


def _add(event, people, kind: str, key: str, title: str, link: str) -> None:
    rows = [
        InboxItem(
            org_id=event.org_id,
            person_id=pid,
            kind=kind,
            key=key[:100],
            title=title[:300],
            link=link[:500],
            actor_id=event.actor_id,
            target_type=event.target_type,
            target_id=int(event.target_id),
            created_at=event.created_at or timezone.now(),
        )
        for pid in dict.fromkeys(people)
        if pid is not None and pid != event.actor_id
    ]
    if rows:
        InboxItem.objects.bulk_create(rows, ignore_conflicts=True)


def _close(event) -> None:
    InboxItem.objects.filter(
        org_id=event.org_id,
        target_type=event.target_type,
        target_id=int(event.target_id),
    ).close()


def _link(name: str, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


# A request's priority as the first words of its question, when it is more than usual.
URGENT = {"critical": "Critical · ", "high": "High priority · "}


def _asks(dep) -> str:
    """A request as the leads asked read it in their inbox: its priority when critical or
    high, who asks whom by when (the date: the line is kept, so never "today"), and what."""
    return (
        f"{URGENT.get(dep.priority, '')}{dep.requester_team.name} asks "
        f"{dep.provider_team.name} by {day(dep.need_by)}: {dep.title}"
    )


def _dependency(event) -> None:
    """A new request: each lead of the team asked gets it in their inbox, and by e-mail
    (and the team's chat a post) as an answer is (`_mail`, kind `dependency_requested`)."""
    dep = _get(event, "coordination.Dependency")
    if dep is None:
        return
    link = _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk)
    people = _people(dep.org_id, _leads(dep.org_id, dep.provider_team), event.actor_id)
    key = f"dependency:{dep.pk}"
    _add(event, [p.pk for p in people], InboxKind.REQUEST, key, _asks(dep), link)
    subject = (
        f"{URGENT.get(dep.priority, '')}{dep.requester_team.name} asks "
        f"{dep.provider_team.name}: {dep.title} (needed by {day(dep.need_by)})"
    )
    what = [excerpt(dep.description)] if dep.description.strip() else []
    what.append("Accept, decline or propose another date or scope.")
    text = "\n".join(what)
    teams = [dep.provider_team]
    _mail(dep, people, teams, key, subject, text, link, False, kind="dependency_requested")


def _people(org_id: int, wanted, actor_id: int | None) -> list[Person]:
    """The active people among `wanted` (ids), but the one who acted."""
    return list(
        Person.objects.filter(
            org_id=org_id,
            pk__in=[p for p in wanted if p is not None and p != actor_id],
            is_active=True,
        )
    )


def _turn(event) -> None:
    """A proposal answers a request and asks the other side: the provider proposed another
    date or scope (the requesting team's leads and the person who asked are asked), or the
    requester countered (the providing team's leads are). One item per round, and an
    e-mail (and chat post) as an answer's (`_mail`)."""
    dep = _get(event, "coordination.Dependency")
    if dep is None:
        return
    provider, requester = dep.provider_team, dep.requester_team
    if event.verb == "proposed":
        asked, title = requester, f"{provider.name} proposes another date or scope: {dep.title}"
        wanted = [dep.requested_by_id, *_leads(dep.org_id, asked)]
    else:
        asked, title = provider, f"{requester.name} counter-proposes: {dep.title}"
        wanted = _leads(dep.org_id, asked)
    people = _people(dep.org_id, wanted, event.actor_id)
    key = f"dependency:{dep.pk}:{event.pk}"
    link = _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk)
    _add(event, [p.pk for p in people], InboxKind.REQUEST, key, title, link)
    offer = [f"Proposed for {day(dep.proposed_date)}." if dep.proposed_date else ""]
    if dep.proposed_scope:
        offer.append(f"Scope: {dep.proposed_scope}")
    note = str((event.after or {}).get("note") or "").strip()
    if note:
        offer.append(f"Note: {note}")
    _mail(dep, people, [asked], key, title, "\n".join(o for o in offer if o), link, False)


def _reminded(event) -> None:
    """The asking side chases an answer (`coordination.services.remind`): each lead of the
    team asked gets an item of its own and an e-mail (`dependency_reminded`)."""
    dep = _get(event, "coordination.Dependency")
    if dep is None:
        return
    days = (event.after or {}).get("waiting_days")
    asked = f", asked {counted(days, 'day')} ago" if days else ""
    title = (
        f"{event.actor_name or 'Accord'} reminds {dep.provider_team.name}: "
        f"{dep.requester_team.name} waits for an answer on {dep.title}{asked}"
    )
    people = _people(dep.org_id, _leads(dep.org_id, dep.provider_team), event.actor_id)
    key = f"dependency:{dep.pk}:{event.pk}"
    link = _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk)
    _add(event, [p.pk for p in people], InboxKind.REQUEST, key, title, link)
    what = "Accept, decline or propose another date or scope."
    _mail(dep, people, [], key, title, what, link, False, kind="dependency_reminded")


def _news(event) -> None:
    """An answer to a request or a flag on it, told to the other side (see the module
    docstring): an inbox item each, and an e-mail (and chat post) as each chose."""
    from accord.coordination.models import Dependency

    dep = (
        Dependency.objects.filter(org_id=event.org_id, pk=event.target_id)
        .select_related("org", "requester_team", "provider_team")
        .first()
    )
    if dep is None:
        return
    requester, provider = dep.requester_team, dep.provider_team
    after = event.after or {}
    note = str(after.get("note") or "").strip()
    if event.verb in ANSWERS:
        phrase, by_requester = ANSWERS[event.verb]
        flag = False
        who = requester.name if by_requester else provider.name
        if event.verb in ("accepted", "agreed") and dep.committed_date:
            phrase += f", for {day(dep.committed_date)}"
        teams = [requester, provider] if by_requester else [requester]
    else:
        phrase, flag = FLAGS[event.verb], True
        who = event.actor_name or "Accord"
        teams = [requester, provider]
    headline = title = f"{who} {phrase}: {dep.title}"
    if note:
        reason = event.verb in ("declined", "cancelled") or flag
        note = f"{'Reason' if reason else 'Note'}: {note}"
        title += f". {note}"
    # A lead of a team above who acted for one side: that side's own leads hear of it.
    acting = (after.get("acting_for") or {}).get("team_id")
    team_ids = list(dict.fromkeys([t.pk for t in teams] + ([acting] if acting else [])))
    wanted = [dep.requested_by_id]
    for team_id in team_ids:
        wanted += _leads(dep.org_id, team_id)
    people = _people(dep.org_id, wanted, event.actor_id)
    link = _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk)
    if flag:
        # The dependency's newest flag is what stands: an older flag's item is done.
        InboxItem.objects.filter(
            org_id=event.org_id,
            target_type=DEPENDENCY,
            target_id=dep.pk,
            key__startswith=f"dependency:{dep.pk}:flag:",
        ).close()
    key = flag_key(dep.pk, event.pk) if flag else f"dependency:{dep.pk}:{event.pk}"
    _add(event, [p.pk for p in people], InboxKind.UPDATE, key, title, link)
    # The e-mail and chat post carry the note in their text, so not in the subject too.
    _mail(dep, people, teams, key, headline, note, link, flag)


def flag_key(dependency_id: int, event_id: int) -> str:
    """The key of a flag's inbox items and notices: the signal its flag raises reads it to
    tell no one twice (`accord.intelligence.notifications`)."""
    return f"dependency:{dependency_id}:flag:{event_id}"


def _mail(
    dep, people, teams, key: str, title: str, note: str, link: str, flag: bool, kind: str = ""
) -> None:
    """The e-mail (and team chat post) of a dependency's news, through the one delivery
    path, which leaves out whoever turned e-mail off or muted its kind (`kind`, else an
    answer's or a flag's)."""
    from accord import demo
    from accord.activity import delivery

    if demo.loading() or not (people or teams):
        return
    requester, provider = dep.requester_team.name, dep.provider_team.name
    lines = [
        f"{dep.title}: {requester} needs it from {provider} by {day(dep.need_by)}"
        + (f", committed for {day(dep.committed_date)}." if dep.committed_date else ".")
    ]
    if note:
        lines.append(note)
    delivery.notify(
        dep.org,
        kind=kind or ("dependency_flagged" if flag else "dependency_answered"),
        key=key,
        subject=title,
        text="\n".join(lines),
        link=delivery.site_link(link),
        link_label="Open the dependency",
        people=people,
        teams=teams,
    )


def _dependency_moved(event) -> None:
    """A side of a dependency passed to another team (the initiative it rests on moved):
    its open question follows. Whoever is no longer asked has it done, the others read it
    with the teams' new names, and the leads of a team newly asked get it (and, a team now
    providing it, by e-mail and its chat: `_asked_now`)."""
    dep = _get(event, "coordination.Dependency")
    if dep is None:
        return
    requester, provider = dep.requester_team.name, dep.provider_team.name
    if dep.state == "requested":
        asked, title = dep.provider_team_id, _asks(dep)
    elif dep.state == "negotiating" and dep.awaiting == "requester":
        asked = dep.requester_team_id
        title = f"{provider} proposes another date or scope: {dep.title}"
    elif dep.state == "negotiating":
        asked, title = dep.provider_team_id, f"{requester} counter-proposes: {dep.title}"
    else:
        return  # answered: nothing of it is open
    leads = _leads(dep.org_id, asked)
    items = InboxItem.objects.filter(
        org_id=event.org_id,
        target_type=DEPENDENCY,
        target_id=dep.pk,
        kind=InboxKind.REQUEST,
        done_at__isnull=True,
    )
    items.exclude(person_id__in=leads).close()
    items.filter(person_id__in=leads).update(title=title[:300])
    told = set(items.filter(person_id__in=leads).values_list("person_id", flat=True))
    key = f"dependency:{dep.pk}:{event.pk}"
    link = _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk)
    newly = [p for p in leads if p not in told]
    _add(event, newly, InboxKind.REQUEST, key, title, link)
    left = (event.before or {}).get("provider_team")
    if asked == dep.provider_team_id and "provider_team" in (event.after or {}) and left:
        _asked_now(event, dep, left, newly, key, link)


def _asked_now(event, dep, left: int, newly: list[int], key: str, link: str) -> None:
    """A request now asked of another team (re-routed by its asker, or its provider's
    initiative moved): that team's leads newly asked get it by e-mail, and its chat a
    post, as a new request's (`dependency_requested`), saying it is theirs now."""
    old = apps.get_model("org.Team").objects.filter(org_id=dep.org_id, pk=left).first()
    instead = f", instead of {old.name}" if old else ""
    requester, provider = dep.requester_team.name, dep.provider_team.name
    if dep.state == "requested":
        subject = (
            f"{URGENT.get(dep.priority, '')}{requester} asks {provider} now{instead}: "
            f"{dep.title} (needed by {day(dep.need_by)})"
        )
        what = [excerpt(dep.description)] if dep.description.strip() else []
    else:
        subject = f"{requester} counter-proposes to {provider} now{instead}: {dep.title}"
        what = [f"Proposed for {day(dep.proposed_date)}."] if dep.proposed_date else []
        if dep.proposed_scope:
            what.append(f"Scope: {dep.proposed_scope}")
    note = str((event.after or {}).get("note") or "").strip()
    if note and event.verb == "moved":  # why: its initiative moved
        what.append(note)
    what.append("Accept, decline or propose another date or scope.")
    people = _people(dep.org_id, newly, event.actor_id)
    text, teams = "\n".join(what), [dep.provider_team]
    _mail(dep, people, teams, key, subject, text, link, False, kind="dependency_requested")


def _dependency_edited(event) -> None:
    """The asking side edited its request (still unanswered): the open question reads its
    new title, priority and need-by date; sent to another team, it is that team's leads'
    question now (passed on as `_dependency_moved` does) and the team it left is told."""
    after = event.after or {}
    if not {"title", "provider_team", "priority", "need_by"} & set(after):
        return
    _dependency_moved(event)
    left = (event.before or {}).get("provider_team")
    dep = _get(event, "coordination.Dependency")
    if dep is None or "provider_team" not in after or left is None:
        return
    old = apps.get_model("org.Team").objects.filter(org_id=dep.org_id, pk=left).first()
    asked = set(_leads(dep.org_id, dep.provider_team_id))
    _add(
        event,
        [p for p in _leads(dep.org_id, left) if p not in asked],
        InboxKind.UPDATE,
        f"dependency:{dep.pk}:{event.pk}:left",
        f"{dep.requester_team.name} asks {dep.provider_team.name} instead of "
        f"{old.name if old else 'your team'}: {dep.title}",
        _link("coordination:detail", org_slug=dep.org.slug, dep_id=dep.pk),
    )


def _decision(event) -> None:
    d = _get(event, "decisions.Decision")
    if d is None or d.status not in ("open", "proposed"):
        return
    _add(
        event,
        [d.approver_id],
        InboxKind.DECISION,
        f"decision:{d.pk}:approver",
        f"Waiting on your decision: {d.question}",
        _link("decisions:decision", org_slug=d.org.slug, decision_id=d.pk),
    )


def _action(event) -> None:
    item = _get(event, "decisions.ActionItem")
    if item is None or item.status != "open":
        return
    key = f"action:{item.pk}"
    mine = InboxItem.objects.filter(
        org_id=event.org_id, target_type=ACTION, target_id=item.pk, key=key
    )
    # Given to someone else, it is no longer the previous owner's to do.
    mine.exclude(person_id=item.owner_id).close()
    # With its due date (the date: the line is kept, so never "today"), as its e-mail says.
    due = f" (due {day(item.due_on)})" if item.due_on else ""
    if event.verb == "reopened":
        title = f"Reopened by {event.actor_name or 'Accord'}: {item.title}{due}"
    else:
        title = f"Action item for you: {item.title}{due}"
    # Back with someone who had it (reopened, or given back): their item is open again.
    back = mine.filter(person_id=item.owner_id, done_at__isnull=False)
    if item.owner_id != event.actor_id:
        back.update(
            done_at=None,
            read_at=None,
            created_at=event.created_at or timezone.now(),
            title=title[:300],
            actor_id=event.actor_id,
        )
    elif event.verb == "reopened":
        # They reopened it themselves (an Undo): as it was, nothing new; read only if it
        # was read before it was done (being done read it: `InboxItemQuerySet.close`).
        back.filter(read_at=F("done_at")).update(done_at=None, read_at=None)
        back.update(done_at=None)
    _add(
        event,
        [item.owner_id],
        InboxKind.ACTION,
        key,
        title,
        _link("decisions:action", org_slug=item.org.slug, item_id=item.pk),
    )


def _action_retitled(event) -> None:
    """An action item renamed or given another date: its owner's open line says it so."""
    item = _get(event, "decisions.ActionItem")
    if item is None:
        return
    due = f" (due {day(item.due_on)})" if item.due_on else ""
    open_lines = InboxItem.objects.filter(
        org_id=event.org_id,
        target_type=ACTION,
        target_id=item.pk,
        key=f"action:{item.pk}",
        person_id=item.owner_id,
        done_at__isnull=True,
    )
    for line in open_lines:
        said = line.title.split(": ", 1)[0]  # "Action item for you", "Reopened by …"
        line.title = f"{said}: {item.title}{due}"[:300]
        line.save(update_fields=["title"])


# An issue's severity as the first words of its line, when it is more than usual (as a
# request's priority is).
SEVERE = {"critical": "Critical · ", "high": "High severity · "}


def _issue(event) -> None:
    issue = _get(event, "decisions.Issue")
    if issue is None or issue.status != "open":
        return
    key = f"issue:{issue.pk}:team{issue.team_id}"
    if event.verb == "escalated":
        # It has left the team it was with: that team's leads have nothing more to do
        # (what its raiser was told of it stays theirs to read).
        InboxItem.objects.filter(
            org_id=event.org_id,
            target_type=ISSUE,
            target_id=issue.pk,
            kind=InboxKind.ISSUE,
        ).exclude(key=key).close()
    _add(
        event,
        _leads(issue.org_id, issue.team),
        InboxKind.ISSUE,
        key,
        f"{SEVERE.get(issue.severity, '')}Issue for {issue.team.name}: {issue.title}",
        _link("decisions:issue", org_slug=issue.org.slug, issue_id=issue.pk),
    )
