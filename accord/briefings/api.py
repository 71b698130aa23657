"""Briefings over the API: the caller's own (stored, or any week built on demand), a
team's, and the caller's schedule."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from accord.api.common import actor_of, get_or_404, if_match, org_of
from accord.briefings import compose, queries, render, services
from accord.org.models import Team

router = Router(tags=["Briefings"])

Format = Literal["text", "markdown", "html"]


class BriefingSummaryOut(Schema):
    id: int
    week: str
    title: str
    headline: str
    sent_at: dt.datetime | None

    @staticmethod
    def resolve_title(obj):
        return obj.content.get("title", "")

    @staticmethod
    def resolve_headline(obj):
        return obj.content.get("headline", {}).get("text", "")


class BriefingOut(Schema):
    id: int | None = Field(None, description="Stored briefings only; none for one built now.")
    week: str
    sent_at: dt.datetime | None = None
    content: dict[str, Any]
    rendered: str | None = Field(None, description="The briefing in the format asked for.")


class ScheduleOut(Schema):
    enabled: bool
    weekday: int = Field(..., description="0 (Monday) to 6 (Sunday), in the person's time zone")
    hour: int = Field(..., description="0 to 23, in the person's time zone")
    timezone: str
    version: int


class SchedulePatch(Schema):
    enabled: bool | None = None
    weekday: int | None = Field(None, ge=0, le=6)
    hour: int | None = Field(None, ge=0, le=23)


def _out(content, *, fmt, briefing=None, week=None) -> dict:
    return {
        "id": briefing.pk if briefing else None,
        "week": briefing.week if briefing else week,
        "sent_at": briefing.sent_at if briefing else None,
        "content": content,
        "rendered": render.render(content, fmt) if fmt else None,
    }


@router.get("/me/briefings", response=list[BriefingSummaryOut], summary="My stored briefings")
@paginate
def list_my_briefings(request):
    return queries.briefings_of(org_of(request), actor_of(request))


@router.get(
    "/me/briefings/week", response=BriefingOut, summary="My briefing of a week (stored or built)"
)
def my_briefing_of_week(request, week: str = "", format: Format | None = None):
    """The stored briefing of `week` (default: the last complete week, in my time zone);
    if none was stored, the briefing built now from that week's history."""
    org, me = org_of(request), actor_of(request)
    w = (
        compose.parse_week(week, me.timezone)
        if week
        else compose.last_complete_week(timezone.now(), me.timezone)
    )
    stored = queries.briefings_of(org, me).filter(week=w.label).first()
    if stored is not None:
        return _out(stored.content, fmt=format, briefing=stored)
    return _out(services.build_for(org, w, person=me), fmt=format, week=w.label)


@router.get("/me/briefings/{briefing_id}", response=BriefingOut, summary="One of my briefings")
def get_my_briefing(request, briefing_id: int, format: Format | None = None):
    mine = queries.briefings_of(org_of(request), actor_of(request))
    b = get_or_404(mine, briefing_id, "briefing")
    return _out(b.content, fmt=format, briefing=b)


@router.get("/teams/{team_id}/briefing", response=BriefingOut, summary="A team's briefing")
def get_team_briefing(request, team_id: int, week: str = "", format: Format | None = None):
    """A team's briefing of `week` (default: the last complete week, UTC), built now."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    w = compose.parse_week(week) if week else compose.last_complete_week(timezone.now())
    return _out(services.build_for(org, w, team=team), fmt=format, week=w.label)


def _schedule(s, person) -> dict:
    return {
        "enabled": s.enabled,
        "weekday": s.weekday,
        "hour": s.hour,
        "timezone": person.timezone,
        "version": s.version,
    }


@router.get("/me/briefing-schedule", response=ScheduleOut, summary="When I get my briefing")
def get_my_schedule(request):
    me = actor_of(request)
    return _schedule(queries.schedule_of(org_of(request), me), me)


@router.patch(
    "/me/briefing-schedule",
    response=ScheduleOut,
    summary="Change the day or hour of my briefing, or turn it off",
)
def update_my_schedule(request, payload: SchedulePatch):
    me = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    s = services.set_schedule(org_of(request), me, me, expected_version=if_match(request), **data)
    return _schedule(s, me)


class TeamScheduleOut(Schema):
    enabled: bool
    weekday: int
    hour: int = Field(..., description="0 to 23, UTC")
    version: int


@router.patch(
    "/teams/{team_id}/briefing-schedule",
    response=TeamScheduleOut,
    summary="Whether (and when) a team's chat gets a weekly summary",
)
def update_team_schedule(request, team_id: int, payload: SchedulePatch):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    s = services.set_team_schedule(
        org, actor_of(request), team, **payload.model_dump(exclude_unset=True)
    )
    return {"enabled": s.enabled, "weekday": s.weekday, "hour": s.hour, "version": s.version}
