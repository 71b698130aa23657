"""Every write of briefings: schedules, and building, storing and sending a week's briefing.

`send_due` is the worker's: for each person (and each team that asked for a chat summary)
whose chosen day and hour of this week has come in their own time zone, it builds the
briefing of the week before, stores it and hands it to the one delivery path
(`accord.activity.delivery.notify`), all in one transaction. A briefing is stored once per
person and week (a unique constraint): of two workers, or a worker restarted mid-run, only
one stores it, and only the one that stored it queues the e-mail.

A page or API call never builds a briefing (that loads whole-organization snapshots):
`request_build` queues one build per reader and week for the worker (`build_on_request`),
which stores the briefing with `sent_at` empty. `sent_at` is set only when a briefing is
sent; the scheduled send claims a briefing built on request (`sent_at` still empty, one
conditional update) and sends it once, so a briefing read early is still e-mailed on the
person's day and hour, and never twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.briefings import compose, queries, render
from accord.briefings.models import Briefing, BriefingSchedule
from accord.core.days import own_zone
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import require_same_org, update_and_record, validate_timezone
from accord.org.models import Organization, Person, Team
from accord.org.permissions import require_team_admin

log = logging.getLogger("accord.briefings")

KIND = "briefing.weekly"


# --- schedules -----------------------------------------------------------------------------


def _checked(weekday: Any, hour: Any) -> dict[str, int]:
    changes: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    if weekday is not None:
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors["weekday"] = ["Choose a day from 0 (Monday) to 6 (Sunday)."]
        else:
            changes["weekday"] = weekday
    if hour is not None:
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            errors["hour"] = ["Choose an hour from 0 to 23."]
        else:
            changes["hour"] = hour
    if errors:
        raise ServiceError(" ".join(m for ms in errors.values() for m in ms), fields=errors)
    return changes


@transaction.atomic
def set_schedule(
    org: Organization,
    actor: Person | None,
    person: Person,
    *,
    enabled: bool | None = None,
    weekday: int | None = None,
    hour: int | None = None,
    expected_version: int | None = None,
) -> BriefingSchedule:
    """When `person` gets their weekly briefing (day and hour in their own time zone), or
    not at all. Only the person themselves may change it (or the system)."""
    require_same_org(org, person, "person")
    if actor is not None and actor.pk != person.pk:
        raise PermissionDenied("You can only change your own briefing.")
    changes: dict[str, Any] = _checked(weekday, hour)
    if enabled is not None:
        changes["enabled"] = bool(enabled)
    current = queries.schedule_of(org, person)
    if current.pk is None:
        current.save()
        activity.record(
            org,
            actor,
            "created",
            current,
            after={"enabled": current.enabled, "weekday": current.weekday, "hour": current.hour},
        )
        current.refresh_from_db()
        expected_version = None
    update_and_record(org, actor, current, changes, expected_version=expected_version)
    return current


@transaction.atomic
def set_team_schedule(
    org: Organization,
    actor: Person | None,
    team: Team,
    *,
    enabled: bool | None = None,
    weekday: int | None = None,
    hour: int | None = None,
    timezone_name: str | None = None,
) -> BriefingSchedule:
    """Whether (and when) a team's chat webhooks get a summary of its briefing: a day and
    hour in `timezone_name` (first set: the zone of whoever sets it, else UTC), kept at that
    local hour across daylight-saving changes (`queries.due_at`)."""
    require_same_org(org, team, "team")
    require_team_admin(actor, team, "change its weekly summary")
    changes: dict[str, Any] = _checked(weekday, hour)
    if enabled is not None:
        changes["enabled"] = bool(enabled)
    current = queries.team_schedule_of(org, team)
    if timezone_name is not None:
        changes["timezone"] = validate_timezone(timezone_name, kept=current.timezone)
    if current.pk is None:
        if actor is not None and own_zone(actor) is not None:
            current.timezone = actor.timezone  # as the page offers it
        current.save()
        activity.record(org, actor, "created", current, after={"enabled": current.enabled})
    update_and_record(org, actor, current, changes)
    return current


# --- building and storing ------------------------------------------------------------------


def build_for(
    org: Organization,
    week: compose.Week,
    *,
    person: Person | None = None,
    team: Team | None = None,
    history: compose.History | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The content of a person's (or a team's) briefing of `week`, built now (or as at
    `now`, the moment it is sent: where its "Coming up" starts)."""
    if (person is None) == (team is None):
        raise ValueError("A briefing is for a person or for a team.")
    if person is not None:
        require_same_org(org, person, "person")
        reader = compose.reader_for_person(org, person)
    else:
        require_same_org(org, team, "team")
        reader = compose.reader_for_team(org, team)  # type: ignore[arg-type]
    return compose.build(org, week, reader, history, built_at=now)


