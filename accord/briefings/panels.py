"""The briefing's place on shared pages: home (this week's) and settings (day, hour, off)."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.activity import delivery
from accord.briefings import compose, queries
from accord.briefings.models import WEEKDAYS


def home(request) -> str | None:
    me = request.person
    if me is None:
        return None
    latest = queries.briefings_of(request.org, me).first()
    schedule, why = queries.email_status(request.org, me)
    return render_to_string(
        "briefings/_panel_home.html",
        {
            "latest": latest,
            "schedule": schedule,
            "why": why,
            "weekday_name": WEEKDAYS[schedule.weekday],
        },
        request=request,
    )


def settings(request) -> str | None:
    me = request.person
    if me is None:
        return None
    schedule, why = queries.email_status(request.org, me)
    return render_to_string(
        "briefings/_panel_settings.html",
        {
            "schedule": schedule,
            "why": why,
            "weekday_name": WEEKDAYS[schedule.weekday],
            "covers": compose.what_it_covers(request.org, me),
            "email_here": delivery.email_configured(),
            "weekdays": list(enumerate(WEEKDAYS)),
            "hours": range(24),
        },
        request=request,
    )
