"""The person's own settings page: their time zone, and where to change it (and, for
a login in several organizations, theirs in the others)."""

from __future__ import annotations

import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone

from accord.org import queries


def settings(request) -> str | None:
    me = request.person
    if me is None or me.is_agent:
        return None
    try:
        now = timezone.now().astimezone(zoneinfo.ZoneInfo(me.timezone))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        now = None
    # Her time zone is the organization's profile's: said so, with hers in the others.
    others = queries.other_selves(me)
    return render_to_string(
        "org/_panel_settings.html",
        {
            "now_there": now,
            "others": others,
            "differ": [p.org.name for p in others if p.timezone != me.timezone],
        },
        request=request,
    )