def page_link(org: Organization, briefing: Briefing) -> str:
    return delivery.site_link(
        reverse("briefings:detail", kwargs={"org_slug": org.slug, "briefing_id": briefing.pk})
    )


def _store(
    org: Organization,
    week: compose.Week,
    content: dict[str, Any],
    *,
    person: Person | None,
    team: Team | None,
    now: dt.datetime,
    sent: bool = True,
) -> Briefing:
    b = Briefing.objects.create(
        org=org,
        person=person,
        team=team if person is None else _scope_team(org, content),
        week=week.label,
        timezone=week.tz,
        starts_at=week.start,
        ends_at=week.end,
        content=content,
        built_at=now,
        sent_at=now if sent else None,
    )
    activity.record(
        org,
        None,
        "sent" if sent else "built",
        b,
        after={"week": week.label, "person": person, "team": team},
    )
    return b


def _claim_unsent(
    org: Organization,
    week: compose.Week,
    content: dict[str, Any],
    *,
    person: Person | None,
    team: Team | None,
    now: dt.datetime,
) -> Briefing | None:
    """The briefing of `week` built on request and not sent yet, now marked sent (with the
    content built for sending); None if there is none or another worker claimed it."""
    rows = Briefing.objects.for_org(org).filter(week=week.label, sent_at__isnull=True)
    rows = (
        rows.filter(person=person)
        if person is not None
        else rows.filter(person__isnull=True, team=team)
    )
    b = rows.first()
    if b is None:
        return None
    if not rows.filter(pk=b.pk).update(sent_at=now, built_at=now, content=content):
        return None
    b.refresh_from_db()
    activity.record(
        org, None, "sent", b, after={"week": week.label, "person": person, "team": team}
    )
    return b


def _store_or_claim(
    org: Organization,
    week: compose.Week,
    content: dict[str, Any],
    *,
    person: Person | None,
    team: Team | None,
    now: dt.datetime,
) -> Briefing | None:
    """Store the briefing as sent, or claim the one built on request; None if it was sent
    already. Call inside a transaction."""
    try:
        with transaction.atomic():
            return _store(org, week, content, person=person, team=team, now=now)
    except IntegrityError:
        return _claim_unsent(org, week, content, person=person, team=team, now=now)


def _scope_team(org: Organization, content: dict[str, Any]) -> Team | None:
    team_id = content["scope"]["team_id"]
    return Team.objects.for_org(org).filter(pk=team_id).first() if team_id else None


def send_to_person(
    org: Organization,
    person: Person,
    week: compose.Week,
    *,
    now: dt.datetime | None = None,
    history: compose.History | None = None,
    email: bool = True,
) -> Briefing | None:
    """Build, store and (with `email`) queue a person's briefing of `week`, once: None if
    it was stored before."""
    now = now or timezone.now()
    content = build_for(org, week, person=person, history=history, now=now)
    try:
        with transaction.atomic():
            b = _store_or_claim(org, week, content, person=person, team=None, now=now)
            if b is None:
                return None
            if email:
                delivery.notify(
                    org,
                    kind=KIND,
                    key=f"briefing:{b.week}:p{person.pk}",
                    subject=f"Your briefing: {content['title']}",
                    text=render.text(content),
                    html=render.html(content, heading=True),
                    link=page_link(org, b),
                    link_label="Read it in Accord",
                    people=[person],
                    now=now,
                )
    except IntegrityError:
        return None  # stored already, by this worker earlier or by another
    return b


def send_to_team(
    org: Organization,
    team: Team,
    week: compose.Week,
    *,
    now: dt.datetime | None = None,
    history: compose.History | None = None,
) -> Briefing | None:
    """Build, store and post a team's weekly summary to its chat webhooks, once."""
    now = now or timezone.now()
    content = build_for(org, week, team=team, history=history, now=now)
    try:
        with transaction.atomic():
            b = _store_or_claim(org, week, content, person=None, team=team, now=now)
            if b is None:
                return None
            delivery.notify(
                org,
                kind=KIND,
                key=f"briefing:{b.week}:t{team.pk}",
                subject=content["title"],
                text=render.summary(content),
                link=delivery.site_link(
                    reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": team.slug})
                ),
                teams=[team],
                now=now,
            )
    except IntegrityError:
        return None
    return b


