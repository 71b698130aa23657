"""What a walk through the demo found, fixed: a meeting's agenda line says it ticks the line
("Discussed") and offers to close an action item it reviews; a meeting held early is not
"next"; the check-in form shows every error beside its field in one submit; a missed
round says what comes next; the new cadence form starts on Weekly and shows the team
fields its scope uses; a form's address opened by GET leads to its page."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, ActionStatus
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, CheckIn, Meeting
from accord.rhythm.templatetags.occurrences import occurrence_when
from tests.conftest import login
from tests.rhythm.conftest import DUE, check_in_owed, error_beside

HX = {"HX-Request": "true"}


# --- 1. an agenda line's tick, and closing an action item it reviews -------------------------


@pytest.fixture
def reviewed(cast, rhythm):
    """The next sync, started early by its lead, its agenda listing an action item of the
    lead's due today (under "Action items"): the meeting's page, the item, its line."""
    item = decisions.create_action_item(
        cast.org, None, "Share the pipeline review", cast.leader, due_on=timezone.localdate()
    )
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    login(cast.leader).post(url + "start/", {"early": "1"})
    m = Meeting.objects.get(cadence=rhythm.sync)
    [key] = [
        s["key"]
        for s in m.agenda_snapshot
        if any(i["ref"] == f"action:{item.pk}" for i in s["items"])
    ]
    return {"url": url, "item": item, "ref": f"{key}:action:{item.pk}", "meeting": m}


def _line(page: str, ref: str) -> str:
    rid = re.sub(r"[^A-Za-z0-9_-]", "-", ref)
    start = page.index(f'id="item-{rid}"')
    return page[start : page.index("</li>", start)]


def test_the_agenda_tick_says_discussed_and_leaves_the_action_item_open(cast, reviewed):
    client = login(cast.leader)
    line = _line(client.get(reviewed["url"]).content.decode(), reviewed["ref"])
    assert 'aria-label="Discussed: Share the pipeline review"' in line
    assert 'aria-pressed="false"' in line and ">Done<" not in line
    answer = client.post(
        reviewed["url"] + "done/", {"ref": reviewed["ref"], "done": "1"}, headers=HX
    )
    # In place (htmx): the line again, ticked, and what was done said to screen readers.
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body.lstrip().startswith("<li") and 'aria-pressed="true"' in body
    assert (
        'id="agenda-status" hx-swap-oob="innerHTML">Discussed: Share the pipeline review.' in body
    )
    reviewed["item"].refresh_from_db()
    assert reviewed["item"].status == ActionStatus.OPEN  # discussed is not done
    # The activity log says so in the same words.
    assert Event.objects.filter(target_type="rhythm.meeting", verb="checked").exists()
    feed = client.get("/o/acme/activity/", {"type": "rhythm.meeting"}).content.decode()
    words = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", feed)))
    assert "Leo Leader marked an agenda item discussed in meeting Weekly team sync" in words


def test_the_meeting_raises_issues_on_their_page_and_offers_only_who_may_decide(cast, reviewed):
    page = login(cast.leader).get(reviewed["url"]).content.decode()
    assert re.search(r'href="/o/acme/decisions/issues/new/(\?team=[\w-]+)?">the issues page', page)
    at = page.index('id="id_approver"')
    assert 'hx-get="/o/acme/pick/accountable/"' in page[at : at + 600]


def test_the_meeting_closes_an_action_item_it_reviews_through_the_decisions_pillar(cast, reviewed):
    client = login(cast.leader)
    line = _line(client.get(reviewed["url"]).content.decode(), reviewed["ref"])
    assert 'aria-label="Close as done: Share the pipeline review"' in line
    answer = client.post(
        reviewed["url"] + "close/", {"ref": reviewed["ref"], "done": "1"}, headers=HX
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "action item done" in body and "Reopen action item" in body
    assert 'aria-pressed="true"' in body  # and its line ticked as discussed
    item = ActionItem.objects.get(pk=reviewed["item"].pk)
    assert item.status == ActionStatus.DONE and item.done_at is not None
    assert Event.objects.filter(
        verb="completed", target_type="decisions.actionitem", target_id=item.pk, actor=cast.leader
    ).exists()
    # A mis-tap is put right from the same line: reopened, still ticked as discussed.
    client.post(reviewed["url"] + "close/", {"ref": reviewed["ref"], "done": "0"}, headers=HX)
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN
    # Without script: the page again, at the line, saying what was done.
    client.post(reviewed["url"] + "close/", {"ref": reviewed["ref"], "done": "1"})
    back = client.post(reviewed["url"] + "close/", {"ref": reviewed["ref"], "done": "0"})
    assert back.status_code == 302 and back.url.endswith(
        "#item-" + reviewed["ref"].replace(":", "-")
    )


def test_only_who_may_close_an_action_item_is_offered_it(cast, reviewed):
    """Mia, a member of the team, runs the meeting but may not close the lead's item."""
    client = login(cast.member)
    line = _line(client.get(reviewed["url"]).content.decode(), reviewed["ref"])
    assert "Close as done" not in line and "Discussed" in line
    refused = client.post(
        reviewed["url"] + "close/", {"ref": reviewed["ref"], "done": "1"}, headers=HX
    )
    assert refused.status_code in (403, 422)
    reviewed["item"].refresh_from_db()
    assert reviewed["item"].status == ActionStatus.OPEN
    # Only what the agenda lists is closed from it.
    with pytest.raises(ServiceError) as exc:
        services.close_agenda_action(
            cast.org, cast.leader, reviewed["meeting"], "todos:action:999999"
        )
    assert exc.value.code == "unknown_item"


