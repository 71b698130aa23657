"""Comments on objectives, key results, initiatives, dependencies, decisions and issues,
and the caller's own inbox."""

# No `from __future__ import annotations`: see accord/api/main.py.
import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accord.api.common import (
    OWN_SETTINGS,
    Id,
    InputSchema,
    Pagination,
    actor_of,
    get_or_404,
    if_match,
    org_of,
)
from accord.conversation import queries, services, targets
from accord.conversation.models import Comment, InboxItem
from accord.core import twice
from accord.core.errors import ServiceError

router = Router(tags=["Conversation"])

TargetKind = Literal["objective", "key_result", "initiative", "dependency", "decision", "issue"]
Body = Field(
    min_length=1,
    max_length=services.MAX_BODY,
    description="Markdown. `@handle` mentions the person whose e-mail address starts with "
    "`handle@` (or `@whole@address` when two share a handle); `@team-slug` mentions a team.",
)


class CommentOut(Schema):
    id: int
    target: str = Field(alias="target_kind")
    target_id: int
    author_id: int
    author_name: str = Field(alias="author.name")
    author_is_active: bool = Field(
        alias="author.is_active",
        description="False once the author has left the organization (deactivated): the "
        'pages name them "Ana Ruiz (left)".',
    )
    body: str
    body_html: str = Field(description="The Markdown rendered and sanitized, mentions linked.")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    version: int
    link: str = Field("", description="The comment on its object's page.")


class CommentIn(InputSchema):
    target: TargetKind
    target_id: Id
    body: str = Body
    again: bool = Field(
        False,
        description=twice.again_doc(
            "comment",
            "the same comment on the same object posted by you within the last "
            f"{twice.WINDOW.seconds // 60} minutes",
        ),
    )


class CommentPatch(InputSchema):
    body: str = Body


def _out(comment: Comment, target=None) -> Comment:
    org = comment.org
    target = target or targets.get(org, comment.target_kind, comment.target_id)
    comment.link = targets.comment_path(org, target, comment.pk)  # type: ignore[attr-defined]
    return comment


@router.get(
    "/comments",
    response=list[CommentOut],
    summary="Comments newest first: on one object (`target` and `target_id`), on one kind "
    "of object (`target`), or the organization's",
)
@paginate(Pagination)
def list_comments(request, target: TargetKind | None = None, target_id: Id | None = None):
    org = org_of(request)
    if target_id is not None:
        if target is None:
            raise ServiceError(
                "Say which kind of object target_id names: target=objective, initiative, …",
                fields={"target": ["Required with target_id."]},
            )
        return queries.comments_on(org, targets.get(org, target, target_id))
    return queries.comments(org, target)


@router.post(
    "/comments",
    response={201: CommentOut},
    summary="Comment on an object (members, leaders and admins; viewers read only)",
)
def create_comment(request, payload: CommentIn):
    org = org_of(request)
    services.require_commenter(actor_of(request))  # a viewer learns nothing of the target
    obj = targets.get(org, payload.target, payload.target_id, field="target_id")
    comment = services.post_comment(org, actor_of(request), obj, payload.body, again=payload.again)
    return Status(201, _out(comment, obj))


def _comment(request, comment_id: int) -> Comment:
    return get_or_404(
        Comment.objects.filter(org=org_of(request)).select_related("author", "org"),
        comment_id,
        "comment",
    )


@router.get("/comments/{comment_id}", response=CommentOut, summary="One comment")
def get_comment(request, comment_id: Id):
    return _out(_comment(request, comment_id))


@router.patch(
    "/comments/{comment_id}",
    response=CommentOut,
    summary="Change a comment's text (its author or an admin); newly mentioned people are told",
)
def update_comment(request, comment_id: Id, payload: CommentPatch):
    comment = _comment(request, comment_id)
    comment = services.edit_comment(
        org_of(request),
        actor_of(request),
        comment,
        payload.body,
        expected_version=if_match(request),
    )
    return _out(comment)


@router.delete(
    "/comments/{comment_id}",
    response={204: None},
    summary="Delete a comment (its author or an admin)",
)
def delete_comment(request, comment_id: Id):
    comment = _comment(request, comment_id)
    services.delete_comment(
        org_of(request), actor_of(request), comment, expected_version=if_match(request)
    )
    return HttpResponse(status=204)


# --- the inbox -------------------------------------------------------------------------------


class InboxItemOut(Schema):
    id: int
    kind: str
    title: str
    link: str
    actor_id: int | None
    comment_id: int | None
    target_type: str
    target_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    done_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int = Field(description="Open items not read yet.")


@router.get("/me/inbox", response=list[InboxItemOut], summary="My inbox, newest first")
@paginate(Pagination)
def list_inbox(request, state: Literal["open", "done", "all"] = "open"):
    return queries.inbox(org_of(request), actor_of(request), state)


@router.get("/me/inbox/unread", response=UnreadOut, summary="How many open items I have not read")
def inbox_unread(request):
    return {"unread": queries.unread_count(org_of(request), actor_of(request))}


def _item(request, inbox_item_id: int) -> InboxItem:
    return get_or_404(
        InboxItem.objects.filter(org=org_of(request), person=actor_of(request)),
        inbox_item_id,
        "inbox item",
    )


@router.post(
    "/me/inbox/{inbox_item_id}/read",
    response=InboxItemOut,
    summary="Mark an item read",
    auth=OWN_SETTINGS,
)
def inbox_read(request, inbox_item_id: Id):
    return services.mark_read(org_of(request), actor_of(request), _item(request, inbox_item_id))


@router.post(
    "/me/inbox/{inbox_item_id}/done",
    response=InboxItemOut,
    summary="Mark an item done",
    auth=OWN_SETTINGS,
)
def inbox_done(request, inbox_item_id: Id):
    return services.mark_done(org_of(request), actor_of(request), _item(request, inbox_item_id))


@router.post(
    "/me/inbox/{inbox_item_id}/reopen",
    response=InboxItemOut,
    summary="Put a done item back in my inbox",
    auth=OWN_SETTINGS,
)
def inbox_reopen(request, inbox_item_id: Id):
    return services.reopen(org_of(request), actor_of(request), _item(request, inbox_item_id))


@router.post(
    "/me/inbox/read",
    response=UnreadOut,
    summary="Mark every open item read",
    auth=OWN_SETTINGS,
)
def inbox_read_all(request):
    services.mark_all_read(org_of(request), actor_of(request))
    return {"unread": queries.unread_count(org_of(request), actor_of(request))}
