"""What insights add to alignment's pages without alignment importing this app:
`{% load intelligence_tags %}{% related_work item %}` on an initiative's or objective's
page lists the work people marked as related to it on a likely-duplicate signal (one
query, through queries.py)."""

from __future__ import annotations

from django import template

from accord.intelligence import queries

register = template.Library()


@register.inclusion_tag("intelligence/_related_work.html", takes_context=True)
def related_work(context, item) -> dict:
    org = context["request"].org
    found = queries.related_work(org, item)
    return {
        "org": org,
        "kind": item._meta.model_name,
        "related": found[: queries.RELATED_SHOWN],
        "more": len(found) > queries.RELATED_SHOWN,
    }