# --- 2. "next" skips a meeting held early ----------------------------------------------------


def _held_early(cast, cadence: Cadence) -> tuple:
    """Start the cadence's next meeting early and finish it: (it, the occurrence after)."""
    occ = queries.next_occurrence(cadence, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, cadence, occ.original_start)
    services.start_meeting(cast.org, cast.leader, m, early=True)
    services.finish_meeting(cast.org, cast.leader, m)
    after = queries.next_occurrence(cadence, occ.start + dt.timedelta(seconds=1))
    return occ, after


def test_a_meeting_held_early_is_not_next_anywhere(cast, rhythm):
    occ, after = _held_early(cast, rhythm.sync)
    tz = cast.leader.timezone
    held, following = occurrence_when(occ, tz), occurrence_when(after, tz)
    client = login(cast.leader)
    listed = client.get("/o/acme/rhythm/cadences/").content.decode()
    row = listed[listed.index(rhythm.sync.name) :]
    row = row[: row.index("</tr>")]
    assert following in row and held not in row
    team = client.get("/o/acme/rhythm/teams/platform/").content.decode()
    row = team[team.index(rhythm.sync.name) :]
    row = row[: row.index("</tr>")]
    assert following in row and held not in row
    panel = client.get("/o/acme/teams/platform/").content.decode()
    panel = panel[panel.index('id="rhythm-team-h"') :]
    panel = panel[: panel.index("</section>")]
    line = panel[panel.index(rhythm.sync.name) :]
    line = line[: line.index("</li>")]
    assert f"next {following}" in line and held not in line
    # Home's rule (`queries.held`) is the one rule: a check-in's next round is its next.
    nxt = queries.next_occurrences([rhythm.sync, rhythm.checkin])
    assert nxt[rhythm.sync.pk] == after
    assert nxt[rhythm.checkin.pk] == queries.next_occurrence(rhythm.checkin)


def test_the_cadence_list_reads_held_meetings_once_for_the_page(cast, rhythm):
    for n in range(3):
        services.create_cadence_from_template(
            cast.org, None, "weekly-sync", team=cast.platform, name=f"Sync {n}"
        )
    client = login(cast.leader)
    client.get("/o/acme/rhythm/cadences/")
    with CaptureQueriesContext(connection) as before:
        client.get("/o/acme/rhythm/cadences/")
    for c in Cadence.objects.filter(name__startswith="Sync "):
        _held_early(cast, c)
    with CaptureQueriesContext(connection) as after:
        client.get("/o/acme/rhythm/cadences/")
    meetings = [q for q in after.captured_queries if '"rhythm_meeting"' in q["sql"]]
    # One read of the page's next meetings, one more for those held early: not one a row.
    assert len(meetings) == 2, [q["sql"][:120] for q in meetings]
    assert len(after.captured_queries) <= len(before.captured_queries) + 1


# --- 3. the check-in form: every error, beside its field, in one submit ----------------------


@pytest.fixture
def open_round(cast, rhythm):
    kr, url = check_in_owed(cast, rhythm)
    return {"url": url, "kr": kr}


