"""What coordination adds to other apps' pages (an initiative's page, a priority stack),
so they show dependencies without importing this app: each tag reads through queries.py
in a bounded number of queries."""

from __future__ import annotations

from django import template

from accord.coordination import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def initiative_dependencies(context, initiative) -> queries.InitiativeDependencies:
    """Both sides of an initiative's dependencies and what blocks it:
    `{% initiative_dependencies item as deps %}`."""
    request = context["request"]
    return queries.for_initiative(request.org, initiative, person=request.person)


@register.simple_tag
def mark_blocked(initiatives) -> str:
    """Set `.blocked_by` on every initiative of a stack, in one query for them all:
    `{% mark_blocked stack.items %}` before the loop."""
    queries.mark_blocked(initiatives)
    return ""
