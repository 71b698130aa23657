"""What a check-in led to, for its form: `{% raised_issue existing as raised %}`, the issue
its blocker was raised as (`queries.raised_issue`), or None."""

from __future__ import annotations

from django import template

from accord.rhythm import queries

register = template.Library()


@register.simple_tag
def raised_issue(checkin):
    return queries.raised_issue(checkin)