def test_every_error_of_a_check_in_is_shown_beside_its_field_at_once(cast, open_round):
    kr = open_round["kr"]
    form = {
        f"kr_{kr.pk}": "forty-five",
        "highlights": "Shipped the survey",
        "blockers": "Waiting on the vendor",
        "blocker_team": "",
        "blocker_team_text": "Nowhere team",
    }
    answer = login(cast.member).post(open_round["url"], form)
    assert answer.status_code == 422
    page = answer.content.decode()
    assert error_beside(page, f"kr_{kr.pk}") == "“forty-five” is not a number."
    assert error_beside(page, "blocker_team") == (
        "No team is named “Nowhere team”. Choose a team from the list."
    )
    # Listed on top too, each linking to its field; what was typed stays.
    summary = page[page.index('id="checkin-errors"') :]
    summary = html.unescape(summary[: summary.index("</div>")])
    assert "2 answers need putting right" in summary
    assert f'<a href="#kr_{kr.pk}">NPS</a>: “forty-five” is not a number.' in summary
    assert f'name="kr_{kr.pk}" type="text" inputmode="decimal" value="forty-five"' in page
    assert 'value="Nowhere team"' in page and ">Shipped the survey</textarea>" in page
    assert not CheckIn.objects.filter(person=cast.member).exists()
    kr.refresh_from_db()
    assert kr.current == 20


def test_the_service_still_refuses_what_is_no_number(cast, rhythm, open_round):
    kr = open_round["kr"]
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, occ.original_start, key_results={kr.pk: "lots"}
        )
    assert exc.value.fields == {f"kr_{kr.pk}": ["Enter a number."]}, exc.value.message


# --- 4. a missed round says what comes next --------------------------------------------------


def test_a_missed_round_leads_to_the_next_one_and_to_the_teams_next_meeting(cast, rhythm):
    missed = queries.previous_occurrence(
        rhythm.checkin, timezone.now() - dt.timedelta(hours=rhythm.checkin.late_after_hours)
    )
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{missed.key}/checkin/"
    page = login(cast.member).get(url).content.decode()
    assert "nothing more can be given for it" in page
    nxt = queries.next_occurrence(
        rhythm.checkin, timezone.now() - dt.timedelta(hours=rhythm.checkin.late_after_hours)
    )
    assert nxt.original_start > missed.original_start
    line = page[page.index('id="checkin-next"') :]
    line = line[: line.index("</p>")]
    assert f'href="/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{nxt.key}/checkin/"' in line
    meeting = queries.next_occurrence(rhythm.sync, timezone.now())
    sync = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{meeting.key}/"
    assert f'href="{sync}#share-headline">Share a headline for {rhythm.sync.name}</a>' in line
    # There, the headline form is offered to her.
    assert 'id="share-headline"' in login(cast.member).get(sync).content.decode()


# --- 5. the new cadence form ------------------------------------------------------------------


def test_the_new_cadence_form_starts_on_weekly_and_its_script_hides_unused_teams(cast):
    page = login(cast.leader).get("/o/acme/rhythm/cadences/new/").content.decode()
    assert re.search(r'<option value="weekly" selected>Every week on…</option>', page)
    assert '<option value="custom" selected>' not in page
    assert static("rhythm/scope.js") in page  # a static file: the policy allows no inline script


def test_a_template_keeps_its_schedule_when_weekly_is_left_as_offered(cast):
    client = login(cast.leader)
    form = {"scope": "team", "team": cast.platform.pk, "timezone": "UTC", "repeat": "weekly"}
    made = client.post("/o/acme/rhythm/cadences/new/", {**form, "template": "monthly-review"})
    assert made.status_code == 302, made.content.decode()[:2000]
    assert Cadence.objects.get().rrule == "FREQ=MONTHLY;BYDAY=1TU"
    # By hand, Weekly needs its days; given, they are the rule.
    refused = client.post(
        "/o/acme/rhythm/cadences/new/", {**form, "name": "Design review", "time": "15:00"}
    )
    assert refused.status_code == 200
    assert "Choose at least one day of the week." in refused.content.decode()
    client.post(
        "/o/acme/rhythm/cadences/new/",
        {**form, "name": "Design review", "time": "15:00", "days": ["TH"]},
    )
    assert Cadence.objects.get(name="Design review").rrule == "FREQ=WEEKLY;BYDAY=TH"


# --- 6. a form's address opened by GET --------------------------------------------------------


def test_a_post_only_address_opened_leads_to_its_page(cast, rhythm):
    client = login(cast.leader)
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    meeting = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    for action in ("start", "finish", "done", "close", "notes"):
        answer = client.get(f"{meeting}{action}/")
        assert (answer.status_code, answer.url) == (302, meeting), action
    assert not Meeting.objects.exists()  # opened, nothing started
    assert client.get(f"{meeting}nonsense/").status_code == 404
    assert client.get(f"{meeting}move/").url == f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/"
    due = queries.occurrence(rhythm.checkin, DUE)
    round_page = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{due.key}/checkins/"
    assert client.get(round_page + "remind/").url == round_page
    # Still only a form's address for anything else, and no way into another organization.
    assert client.delete(f"{meeting}start/").status_code == 405
    outsider = login(cast.outsider)
    assert (
        outsider.get(f"/o/globex/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/start/").status_code
        == 404
    )