def send_due(now: dt.datetime | None = None, *, until: float | None = None) -> dict[str, int]:
    """Send every briefing whose day and hour has come this week (see the module
    docstring). Returns how many were sent to people and to teams, and `more`: 1 when
    `until` (a `time.monotonic()` deadline) passed with briefings still due, which the
    next run sends. Each run sends at least one."""
    from accord.org.models import Organization

    now = now or timezone.now()
    counts = {"people": 0, "teams": 0, "more": 0}
    for org in Organization.objects.order_by("pk"):
        try:
            send_due_for(org, now, counts, until=until)
        except Exception:  # one organization's failure must not starve the others
            log.exception("sending briefings of %s failed", org.slug)
        if counts["more"]:
            break
    return counts


def send_due_for(
    org: Organization,
    now: dt.datetime,
    counts: dict[str, int] | None = None,
    *,
    until: float | None = None,
) -> dict[str, int]:
    """`send_due` for one organization, adding to `counts`."""
    counts = counts if counts is not None else {"people": 0, "teams": 0, "more": 0}

    def out_of_time() -> bool:
        if until is not None and time.monotonic() >= until:
            counts["more"] = 1
        return bool(counts["more"])

    due_people = []
    for person, schedule in queries.subscribers(org):
        week = compose.last_complete_week(now, person.timezone)
        if person.created_at >= week.end:
            continue  # no briefing of a week before they joined
        if now >= queries.due_at(week.end, schedule):
            due_people.append((person, week))
    if due_people:
        done = queries.sent_weeks(
            org, [p.pk for p, _ in due_people], {w.label for _, w in due_people}
        )
        history = compose.History(org)
        # Readers of one week's moments together: each distinct time zone's week loads two
        # snapshots of the organization (~25 s at 10,000 teams), and a run that stops on
        # its deadline starts the next where it stopped, not on every zone at once.
        due_people.sort(key=lambda pw: (pw[1].end, pw[0].pk))
        for person, week in due_people:
            if (person.pk, week.label) in done:
                continue
            if counts["people"] + counts["teams"] and out_of_time():
                return counts
            if send_to_person(org, person, week, now=now, history=history):
                counts["people"] += 1
    teams = queries.team_subscribers(org)
    if teams:
        done_teams = set(
            Briefing.objects.for_org(org)
            .filter(
                person__isnull=True,
                week=compose.last_complete_week(now).label,
                sent_at__isnull=False,
            )
            .values_list("team_id", flat=True)
        )
        history = compose.History(org)
        for team, schedule in teams:
            week = compose.last_complete_week(now)
            if team.pk in done_teams or now < queries.due_at(week.end, schedule):
                continue
            if team.created_at >= week.end:
                continue
            if counts["people"] + counts["teams"] and out_of_time():
                return counts
            if send_to_team(org, team, week, now=now, history=history):
                counts["teams"] += 1
    return counts


# --- built on request ----------------------------------------------------------------------


def stored_for(
    org: Organization, week: compose.Week, *, person: Person | None = None, team: Team | None = None
) -> Briefing | None:
    """The stored briefing of `week` (sent, or built on request), without building it."""
    if person is not None:
        return queries.briefings_of(org, person).filter(week=week.label).first()
    return queries.team_briefing_of(org, team, week.label)  # type: ignore[arg-type]


def check_readable_week(org: Organization, week: compose.Week, now: dt.datetime) -> None:
    """A week whose briefing may be asked for (and so queued for the worker): one that has
    ended."""
    if week.end > now:
        raise ServiceError(
            f"The week {week.label} has not ended yet; its briefing comes after it ends.",
            fields={"week": ["Choose a week that has ended."]},
        )


def build_on_request(
    org: Organization,
    week: compose.Week,
    *,
    person: Person | None = None,
    team: Team | None = None,
    now: dt.datetime | None = None,
    history: compose.History | None = None,
) -> Briefing:
    """The worker's: build and store a briefing someone asked to read, not sent (its
    `sent_at` stays empty until the scheduled send claims it). The stored one if any."""
    found = stored_for(org, week, person=person, team=team)
    if found is not None:
        return found
    now = now or timezone.now()
    content = build_for(org, week, person=person, team=team, history=history, now=now)
    try:
        with transaction.atomic():
            return _store(org, week, content, person=person, team=team, now=now, sent=False)
    except IntegrityError:  # stored meanwhile, by the scheduled send or another build
        found = stored_for(org, week, person=person, team=team)
        assert found is not None
        return found
