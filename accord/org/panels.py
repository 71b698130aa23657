"""The person's own settings page: their time zone, and where to change it."""

from __future__ import annotations

import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone


def settings(request) -> str | None:
    me = request.person
    if me is None or me.is_agent:
        return None
    try:
        now = timezone.now().astimezone(zoneinfo.ZoneInfo(me.timezone))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        now = None
    return render_to_string("org/_panel_settings.html", {"now_there": now}, request=request)
