"""Every write of conversation: comments (post, edit, delete) and a person's inbox (read,
done, reopen). Each validates, changes and records its event in one transaction.

Who may comment: active members, leaders and admins of the organization (viewers read
comments but write none). A comment is edited or deleted by its author, or by an admin.
An inbox item is changed only by the person it belongs to.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.conversation import queries, targets, text
from accord.conversation.models import Comment, InboxItem, InboxKind
from accord.core.errors import Duplicate, PermissionDenied, ServiceError
from accord.core.services import (
    check_version,
    require_same_org,
    require_text,
    update_and_record,
)
from accord.org.models import Membership, Organization, Person, Role
from accord.web.templatetags.dates import at_moment

MAX_BODY = 10_000


def may_comment(person: Person | None) -> bool:
    return person is not None and person.is_active and person.has_role(Role.MEMBER)


def may_change(person: Person | None, comment: Comment) -> bool:
    if person is None or not person.is_active:
        return False
    if person.has_role(Role.ADMIN):
        return True
    return comment.author_id == person.pk and person.has_role(Role.MEMBER)


def require_commenter(actor: Person | None) -> Person:
    if not may_comment(actor):
        raise PermissionDenied("Only members, leaders and admins may comment; viewers read.")
    return actor  # type: ignore[return-value]


def _body(body: str | None) -> str:
    return require_text(body, "body", max_length=MAX_BODY, label="Comment")


@transaction.atomic
def post_comment(
    org: Organization,
    actor: Person | None,
    target: Model,
    body: str | None,
    *,
    notify: bool = True,
    again: bool = False,
) -> Comment:
    """Comment on `target` (an object of `targets.KINDS`) and tell whom it mentions (their
    inbox; and e-mail and team chat unless `notify` is off, as for the demo). The same
    comment its author posted there a moment ago is refused (`Duplicate`, `queries.twin`)
    unless `again`."""
    author = require_commenter(actor)
    require_same_org(org, author, "person")
    require_same_org(org, target, targets.kind_for(target).label)
    source = _body(body)
    twin = None if again else queries.twin(org, author, target, source)
    if twin is not None:
        raise Duplicate(
            f"You posted this same comment {at_moment(twin.created_at)} (comment #{twin.pk}); "
            "it is there already.",
            existing=twin,
            what="comment",
        )
    rendered = text.render(org, source)
    comment = Comment.objects.create(
        org=org,
        target_kind=targets.kind_for(target).name,
        target_id=target.pk,
        author=author,
        body=source,
        body_html=rendered.html,
    )
    activity.record(
        org,
        author,
        "created",
        comment,
        # The text stays out of the event: every reader of the log, the events API and
        # webhooks would read it word for word, after its author edited or deleted it.
        after={
            "target": comment.target_kind,
            "target_id": target.pk,
            "mentions": [p.pk for p in rendered.people],
            "team_mentions": [t.pk for t in rendered.teams],
        },
        label=_label(target),
    )
    _tell_mentioned(org, author, comment, target, rendered, notify=notify)
    return comment


@transaction.atomic
def edit_comment(
    org: Organization,
    actor: Person | None,
    comment: Comment,
    body: str | None,
    *,
    expected_version: int | None = None,
) -> Comment:
    """Change a comment's text. Someone mentioned for the first time is told; someone
    mentioned before is not told again."""
    require_same_org(org, comment, "comment")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not may_change(actor, comment):
        raise PermissionDenied("Only its author or an admin may edit a comment.")
    source = _body(body)
    target = targets.get(org, comment.target_kind, comment.target_id)
    rendered = text.render(org, source)
    check_version(comment, expected_version)
    if source != comment.body:
        # Recorded without the text, before or after (as `post_comment`): the edit is
        # there to take words back, which the log would otherwise keep for everyone.
        # `body` is there, empty, to say the text changed (a stale edit form says so).
        was_edited = comment.edited_at
        comment.body, comment.body_html, comment.edited_at = source, rendered.html, timezone.now()
        comment.version += 1
        comment.save(update_fields=["body", "body_html", "edited_at", "version"])
        activity.record(
            org,
            actor,
            "updated",
            comment,
            before={"body": None, "edited_at": was_edited},
            after={
                "body": None,
                "edited_at": comment.edited_at,
                # What it is on, as its other events keep it (the feed line links it).
                "target": comment.target_kind,
                "target_id": comment.target_id,
                "mentions": [p.pk for p in rendered.people],
                "team_mentions": [t.pk for t in rendered.teams],
            },
            label=_label(target),
        )
    _tell_mentioned(org, actor, comment, target, rendered)
    return comment


@transaction.atomic
def delete_comment(
    org: Organization,
    actor: Person | None,
    comment: Comment,
    *,
    expected_version: int | None = None,
) -> None:
    """Remove a comment (and the inbox items of its mentions)."""
    require_same_org(org, comment, "comment")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not may_change(actor, comment):
        raise PermissionDenied("Only its author or an admin may delete a comment.")
    check_version(comment, expected_version)
    activity.record(
        org,
        actor,
        "deleted",
        comment,
        before={
            "target": comment.target_kind,
            "target_id": comment.target_id,
            "author": comment.author_id,
        },
        label=_label(targets.get(org, comment.target_kind, comment.target_id)),
    )
    comment.delete()


def _label(target: Model) -> str:
    return f"Comment on {targets.kind_for(target).label} “{targets.title(target)}”"[:300]


def _tell_mentioned(
    org: Organization,
    actor: Person | None,
    comment: Comment,
    target: Model,
    rendered: text.Rendered,
    *,
    notify: bool = True,
) -> None:
    """An inbox item and a notice for each person mentioned (a mentioned team: its leads'
    inboxes and its chat), once per comment and person however often it is edited. A
    person mentioned reads "mentioned you"; a lead reached only through their team reads
    "mentioned Platform (your team)"; the team's chat reads "mentioned Platform"."""
    author_id = actor.pk if actor else None
    people = {p.pk: p for p in rendered.people if p.pk != author_id}
    # Who is reached only through a team they lead: the names of those teams.
    through: dict[int, list[str]] = {}
    names = {t.pk: t.name for t in rendered.teams}
    if names:
        leads = (
            Membership.objects.for_org(org)
            .leading()
            .filter(team_id__in=names, person__is_active=True)
            .order_by("team__name", "pk")
        )
        for m in leads.select_related("person"):
            if m.person_id != author_id and m.person_id not in people:
                through.setdefault(m.person_id, []).append(names[m.team_id])
                people[m.person_id] = m.person
    if not people and not rendered.teams:
        return
    what = f"{targets.kind_for(target).label} “{targets.title(target)}”"
    who = actor.name if actor else "Accord"

    def title_for(pid: int) -> str:
        teams = through.get(pid)
        if not teams:
            return f"{who} mentioned you on {what}"[:300]
        whose = "your team" if len(teams) == 1 else "your teams"
        return f"{who} mentioned {' and '.join(teams)} ({whose}) on {what}"[:300]

    link = targets.comment_path(org, target, comment.pk)
    add_items(
        org,
        [
            InboxItem(
                org=org,
                person=p,
                kind=InboxKind.MENTION,
                key=f"mention:{comment.pk}",
                title=title_for(p.pk),
                link=link,
                actor=actor,
                comment=comment,
                target_type=f"conversation.{targets.kind_for(target).name}",
                target_id=target.pk,
            )
            for p in people.values()
        ],
    )
    if not notify:
        return
    # People read "you" (or their team's name); a team's chat reads its own name.
    by_title: dict[str, list[Person]] = {}
    for p in people.values():
        by_title.setdefault(title_for(p.pk), []).append(p)
    for subject, persons, teams in [
        *((title, persons, []) for title, persons in by_title.items()),
        *((f"{who} mentioned {t.name} on {what}", [], [t]) for t in rendered.teams),
    ]:
        delivery.notify(
            org,
            kind="mention",
            key=f"comment:{comment.pk}:mention",
            subject=subject,
            text=f"{who} wrote:\n{text.excerpt(comment.body)}",
            link=delivery.site_link(link),
            link_label="Read the comment in Accord",
            people=persons,
            teams=teams,
        )


