"""Briefings over the API: the caller's own, a team's, and the caller's schedule. A
briefing not stored yet is never built during the call: one build is queued for the worker
and the answer is 202 with a `Preparing` body; ask again in a few seconds."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accord.api.common import (
    OWN_SETTINGS,
    InputSchema,
    actor_of,
    get_or_404,
    if_match,
    org_of,
)
from accord.briefings import compose, queries, render, services, tasks
from accord.core.services import check_version
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
    id: int | None = Field(None, description="The stored briefing's id.")
    week: str
    sent_at: dt.datetime | None = Field(
        None, description="When it was sent; empty for a briefing built on request."
    )
    content: dict[str, Any]
    rendered: str | None = Field(None, description="The briefing in the format asked for.")


class PreparingOut(Schema):
    status: Literal["preparing"] = "preparing"
    week: str
    detail: str = Field(..., description="What happens next, for people.")
    retry_after: int = Field(..., description="Seconds to wait before asking again.")


RETRY_AFTER = 3
PREPARING = {
    "responses": {
        202: {
            "description": "Not stored yet: its build is queued for the worker (once per "
            "reader and week); ask again after `retry_after` seconds."
        }
    }
}


def _preparing(org, week, *, person=None, team=None):
    """Queue one build of this reader's briefing of `week` (once per reader and week) and
    answer 202."""
    tasks.request_build(
        org.pk,
        week.label,
        week.tz,
        person_id=person.pk if person else None,
        team_id=team.pk if team else None,
    )
    return Status(
        202,
        {
            "status": "preparing",
            "week": week.label,
            "detail": f"The briefing of the week of {week.span()} is being prepared; ask again "
            "in a few seconds.",
            "retry_after": RETRY_AFTER,
        },
    )


class ScheduleOut(Schema):
    enabled: bool
    weekday: int = Field(..., description="0 (Monday) to 6 (Sunday), in the person's time zone")
    hour: int = Field(..., description="0 to 23, in the person's time zone")
    timezone: str
    version: int


class SchedulePatch(InputSchema):
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
    "/me/briefings/week",
    response={200: BriefingOut, 202: PreparingOut},
    summary="My briefing of a week",
    openapi_extra=PREPARING,
)
def my_briefing_of_week(request, week: str = "", format: Format | None = None):
    """The stored briefing of `week` (default: the last complete week, in my time zone).
    If none is stored, 202: its build is queued for the worker (once); ask again."""
    org, me = org_of(request), actor_of(request)
    now = timezone.now()
    tz = me.timezone
    w = compose.parse_week(week, tz) if week else compose.last_complete_week(now, tz)
    stored = services.stored_for(org, w, person=me)
    if stored is None:
        services.check_readable_week(org, w, now)
        return _preparing(org, w, person=me)
    return Status(200, _out(stored.content, fmt=format, briefing=stored))


@router.get("/me/briefings/{briefing_id}", response=BriefingOut, summary="One of my briefings")
def get_my_briefing(request, briefing_id: int, format: Format | None = None):
    mine = queries.briefings_of(org_of(request), actor_of(request))
    b = get_or_404(mine, briefing_id, "briefing")
    return _out(b.content, fmt=format, briefing=b)


@router.get(
    "/teams/{team_id}/briefing",
    response={200: BriefingOut, 202: PreparingOut},
    summary="A team's briefing",
    openapi_extra=PREPARING,
)
def get_team_briefing(request, team_id: int, week: str = "", format: Format | None = None):
    """A team's stored briefing of `week` (default: the last complete week, UTC). If none
    is stored, 202: its build is queued for the worker (once); ask again."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    now = timezone.now()
    w = compose.parse_week(week) if week else compose.last_complete_week(now)
    stored = services.stored_for(org, w, team=team)
    if stored is None:
        services.check_readable_week(org, w, now)
        return _preparing(org, w, team=team)
    return Status(200, _out(stored.content, fmt=format, briefing=stored))


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
    auth=OWN_SETTINGS,
)
def update_my_schedule(request, payload: SchedulePatch):
    me = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    s = services.set_schedule(org_of(request), me, me, expected_version=if_match(request), **data)
    return _schedule(s, me)


class TeamScheduleOut(Schema):
    enabled: bool
    weekday: int = Field(..., description="0 (Monday) to 6 (Sunday), in `timezone`")
    hour: int = Field(..., description="0 to 23, in `timezone`")
    timezone: str = Field(
        ...,
        description="The zone the day and hour are in: the summary keeps that local hour "
        "across daylight-saving changes (never before its UTC week is over).",
    )
    version: int


class TeamSchedulePatch(SchedulePatch):
    timezone: str | None = Field(
        None,
        max_length=64,
        description="An IANA zone (Europe/Berlin). When the schedule is first set without "
        "one: the zone of the token's person.",
    )


@router.patch(
    "/teams/{team_id}/briefing-schedule",
    response=TeamScheduleOut,
    summary="Whether (and when) a team's chat gets a weekly summary",
)
def update_team_schedule(request, team_id: int, payload: TeamSchedulePatch):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    expected = if_match(request)
    with transaction.atomic():
        if expected is not None:  # the service takes no version: checked here, in its write
            check_version(queries.team_schedule_of(org, team), expected)
        data = payload.model_dump(exclude_unset=True)
        data["timezone_name"] = data.pop("timezone", None)
        s = services.set_team_schedule(org, actor_of(request), team, **data)
    return {
        "enabled": s.enabled,
        "weekday": s.weekday,
        "hour": s.hour,
        "timezone": s.timezone,
        "version": s.version,
    }
