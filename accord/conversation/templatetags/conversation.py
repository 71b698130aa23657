"""`{% comments obj %}`: an object's comments block; `{% inbox_link %}`: the top bar's
inbox link with the unread count."""

from __future__ import annotations

from django import template
from django.core.paginator import Paginator

from accord.conversation import queries, services, targets
from accord.web.helpers import int_or_none

register = template.Library()


@register.inclusion_tag("conversation/_comments.html", takes_context=True)
def comments(context, obj):
    request = context["request"]
    org, me = request.org, getattr(request, "person", None)
    kind = targets.kind_for(obj)
    number = int_or_none(request.GET.get("comments_page"))
    wanted = int_or_none(request.GET.get("comment"))
    if wanted is not None and number is None:
        number = queries.page_holding(org, obj, wanted)
    page = Paginator(queries.comments_on(org, obj), queries.COMMENTS_PER_PAGE).get_page(number)
    rows = [{"c": c, "may_change": services.may_change(me, c)} for c in page.object_list]
    # A comment just refused as posted twice: its text again, with the box to post it
    # anyway; refused otherwise (empty, too long…): its text again, to put right.
    held = request.session.get(queries.HELD_COMMENT) if hasattr(request, "session") else None
    if held and (held["kind"], held["target_id"]) == (kind.name, obj.pk):
        request.session.pop(queries.HELD_COMMENT)
    else:
        held = None
    # What a change to these comments just did ("Comment posted."), said by its comment
    # when it is on this page, else at the top of the list (`views._said_at`).
    said = queries.said_here(request, f"comments:{kind.name}:{obj.pk}")
    if said and not any(row["c"].pk == said["at"] for row in rows):
        said["at"] = None
    return {
        "said": said,
        "held_body": held["body"] if held else "",
        "ask_again": held is not None and not held.get("refused"),
        "held_error": held.get("refused", "") if held else "",
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "org": org,
        "page": page,
        "rows": rows,
        "kind": kind.name,
        "label": kind.label,
        "target_id": obj.pk,
        "may_comment": services.may_comment(me),
        "max_body": services.MAX_BODY,
    }


@register.inclusion_tag("conversation/_inbox_link.html", takes_context=True)
def inbox_link(context):
    request = context.get("request")
    org = getattr(request, "org", None)
    me = getattr(request, "person", None)
    if org is None or me is None:
        return {"show": False}
    # The shell counted every organization's already (`web.context.organizations`).
    here = [o["unread"] for o in context.get("my_orgs") or () if o["current"]]
    unread = here[0] if here else queries.unread_count(org, me)
    return {"show": True, "org": org, "unread": unread}
