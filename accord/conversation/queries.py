"""Reads shared by the pages and the API: an object's comments, a person's inbox."""

from __future__ import annotations

from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accord.conversation import targets
from accord.conversation.models import Comment, InboxItem
from accord.core import twice
from accord.org.models import Organization, Person

COMMENTS_PER_PAGE = 20
INBOX_PER_PAGE = 25


def comments_on(org: Organization, target: Model) -> QuerySet[Comment]:
    """The comments on `target`, newest first (page it: an object may hold many)."""
    return (
        Comment.objects.filter(
            org=org, target_kind=targets.kind_for(target).name, target_id=target.pk
        )
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def comments(org: Organization, kind: str | None = None) -> QuerySet[Comment]:
    """The organization's comments (of one kind of object), newest first."""
    qs = Comment.objects.filter(org=org).select_related("author")
    if kind:
        qs = qs.filter(target_kind=kind)
    return qs.order_by("-created_at", "-id")


def page_holding(org: Organization, target: Model, comment_id: int) -> int:
    """The page (from 1, newest first) on which comment `comment_id` of `target` is."""
    found = comments_on(org, target).filter(pk=comment_id).values_list("created_at", flat=True)
    when = found.first()
    if when is None:
        return 1
    newer = (
        comments_on(org, target)
        .filter(created_at__gte=when)
        .exclude(created_at=when, id__lte=comment_id)
        .count()
    )
    return newer // COMMENTS_PER_PAGE + 1


def unread_count(org: Organization, person: Person) -> int:
    """Open items not read yet: one query on the `inbox_unread` index."""
    return InboxItem.objects.filter(
        person=person, org=org, done_at__isnull=True, read_at__isnull=True
    ).count()


def with_unread(people: QuerySet[Person]) -> QuerySet[Person]:
    """`people` each with `unread`, the open items of their inbox not read yet, counted in
    the same query (on the `inbox_unread` index): the switcher's figure for each of a
    login's organizations."""
    unread = (
        InboxItem.objects.filter(person=OuterRef("pk"), done_at__isnull=True, read_at__isnull=True)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return people.annotate(unread=Coalesce(Subquery(unread), 0))


def inbox(org: Organization, person: Person, state: str = "open") -> QuerySet[InboxItem]:
    """A person's inbox newest first: `open` (not done), `done` or `all`."""
    qs = InboxItem.objects.filter(org=org, person=person).select_related("actor")
    if state == "open":
        qs = qs.filter(done_at__isnull=True)
    elif state == "done":
        qs = qs.filter(done_at__isnull=False)
    return qs.order_by("-created_at", "-id")


# A comment refused as a second click, for the comments block to show again with the box
# to post it anyway (`templatetags.conversation.comments`).
HELD_COMMENT = "accord_held_comment"

# What a change just did (“Comment posted.”, “Done: …”), said where it was done: in the
# comments block, in the inbox's list where the item was. The page that comes back puts it
# there as a status the keyboard lands on (autofocus, which needs no script), so the next
# Tab goes on from that place rather than from the top of the page.
SAID_HERE = "accord_said_here"


def say_here(request, where: str, said: str, at: int | None = None) -> None:
    """Keep `said` for the next page to show at `where` (`said_here`), by `at`: the
    comment, or the inbox item, it is about."""
    request.session[SAID_HERE] = {"where": where, "said": said, "at": at}


def said_here(request, where: str) -> dict | None:
    """What `say_here` kept for `where`, once: {"said": …, "at": …}, else None."""
    kept = request.session.get(SAID_HERE) if hasattr(request, "session") else None
    if not kept or kept.get("where") != where:
        return None
    return request.session.pop(SAID_HERE)


def twin(org: Organization, person: Person | None, target: Model, body: str) -> Comment | None:
    """`person`'s comment on `target` with this same `body`, posted in the last
    `twice.WINDOW`, if any: the comment just posted again (Back, then Comment)."""
    if person is None or not body:
        return None
    since = twice.since()
    return (
        Comment.objects.filter(
            org=org,
            target_kind=targets.kind_for(target).name,
            target_id=target.pk,
            author=person,
            body=body,
            created_at__gte=since,
        )
        .order_by("-created_at", "-id")
        .first()
    )
