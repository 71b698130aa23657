"""The rhythm pages render for a participant and do what their forms say."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.decisions.models import ActionItem
from accord.org import services as org_services
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, Meeting, MeetingStatus
from accord.web.templatetags.dates import day
from tests.conftest import at, login


@pytest.fixture
def next_sync(rhythm):
    return queries.next_occurrence(rhythm.sync, timezone.now())


@pytest.fixture
def open_checkin(cast, rhythm):
    """The next check-in, with a window wide enough to be open now whatever the weekday."""
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    return queries.next_occurrence(rhythm.checkin, timezone.now())


def test_my_week_lists_owed_check_ins_and_meetings(cast, rhythm, open_checkin):
    page = login(cast.member).get("/o/acme/rhythm/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Weekly team check-in · Platform" in html
    assert "Weekly team sync (Level 10) · Platform" in html


def test_the_check_in_form_submits(cast, rhythm, open_checkin):
    client = login(cast.member)
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{open_checkin.key}/checkin/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"highlights": "Shipped the cache", "blockers": ""})
    assert response.status_code == 302
    ci = CheckIn.objects.get(person=cast.member)
    assert ci.highlights == "Shipped the cache"


def test_a_meeting_page_shows_the_live_agenda_then_runs_and_finishes(cast, rhythm, next_sync):
    client = login(cast.leader)
    base = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/"
    page = client.get(base).content.decode()
    assert "Live agenda" in page and "Scorecard" in page
    assert client.post(base + "start/", {"early": "1"}).status_code == 302
    m = Meeting.objects.get()
    assert m.status == MeetingStatus.RUNNING
    client.post(base + "notes/", {"section": "issues", "text": "Builds"})
    client.post(base + "action/", {"title": "Fix cache", "owner": cast.member.pk, "due_on": ""})
    assert ActionItem.objects.get().title == "Fix cache"
    client.post(base + "finish/", {f"rating_{cast.leader.pk}": "9", "summary": "Good one"})
    m.refresh_from_db()
    assert m.status == MeetingStatus.FINISHED and m.notes == {"issues": "Builds"}
    minutes = client.get(base).content.decode()
    assert "Minutes" in minutes and "Fix cache" in minutes and "9.0/10" in minutes


def _query_counts(client, urls):
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


def test_pages_do_not_do_more_queries_for_a_bigger_organization(cast, rhythm, next_sync):
    client = login(cast.leader)
    urls = [
        "/o/acme/rhythm/",
        "/o/acme/rhythm/cadences/",
        f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/",
        f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/",
        "/o/acme/rhythm/teams/platform/",
        "/o/acme/rhythm/settings/",
        "/o/acme/",
    ]
    # Platform has a team below it from the start, so home shows the same panels (a
    # department's figures) at both sizes.
    org_services.create_team(cast.org, None, name="T-first", parent=cast.platform)
    client.get("/o/acme/")  # the first view of an organization records it in the session
    small = _query_counts(client, urls)
    # Grow the organization: more teams, people, cadences, check-ins and finished meetings.
    for n in range(4):
        team = org_services.create_team(cast.org, None, name=f"T{n}", parent=cast.platform)
        for k in range(3):
            p = org_services.add_person(cast.org, None, name=f"P{n}{k}")
            org_services.add_membership(cast.org, None, person=p, team=team)
        org_services.add_membership(cast.org, None, person=cast.leader, team=team, allocation=0)
        services.create_cadence_from_template(
            cast.org, None, "weekly-sync", team=team, start_date=dt.date(2026, 10, 1)
        )
        services.create_cadence_from_template(
            cast.org, None, "weekly-checkin", team=team, start_date=dt.date(2026, 10, 1)
        )
    big = _query_counts(client, urls)
    assert big == small


def test_another_organization_sees_none_of_it(cast, rhythm, next_sync):
    client = login(cast.outsider)
    assert client.get("/o/acme/rhythm/").status_code == 404
    assert client.get(f"/o/globex/rhythm/cadences/{rhythm.sync.pk}/").status_code == 404
    assert (
        client.get(f"/o/globex/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/").status_code
        == 404
    )


def test_a_viewer_cannot_start_a_meeting(cast, rhythm, next_sync):
    client = login(cast.viewer)
    base = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/"
    assert client.get(base).status_code == 200
    client.post(base + "start/", {"early": "1"})
    assert not Meeting.objects.exists()


def test_a_cadence_is_set_up_from_the_form(cast):
    client = login(cast.leader)
    response = client.post(
        "/o/acme/rhythm/cadences/new/",
        {
            "template": "daily-standup",
            "scope": "team",
            "team": cast.platform.pk,
            "timezone": "Asia/Kolkata",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        "/o/acme/rhythm/cadences/new/",
        {
            "name": "X",
            "rrule": "FREQ=NEVER",
            "time": "10:00",
            "scope": "team",
            "team": cast.platform.pk,
            "timezone": "UTC",
        },
    )
    assert bad.status_code == 200 and "not valid" in bad.content.decode()


def test_settings_offer_only_the_notices_the_person_receives(cast):
    """Only admins are told a webhook was paused; nobody else is offered its mute."""
    offered = 'name="notified_kinds" value="webhook_paused"'
    assert offered not in login(cast.member).get("/o/acme/rhythm/settings/").content.decode()
    assert offered in login(cast.admin).get("/o/acme/rhythm/settings/").content.decode()


def test_settings_mute_and_time_off(cast, rhythm):
    client = login(cast.member)
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "<h1>Notifications, time off and calendar</h1>" in page
    assert 'name="notified_kinds" value="decision_decided" checked' in page
    shown = re.findall(r'name="kinds_shown" value="([^"]+)"', page)
    assert "decision_decided" in shown
    # A ticked box is a kind notified of: the one left unticked is muted.
    client.post(
        "/o/acme/rhythm/settings/",
        {
            "what": "channels",
            "email": "1",
            "cadences_shown": [rhythm.checkin.pk],  # ticked: reminded; unticked: muted
            "kinds_shown": shown,
            "notified_kinds": [k for k in shown if k != "decision_decided"] + ["not-a-kind"],
        },
    )
    prefs = cast.member.delivery_prefs
    assert prefs.email and not prefs.chat and prefs.muted_kinds == ["decision_decided"]
    assert [m.cadence for m in cast.member.cadence_mutes.all()] == [rhythm.checkin]
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert 'name="notified_kinds" value="decision_decided">' in page
    assert 'name="notified_kinds" value="decision_reversed" checked' in page
    assert f'name="reminded" value="{rhythm.checkin.pk}">' in page  # unticked
    # Every box ticked again keeps nothing muted.
    client.post(
        "/o/acme/rhythm/settings/",
        {
            "what": "channels",
            "email": "1",
            "chat": "1",
            "kinds_shown": shown,
            "notified_kinds": shown,
            "cadences_shown": [rhythm.checkin.pk],
            "reminded": [rhythm.checkin.pk],
        },
    )
    prefs.refresh_from_db()
    assert prefs.muted_kinds == [] and prefs.chat and not cast.member.cadence_mutes.exists()
    today = dt.date.today()
    client.post("/o/acme/rhythm/settings/", {"what": "away", "starts_on": today, "ends_on": today})
    assert cast.member.away_periods.count() == 1
    # Removing it says so; a post that asks for nothing says that nothing changed.
    away = cast.member.away_periods.get()
    removed = client.post(
        "/o/acme/rhythm/settings/", {"what": "unaway", "away": away.pk}, follow=True
    ).content.decode()
    assert f"Time off {day(today)} to {day(today)} removed." in removed
    assert not cast.member.away_periods.exists()
    events = Event.objects.count()
    nothing = client.post("/o/acme/rhythm/settings/", {"what": "mute"}, follow=True)
    assert "Nothing was changed" in nothing.content.decode()
    assert Event.objects.count() == events


def test_the_home_and_team_pages_show_the_rhythm_panels(cast, rhythm):
    client = login(cast.member)
    home = client.get("/o/acme/").content.decode()
    assert "This week&#x27;s rhythm" in home or "This week's rhythm" in home
    assert "Weekly team sync (Level 10) · Platform" in home
    team = client.get("/o/acme/teams/platform/").content.decode()
    assert "Scorecard, cadences and calendar" in team


# Thursday 3 Dec 2026, 13:00 in Berlin: the sync's next meeting is Monday's (7 Dec, 10:00),
# and none of its meetings is under way (home lists one begun within the hour too).
THURSDAY = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)


def test_a_meeting_held_early_is_no_longer_next_on_home(cast, rhythm):
    client = login(cast.leader)
    with at(THURSDAY):
        next_sync = queries.next_occurrence(rhythm.sync)
        assert next_sync.start == dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
        base = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/"
        assert base in client.get("/o/acme/").content.decode()
        client.post(base + "start/", {"early": "1"})
        assert "Running now" in client.get("/o/acme/").content.decode()
        client.post(base + "finish/")
        assert base not in client.get("/o/acme/").content.decode()


def test_my_week_links_what_is_due(cast, rhythm):
    from accord.decisions import services as decisions

    item = decisions.create_action_item(
        cast.org, None, "Send the notes", cast.member, due_on=timezone.localdate()
    )
    page = login(cast.member).get("/o/acme/rhythm/").content.decode()
    assert f'<a href="/o/acme/decisions/actions/{item.pk}/">Send the notes</a>' in page


def test_the_edit_form_changes_the_rule_and_the_agenda_and_refuses_nonsense(cast, rhythm):
    client = login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Scorecard | metrics | 5" in page
    form = {
        "name": "Platform sync",
        "scope": "team",
        "team": cast.platform.pk,
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "time": "09:30",
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "checkin_owed_by": "everyone",
        "window_opens_hours": 48,
        "late_after_hours": 24,
        "is_active": "on",
        "agenda": "Scorecard | metrics | 10\nIssues | issues | 40\nWrap-up",
    }
    bad = client.post(url, {**form, "agenda": "Gossip | rumours | 5"})
    assert bad.status_code == 200 and "unknown source" in bad.content.decode()
    rhythm.sync.refresh_from_db()
    assert rhythm.sync.rrule == "FREQ=WEEKLY;BYDAY=MO"
    saved = client.post(url, form, follow=True).content.decode()
    assert "Platform sync saved." in saved  # by its new name
    assert "Every other week on Tuesday" in saved and "INTERVAL=2" not in saved
    rhythm.sync.refresh_from_db()
    assert rhythm.sync.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert [(s["key"], s["source"], s["minutes"]) for s in rhythm.sync.agenda] == [
        ("metrics", "metrics", 10),
        ("issues", "issues", 40),
        ("s3", "none", 5),
    ]


def test_notes_save_in_place_during_the_meeting(cast, rhythm, next_sync):
    client = login(cast.leader)
    base = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/"
    client.post(base + "start/", {"early": "1"})
    hx = {"HX-Request": "true"}
    ok = client.post(base + "notes/", {"section": "issues", "text": "Builds"}, headers=hx)
    assert ok.status_code == 200 and ok.content.decode().startswith("Saved at")
    bad = client.post(base + "notes/", {"section": "gossip", "text": "x"}, headers=hx)
    assert bad.status_code == 422 and "no agenda section 'gossip'" in bad.content.decode()
    assert Meeting.objects.get().notes == {"issues": "Builds"}


def test_notes_not_yet_saved_are_saved_with_whatever_else_is_done(cast, rhythm, next_sync):
    """The page's other forms carry the notes typed but not saved (rhythm/meeting.js):
    marking an item done, or finishing, saves them first instead of dropping them."""
    client = login(cast.leader)
    base = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{next_sync.key}/"
    client.post(base + "start/", {"early": "1"})
    client.post(
        base + "attendance/",
        {"notes:segue": "Two new hires", "notes:issues": "Builds are slow"},
    )
    assert Meeting.objects.get().notes == {"segue": "Two new hires", "issues": "Builds are slow"}
    client.post(base + "finish/", {"notes:issues": "Builds are slow; cache them"})
    m = Meeting.objects.get()
    assert m.status == "finished"
    assert m.notes == {"segue": "Two new hires", "issues": "Builds are slow; cache them"}


def test_a_new_cadence_says_there_is_nothing_to_measure_yet(cast):
    fresh = services.create_cadence(
        cast.org,
        cast.admin,
        name="Design review",
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        timezone_name="Europe/Berlin",
        time=dt.time(14),
        team=cast.platform,
        start_date=timezone.localdate() + dt.timedelta(days=3),
    )
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{fresh.pk}/").content.decode()
    assert "Nothing to measure yet: no occurrence has passed." in page
    assert "last 0 occurrences" not in page and "Every month on the first Tuesday" in page


def test_a_round_of_check_ins_says_who_is_in_and_who_is_not(cast, rhythm, open_checkin):
    """From the cadence's trend, a round lists who checked in (and when) and who has not
    yet; someone who owes no check-in there is sent to it rather than to a form."""
    checkin = queries.cadences(cast.org).get(pk=rhythm.checkin.pk)  # its window as widened
    services.submit_checkin(
        cast.org, cast.member, checkin, open_checkin.original_start, highlights="Done"
    )
    base = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{open_checkin.key}/"
    page = login(cast.admin).get(base + "checkins/").content.decode()
    on_time = page[page.index('id="round-on_time-h"') :].split("</section>")[0]
    assert cast.member.name in on_time
    waiting = page[page.index('id="round-waiting-h"') :].split("</section>")[0]
    assert cast.leader.name in waiting and cast.member.name not in waiting
    day = open_checkin.start.astimezone(dt.UTC).date()
    services.set_away(cast.org, cast.leader, cast.leader, starts_on=day - dt.timedelta(days=1),
                      ends_on=day + dt.timedelta(days=1))  # fmt: skip
    page = login(cast.admin).get(base + "checkins/").content.decode()
    waiting = page[page.index('id="round-waiting-h"') :].split("</section>")[0]
    # Away owes none: named apart, not counted among who is not in yet.
    assert "Away, owing none" in waiting and "Everyone who owes one is in." in waiting
    assert '<span class="figure">0</span> not in yet' in page
    # Owed by the leads alone: a member who has not checked in is not waited for.
    services.update_cadence(cast.org, None, checkin, checkin_owed_by="leads")
    services.submit_checkin(
        cast.org, cast.leader, checkin, open_checkin.original_start, highlights="Done"
    )
    from accord.org.models import MembershipRole

    org_services.add_membership(
        cast.org, None, person=cast.viewer, team=cast.platform, role=MembershipRole.MEMBER
    )
    page = login(cast.admin).get(base + "checkins/").content.decode()
    waiting = page[page.index('id="round-waiting-h"') :].split("</section>")[0]
    assert "Everyone who owes one is in." in waiting and cast.viewer.name not in waiting
    # The admin owes nothing here: the check-in address shows the round, not a form.
    sent = login(cast.admin).get(base + "checkin/")
    assert sent.status_code == 302 and sent["Location"] == base + "checkins/"
    assert login(cast.member).get(base + "checkin/").status_code == 200


def test_the_adherence_trend_writes_its_dates_the_one_way_with_their_year(cast, rhythm):
    # "6/10" reads as 10 June to an American: each occurrence is written as every date is.
    for cadence in (rhythm.sync, rhythm.checkin):
        page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{cadence.pk}/").content.decode()
        trend = page[page.index('class="trend"') :].split("</ol>")[0]
        labels = re.findall(r"<small>([^<]*)</small>", trend)
        assert labels, cadence
        assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 20\d\d", t) for t in labels), labels
