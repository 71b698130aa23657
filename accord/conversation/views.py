"""Pages: the inbox, and the comment writes every object page's comments block posts to."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.conversation import queries, services, targets
from accord.conversation.models import Comment, InboxItem
from accord.core.errors import ServiceError, Stale
from accord.web import stale
from accord.web.helpers import flash_error, int_or_none, org_view, paginate_uncounted

STATES = {"open": "Open", "done": "Done"}


@org_view
def inbox(request):
    me = request.person
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    items = (
        paginate_uncounted(request, queries.inbox(request.org, me, state), queries.INBOX_PER_PAGE)
        if me is not None
        else None
    )
    said = queries.said_here(request, f"inbox:{state}") if me is not None else None
    if said:
        said["before"] = _took_its_place(request, said["at"], items)
    return render(
        request,
        "conversation/inbox.html",
        {"items": items, "state": state, "states": STATES, "said": said},
    )


def _took_its_place(request, item_id: int, items) -> int | None:
    """The item of this page listed where item `item_id` was before it left the list (the
    first one after it, newest first), None when it was after them all."""
    gone = InboxItem.objects.filter(pk=item_id, org=request.org, person=request.person).first()
    if gone is None:
        return None
    place = (gone.created_at, gone.pk)
    return next((i.pk for i in items if (i.created_at, i.pk) < place), None)


def _item(request, inbox_item_id: int) -> InboxItem:
    # Another person's item (or another organization's) is simply not there.
    return get_object_or_404(InboxItem, pk=inbox_item_id, org=request.org, person=request.person)


@require_POST
@org_view
def inbox_open(request, inbox_item_id: int):
    """Follow an item to what it is about, marking it read on the way (a POST: reading a
    page never changes anything)."""
    item = _item(request, inbox_item_id)
    services.mark_read(request.org, request.person, item)
    return redirect(item.link)


def _back(request):
    state = request.POST.get("state", "open")
    page = int_or_none(request.POST.get("page")) or 1
    url = redirect("conversation:inbox", org_slug=request.org.slug).url
    return redirect(f"{url}?state={state if state in STATES else 'open'}&page={page}")


def _said_in_list(request, item: InboxItem, said: str):
    """Back to the list the item was in (it has left it), saying `said` where it was."""
    state = request.POST.get("state", "open")
    state = state if state in STATES else "open"  # as `_back` goes back to it
    queries.say_here(request, f"inbox:{state}", said, at=item.pk)
    return _back(request)


@require_POST
@org_view
def inbox_done(request, inbox_item_id: int):
    item = _item(request, inbox_item_id)
    services.mark_done(request.org, request.person, item)
    return _said_in_list(request, item, f"Done: {item.title}")


@require_POST
@org_view
def inbox_reopen(request, inbox_item_id: int):
    item = _item(request, inbox_item_id)
    services.reopen(request.org, request.person, item)
    return _said_in_list(request, item, f"Back in your inbox: {item.title}")


@require_POST
@org_view
def inbox_read_all(request):
    count = services.mark_all_read(request.org, request.person)
    messages.success(request, f"{count} item{'s' if count != 1 else ''} marked read.")
    return _back(request)


@require_POST
@org_view
def comment_new(request):
    kind = request.POST.get("target", "")
    if kind not in targets.KINDS:
        raise Http404("Comments are not kept on that.")
    target = targets.get(request.org, kind, request.POST.get("target_id"))
    body = (request.POST.get("body") or "").strip()
    again = bool(request.POST.get("again"))
    twin = None if again else queries.twin(request.org, request.person, target, body)
    if twin is not None:
        # A second click (Back, then Comment again): not posted twice unless asked to.
        messages.error(
            request,
            f"Not posted: you posted this same comment at "
            f"{timezone.localtime(twin.created_at):%H:%M}; it is below. To post it a second "
            "time, tick “Post it again” and comment.",
        )
        request.session[queries.HELD_COMMENT] = {"kind": kind, "target_id": target.pk, "body": body}
        return redirect(targets.comment_path(request.org, target, twin.pk))
    try:
        comment = services.post_comment(
            request.org, request.person, target, request.POST.get("body", ""), again=again
        )
    except ServiceError as exc:
        flash_error(request, exc)
        # Shown again in its box as typed, to put right (not to post again as it is).
        typed = request.POST.get("body", "")
        request.session[queries.HELD_COMMENT] = {
            "kind": kind,
            "target_id": target.pk,
            "body": typed,
            "refused": exc.message,  # said beside the box too: the page opens at it
        }
        return redirect(f"{targets.path(request.org, target).partition('#')[0]}#comments")
    return _said_at(request, target, comment.pk, "Comment posted.")


def _said_at(request, target, comment_id: int | None, said: str):
    """Back to `target`'s page, at the page of comments holding `comment_id`, where the
    comments block says `said` (by the comment, else at the top of the list)."""
    kind = targets.kind_for(target).name
    queries.say_here(request, f"comments:{kind}:{target.pk}", said, at=comment_id)
    if comment_id:  # its #comment-… names what is said (`_comments.html`)
        return redirect(targets.comment_path(request.org, target, comment_id))
    # No #fragment: it would stop the browser's autofocus putting the keyboard there.
    return redirect(targets.path(request.org, target).partition("#")[0])


def _comment(request, comment_id: int) -> Comment:
    return get_object_or_404(Comment, pk=comment_id, org=request.org)


@org_view
def comment_edit(request, comment_id: int):
    comment = _comment(request, comment_id)
    target = targets.get(request.org, comment.target_kind, comment.target_id)
    if not services.may_change(request.person, comment):
        raise services.PermissionDenied("Only its author or an admin may edit a comment.")
    error = None
    body = comment.body
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.edit_comment(
                request.org,
                request.person,
                comment,
                body,
                expected_version=int_or_none(request.POST.get("version")),
            )
        except ServiceError as exc:
            if isinstance(exc, services.PermissionDenied):
                raise
            error = exc.message
            if isinstance(exc, Stale):  # what changed, and the version now (`web.stale`)
                said = forms.Form(request.POST)
                stale.refuse(said, exc)
                error = " ".join(said.non_field_errors())
        else:
            return _said_at(request, target, comment.pk, "Comment saved.")
    return render(
        request,
        "conversation/comment_edit.html",
        {
            "comment": comment,
            "body": body,
            "error": error,
            "target_title": targets.title(target),
            "target_label": targets.kind_for(target).label,
            "back": targets.comment_path(request.org, target, comment.pk),
            "max_body": services.MAX_BODY,
        },
        status=422 if error else 200,
    )


@require_POST
@org_view
def comment_delete(request, comment_id: int):
    comment = _comment(request, comment_id)
    target = targets.get(request.org, comment.target_kind, comment.target_id)
    services.delete_comment(request.org, request.person, comment)
    return _said_at(request, target, None, "Comment deleted.")