def add_items(org: Organization, items: list[InboxItem]) -> int:
    """Put items in people's inboxes; one already there under the same key is kept as it
    is (so each thing lands once). Call inside the transaction of the change it is about."""
    for item in items:
        require_same_org(org, item.person, "person")
    if not items:
        return 0
    with transaction.atomic():
        created = InboxItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(created)


# --- the inbox: a person's own writes ------------------------------------------------------


def _own(org: Organization, actor: Person | None, item: InboxItem) -> InboxItem:
    require_same_org(org, item, "inbox item")
    if actor is None or actor.pk != item.person_id:
        # Someone else's inbox does not exist for you.
        from accord.core.errors import NotFound

        raise NotFound("No such inbox item.")
    return InboxItem.objects.select_for_update().get(pk=item.pk)


def _change(org, actor, item, changes: dict, verb: str) -> InboxItem:
    # The label names the inbox, never what is in it: the activity log is the whole
    # organization's, a person's inbox is their own.
    return update_and_record(org, actor, item, changes, verb=verb, label="Inbox item")


@transaction.atomic
def mark_read(org: Organization, actor: Person | None, item: InboxItem) -> InboxItem:
    item = _own(org, actor, item)
    if item.read_at is not None:
        return item
    return _change(org, actor, item, {"read_at": timezone.now()}, "read")


@transaction.atomic
def mark_done(org: Organization, actor: Person | None, item: InboxItem) -> InboxItem:
    item = _own(org, actor, item)
    if item.done_at is not None:
        return item
    now = timezone.now()
    return _change(org, actor, item, {"done_at": now, "read_at": item.read_at or now}, "done")


@transaction.atomic
def reopen(org: Organization, actor: Person | None, item: InboxItem) -> InboxItem:
    item = _own(org, actor, item)
    return _change(org, actor, item, {"done_at": None}, "reopened")


@transaction.atomic
def mark_all_read(org: Organization, actor: Person | None) -> int:
    """Every unread item of the actor's inbox becomes read: the open ones, and the done
    ones too (done by themselves, their request answered: read, should they be reopened).
    Returns how many open ones it marked (those the unread count counted); one event says
    so."""
    if actor is None:
        raise ServiceError("Only a person has an inbox.")
    require_same_org(org, actor, "person")
    now = timezone.now()
    unread = InboxItem.objects.filter(org=org, person=actor, read_at__isnull=True)
    count = unread.filter(done_at__isnull=True).update(read_at=now)
    unread.filter(done_at__isnull=False).update(read_at=now)
    if count:
        activity.record(org, actor, "inbox_read", actor, after={"items": count}, label=actor.name)
    return count
