"""`{% team_filter %}`: a list filter's choice of team, by slug, that stays small.

For the filters that templates write by hand (`<select name="team">` over every team):

    {% load pickers %}
    {% team_filter teams team id="team-pick" empty="— every team —" %}

`teams` is the organization's teams as a queryset (not evaluated when there are many),
`team` the chosen one or None. Few teams: the plain select. Many: a search box.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accord.web import pickers

register = template.Library()


@register.simple_tag(takes_context=True)
def team_filter(context, teams, current, *, id: str, empty: str, name: str = "team"):
    org = context["org"]
    if teams.order_by().values("pk")[: pickers.PICKER_THRESHOLD + 1].count() <= (
        pickers.PICKER_THRESHOLD
    ):
        chosen = current.pk if current else None
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((t.slug, " selected" if t.pk == chosen else "", t.name) for t in teams),
        )
        return format_html(
            '<select id="{}" name="{}"><option value="">{}</option>{}</select>',
            id,
            name,
            empty,
            options,
        )
    url = reverse("web:pick", kwargs={"org_slug": org.slug, "kind": "team"}) + "?by=slug"
    return render_to_string(
        "web/widgets/picker.html",
        {
            "name": name,
            "id": id,
            "url": url,
            "multiple": False,
            "chosen": [{"value": current.slug, "label": current.name}] if current else [],
            "placeholder": empty,
        },
    )
