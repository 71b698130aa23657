"""Cadences, milestones and periods are found by their names, kept current like every other
kind (`accord.search.index.SOURCES`): what home and My week show can be searched for. An
upcoming meeting is no row until it is opened: its cadence finds it, saying when it is next."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import milestones
from accord.alignment import services as alignment
from accord.rhythm import services as rhythm
from accord.rhythm.models import Meeting, MeetingStatus
from accord.search import queries
from tests.conftest import login

URL = "/o/acme/search/"


def found(cast, q, **kwargs):
    return [(h.kind, h.title) for h in queries.search(cast.org, cast.member, q, **kwargs)]


def weekly(cast, name, **kwargs):
    return rhythm.create_cadence(
        cast.org,
        None,
        name=name,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="UTC",
        time=dt.time(15, 0),
        team=cast.platform,
        start_date=timezone.localdate() - dt.timedelta(days=60),
        **kwargs,
    )


def test_a_cadence_is_found_with_when_it_is_next_and_follows_renames(cast):
    cadence = weekly(cast, "Leadership huddle")
    [hit] = queries.search(cast.org, cast.member, "leadership hud")
    assert (hit.kind, hit.title) == ("cadence", "Leadership huddle")
    assert hit.url == f"/o/acme/rhythm/cadences/{cadence.pk}/"
    assert hit.detail.startswith("Platform · next Mon ")
    rhythm.update_cadence(cast.org, None, cadence, name="Directors huddle")
    assert found(cast, "leadership") == []
    assert found(cast, "directors huddle") == [("cadence", "Directors huddle")]


def test_an_all_day_cadence_is_found_by_its_name(cast):
    rhythm.create_cadence(
        cast.org,
        None,
        name="Release day",
        rrule="FREQ=WEEKLY;INTERVAL=6;BYDAY=TU",
        timezone_name="UTC",
        all_day=True,
        scope="org",
        start_date=timezone.localdate(),
    )
    [hit] = queries.search(cast.org, cast.member, "release day")
    assert (hit.kind, hit.title) == ("cadence", "Release day")
    assert hit.detail.startswith("The whole organization · next ")


def test_the_cadence_ranks_before_the_meetings_it_held(cast):
    """ "leadership sync" found only the meetings held, never the one on Monday."""
    cadence = weekly(cast, "Leadership sync")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=7)
    Meeting.objects.create(
        org=cast.org,
        cadence=cadence,
        occurrence_start=start,
        scheduled_start=start,
        status=MeetingStatus.FINISHED,
    )
    assert found(cast, "leadership sync") == [
        ("cadence", "Leadership sync"),
        ("meeting", "Leadership sync"),
    ]


def test_a_milestone_is_found_and_leads_to_its_row_on_the_milestones_page(cast):
    milestone = milestones.create_milestone(
        cast.org,
        None,
        name="Code freeze 2027.1",
        kind="code_freeze",
        date=dt.date(2027, 1, 18),
        description="Only fixes after this",
    )
    [hit] = queries.search(cast.org, cast.member, "code freeze")
    assert (hit.kind, hit.title) == ("milestone", "Code freeze 2027.1")
    assert hit.url == f"/o/acme/alignment/milestones/#milestone-{milestone.pk}"
    assert hit.detail == "Mon 18 Jan 2027 · Code freeze"
    assert found(cast, "only fixes") == [("milestone", "Code freeze 2027.1")]  # its text
    milestones.delete_milestone(cast.org, None, milestone)
    assert found(cast, "code freeze") == []


def test_a_period_is_found_and_leads_to_its_alignment_page(cast):
    period = alignment.create_period(
        cast.org, None, name="Q4 2026", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    [hit] = queries.search(cast.org, cast.member, "Q4 2026")
    assert (hit.kind, hit.title) == ("period", "Q4 2026")
    assert hit.url == f"/o/acme/alignment/?period={period.pk}"
    assert hit.detail == "1 Oct \u2013 31 Dec 2026 · Planning"
    alignment.update_period(cast.org, None, period, name="Autumn 2026")
    assert found(cast, "q4") == []
    assert found(cast, "autumn") == [("period", "Autumn 2026")]


def test_the_new_kinds_can_be_chosen_on_the_page_and_stay_in_their_organization(cast):
    weekly(cast, "Zebra review")
    page = login(cast.member).get(URL, {"q": "zebra", "kind": "cadence"}).content.decode()
    assert "Zebra review" in page and ">Cadence</option>" in page
    assert queries.search(cast.other_org, cast.outsider, "zebra") == []
