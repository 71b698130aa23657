"""The one way Accord writes the name of a person who owns or did something (a built-in
filter of every template):

    {{ item.owner|who }}   Jonas Mensah
                           Jonas Mensah (left)   once deactivated: the work still names
                                                 them, and says they are gone

A person given as a row of values (a dict with "name" and "is_active") works the same;
nobody (None) is an empty string, so `{{ x.owner|who|default:"—" }}` reads as before.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

LEFT = "left"


def _field(person, name: str, default=None):
    if isinstance(person, dict):
        return person.get(name, default)
    return getattr(person, name, default)


@register.filter
def who(person) -> str:
    """The person's name, marked "(left)" when they are deactivated."""
    if person is None or person == "":
        return ""
    name = _field(person, "name", None)
    if name is None:
        name = str(person)
    if _field(person, "is_active", True) is False:
        return format_html(
            '{} <span class="muted person-left" title="Left the organization">({})</span>',
            name,
            LEFT,
        )
    return format_html("{}", name)


def name_of(person) -> str:
    """The same as plain text, for what Python writes (an agenda's lines): "Jonas Mensah
    (left)"; nobody is an empty string."""
    if person is None:
        return ""
    name = _field(person, "name", None) or str(person)
    return f"{name} ({LEFT})" if _field(person, "is_active", True) is False else name
