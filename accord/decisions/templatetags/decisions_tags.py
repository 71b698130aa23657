"""What the decisions pillar adds to other apps' pages without their importing it:
`{% load decisions_tags %}{% linked_decisions item %}` on an initiative's, objective's,
key result's, dependency's, check-in's or issue's page lists the decisions taken about it
(`queries.linked_decisions`: one query, two when there are more than it lists), and
nothing when there are none; with more than it lists, a link to the decision log cut to
that thing (`?about=app.model:id`), which lists them all."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from accord.core.counting import shown_count
from accord.decisions import queries
from accord.decisions.models import LINKABLE

register = template.Library()


@register.inclusion_tag("decisions/_linked.html", takes_context=True)
def linked_decisions(context, item) -> dict:
    org = context["request"].org
    kind = item._meta.label_lower
    if kind not in LINKABLE:  # nothing can be linked to it: no query
        return {"org": org, "linked": None}
    linked = queries.linked_decisions(org, kind, item.pk)
    every = ""
    if linked.more:  # the decision log cut to this thing lists them all
        log = reverse("decisions:index", kwargs={"org_slug": org.slug})
        every = f"{log}?{urlencode({'about': f'{kind}:{item.pk}'})}"
    return {"org": org, "linked": linked, "every": every, "total": shown_count(linked.count)}
