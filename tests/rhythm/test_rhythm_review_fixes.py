"""What two reviewers of the rhythm found (a member, a new admin), fixed: a meeting's page
puts something on its agenda and links every item; a check-in's scorecard value is filed
in the week it describes; a blocker given before a meeting is on it; a refused time-off
form says so at the top; a stand-up's Blockers are what blocks the team, what others asked
of it waits apart; an open round is reachable from the pages that show its cadence, and a
department's chat hears of its teams' stragglers, a bounded list."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import re

import pytest
from django.apps import apps

from accord.activity import delivery
from accord.activity.models import Notification
from accord.alignment import milestones
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import Issue
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.rhythm import agenda, queries, scorecard, services
from accord.rhythm.models import Cadence, CheckIn, MeasurableValue, Meeting
from tests.conftest import at, login, make_person
from tests.rhythm.conftest import DUE, existed_since, utc

H = dt.timedelta(hours=1)
SYNC = utc(2026, 11, 9, 9)  # Monday 9 Nov 2026, 10:00 in Berlin: the sync after DUE
SATURDAY = utc(2026, 11, 7, 18)  # Saturday 7 Nov, in the Monday pulse's window
PULSE_DUE = utc(2026, 11, 9, 16)  # Monday 9 Nov, 17:00 in Berlin
IN_WINDOW = DUE - 46 * H  # Wednesday 4 Nov: the round due Friday 6 Nov is open


def _url(cadence: Cadence, start: dt.datetime) -> str:
    occ = queries.occurrence(cadence, start)
    return f"/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _pulse(cast) -> Cadence:
    """Platform's Monday pulse: a check-in due Mondays 17:00 in Berlin, open from Saturday."""
    services.create_cadence(
        cast.org,
        None,
        name="Monday pulse",
        kind="checkin",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(17),
        timezone_name="Europe/Berlin",
        team=cast.platform,
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    existed_since(cast.org)
    return Cadence.objects.get(org=cast.org, name="Monday pulse")


def _section(sections, key):
    [found] = [s for s in sections if s["key"] == key]
    return found


# --- 3. adding to the agenda, and items that open what they name ------------------------------


def test_a_member_puts_something_on_the_next_meetings_agenda_from_its_page(cast, rhythm):
    url = _url(rhythm.sync, SYNC)
    client = login(cast.member)
    with at(SYNC - 40 * H):
        page = _text(client.get(url))
        assert 'href="#add-to-agenda"' in page and 'id="add-to-agenda"' in page
        assert "Issues of Platform go on its next meeting's agenda, under “Issues”." in page
        r = client.post(
            url + "agenda/",
            {"title": "Flaky deploys", "team": cast.platform.pk, "description": "Twice"},
            follow=True,
        )
    assert r.redirect_chain[0][0].endswith("#section-issues")
    issue = Issue.objects.get(org=cast.org, title="Flaky deploys")
    assert (issue.team, issue.raised_by, issue.description) == (cast.platform, cast.member, "Twice")
    page = _text(r)
    assert "“Flaky deploys” is on the agenda: raised as an issue for Platform." in page
    # On the live agenda, under Issues, opening the issue's page.
    issues = page[page.index('id="section-issues"') :]
    assert f'<a href="/o/acme/decisions/issues/{issue.pk}/">Flaky deploys</a>' in issues


def test_while_the_meeting_runs_what_is_added_joins_its_issues_to_solve(cast, started_sync):
    client = login(cast.member)
    page = _text(client.get(started_sync))
    assert "Issues of Platform go on its next meeting's agenda: raised now, it joins" in page
    r = client.post(started_sync + "agenda/", {"title": "Pager noise", "team": cast.platform.pk})
    issue = Issue.objects.get(org=cast.org, title="Pager noise")
    assert r.status_code == 302 and r["Location"].endswith(f"#issue-{issue.pk}")
    page = _text(client.get(started_sync))
    assert f'id="issue-{issue.pk}"' in page[page.index('id="ids"') :]


def test_adding_to_the_agenda_refuses_what_it_cannot_raise_and_keeps_the_page(cast, rhythm):
    url = _url(rhythm.sync, SYNC)
    client = login(cast.member)
    with at(SYNC - 40 * H):
        r = client.post(url + "agenda/", {"title": "", "team": cast.platform.pk})
        assert r.status_code == 422
        assert 'id="agenda_title_error"' in r.content.decode()
        assert "Write what to discuss first." in _text(r)
        # Another team's issue does not go on Platform's agenda.
        r = client.post(url + "agenda/", {"title": "Theirs", "team": cast.root.pk})
        assert r.status_code == 422 and "Choose one of this meeting&#x27;s teams." in (
            r.content.decode()
        )
        assert not Issue.objects.filter(org=cast.org).exists()
        with pytest.raises(ServiceError) as refused:
            services.add_to_agenda(cast.org, cast.member, rhythm.sync, cast.root, "Theirs")
        assert refused.value.message.startswith("Acme is not one of Weekly team sync")
        # A viewer is offered nothing and may post nothing.
        viewer = login(cast.viewer)
        assert 'id="add-to-agenda"' not in viewer.get(url).content.decode()
        r = viewer.post(url + "agenda/", {"title": "x", "team": cast.platform.pk})
        assert r.status_code == 403
        assert not Issue.objects.filter(org=cast.org).exists()


def test_every_agenda_item_opens_what_it_names(cast, rhythm):
    org = cast.org
    checkin = services.submit_checkin(
        org, cast.member, rhythm.checkin, DUE, now=DUE - H, blockers="Waiting on the schema"
    )
    issue = decisions.raise_issue(org, None, cast.platform, "Disk at 85%")
    action = decisions.create_action_item(
        org, None, "Draft the rota", cast.member, due_on=dt.date(2026, 11, 8)
    )
    decision = decisions.create_decision(org, None, "Which queue?", cast.member)
    mine = alignment.create_initiative(
        org, None, team=cast.platform, title="Ledger", start_date=dt.date(2026, 10, 1)
    )
    dep = coordination.create_dependency(
        org,
        None,
        requester_initiative=mine,
        provider_team=cast.root,
        title="Audit log export",
        need_by=dt.date(2026, 11, 20),
    )
    url = _url(rhythm.sync, SYNC)
    with at(SYNC - 2 * H):
        page = login(cast.member).get(url).content.decode()
    round_page = _url(rhythm.checkin, DUE) + "checkins/"
    for href, title in (
        (f"{round_page}#checkin-{cast.member.pk}", cast.member.name),
        (f"/o/acme/decisions/issues/{issue.pk}/", "Disk at 85%"),
        (f"/o/acme/decisions/actions/{action.pk}/", "Draft the rota"),
        (f"/o/acme/decisions/{decision.pk}/", "Which queue?"),
        (f"/o/acme/coordination/d/{dep.pk}/", "Audit log export"),
    ):
        assert f'<a href="{href}">{html.escape(title)}</a>' in page, title
    assert checkin.pk


def test_item_urls_name_each_kinds_page_and_nothing_for_what_is_gone(cast, rhythm):
    org = cast.org
    period = alignment.create_period(
        org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    objective = alignment.create_objective(
        org, None, title="Fast", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(org, None, objective, name="p95", start=0, target=10)
    m = services.create_measurable(
        org, None, team=cast.platform, name="Deploys", goal_rule="at_least", goal_low=20
    )
    meeting = services.open_meeting(org, None, rhythm.sync, SYNC)
    services.start_meeting(org, None, meeting)
    headline = services.add_headline(org, None, meeting, "Shipped")
    milestone = milestones.create_milestone(org, None, name="Launch", date=dt.date(2026, 12, 1))
    urls = agenda.item_urls(
        org,
        [
            f"kr:{kr.pk}",
            f"objective:{objective.pk}",
            f"measurable:{m.pk}",
            f"headline:{headline.pk}",
            f"milestone:{milestone.pk}",
            "issue:999999",
            "checkin:999999",
            "nonsense",
        ],
    )
    assert urls == {
        f"kr:{kr.pk}": f"/o/acme/alignment/key-results/{kr.pk}/",
        f"objective:{objective.pk}": f"/o/acme/alignment/objectives/{objective.pk}/",
        f"measurable:{m.pk}": "/o/acme/rhythm/teams/platform/#score-h",
        f"headline:{headline.pk}": _url(rhythm.sync, SYNC) + "#headlines-h",
        f"milestone:{milestone.pk}": f"/o/acme/alignment/milestones/#milestone-{milestone.pk}",
    }
    # Another organization's ids name nothing here.
    assert agenda.item_urls(cast.other_org, [f"kr:{kr.pk}"]) == {}


# --- 4. the week a check-in's scorecard value describes -----------------------------------------


def test_a_monday_rounds_scorecard_value_is_filed_in_the_week_just_ended(cast, rhythm):
    pulse = _pulse(cast)
    deploys = services.create_measurable(
        cast.org,
        None,
        team=cast.platform,
        name="Deploys per week",
        goal_rule="at_least",
        goal_low=20,
        owner=cast.member,
    )
    url = _url(pulse, PULSE_DUE)
    client = login(cast.member)
    with at(SATURDAY):
        page = _text(client.get(url + "checkin/"))
        assert "Scorecard for the week of 2 Nov 2026" in page
        client.post(url + "checkin/", {f"m_{deploys.pk}": "14"})
        team_page = client.get("/o/acme/rhythm/teams/platform/").content.decode()
    (value,) = MeasurableValue.objects.filter(measurable=deploys)
    assert (value.week_start, value.value) == (dt.date(2026, 11, 2), 14)
    # The team's scorecard shows it in this week's column, the last one.
    assert re.findall(r'<th scope="col" class="num">([^<]*)</th>', team_page)[-1] == "2 Nov 2026"
    assert 'rag--red">14<' in team_page
    # A round due on a Friday describes its own week.
    friday = queries.occurrence(rhythm.checkin, DUE)
    assert services.scorecard_week(friday) == dt.date(2026, 11, 2)


def test_the_scorecard_shows_next_week_once_a_round_has_filed_a_value_for_it(cast):
    deploys = services.create_measurable(
        cast.org, None, team=cast.platform, name="Deploys", goal_rule="at_least", goal_low=1
    )
    services.record_measurable_value(
        cast.org, None, deploys, week_start=dt.date(2026, 11, 9), value=3, source="checkin"
    )
    with at(SATURDAY):
        [row] = scorecard.team_scorecards(cast.org, [cast.platform.pk])
    assert [c.week for c in row.cells][-2:] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    assert row.cells[-1].value == 3


# --- 5. a blocker given before the meeting, in a round due after it ---------------------------


def test_a_blocker_given_before_the_meeting_is_on_it_whatever_its_rounds_due_date(cast, rhythm):
    pulse = _pulse(cast)
    ci = services.submit_checkin(
        cast.org,
        cast.member,
        pulse,
        PULSE_DUE,
        now=SATURDAY,
        blockers="Waiting on Data's schema",
        blocker_team=cast.root,
    )
    meeting = Meeting(cadence=rhythm.sync, occurrence_start=SYNC, scheduled_start=SYNC)
    built = agenda.build(cast.org, rhythm.sync, meeting, now=SYNC - 2 * H)
    items = _section(built, "checkin_blockers")["items"]
    assert [(i["ref"], i["title"]) for i in items] == [(f"checkin:{ci.pk}", cast.member.name)]
    assert "Waiting on Data's schema" in items[0]["detail"]


def test_a_later_check_in_given_before_the_meeting_clears_an_earlier_blocker(cast, rhythm):
    pulse = _pulse(cast)
    services.submit_checkin(
        cast.org,
        cast.member,
        pulse,
        PULSE_DUE - 7 * 24 * H,
        now=SATURDAY - 7 * 24 * H,
        blockers="Stuck on the VPN",
    )
    services.submit_checkin(
        cast.org, cast.member, pulse, PULSE_DUE, now=SATURDAY, highlights="VPN sorted"
    )
    meeting = Meeting(cadence=rhythm.sync, occurrence_start=SYNC, scheduled_start=SYNC)
    built = agenda.build(cast.org, rhythm.sync, meeting, now=SYNC - 2 * H)
    assert not [s for s in built if s["key"] == "checkin_blockers"]


# --- 6. a refused time-off form ---------------------------------------------------------------


def test_a_refused_time_off_says_so_at_the_top_and_beside_the_form(cast):
    r = login(cast.member).post(
        "/o/acme/rhythm/settings/",
        {"what": "away", "starts_on": "2026-12-24", "ends_on": "2026-12-20"},
    )
    assert r.status_code == 422
    page = _text(r)
    top = page[page.index('class="messages"') : page.index("<h1")]
    assert "Time off was not saved: see the form below." in top
    # Why, said once: beside the field at fault, not again above the form or at the top.
    form = page[page.index('id="time-off"') :]
    form = form[: form.index("</section>")]
    assert form.count('class="error"') == 1 and "Before the start." in form
    assert 'class="form-errors"' not in form
    assert "Time off ends on or after the day it starts." not in page
    assert not cast.member.away_periods.exists()


# --- 15. a stand-up's Blockers, and what others wait on us for --------------------------------


@pytest.mark.parametrize(
    ("template", "first"),
    [
        ("daily-standup", ["Round the room", "Blockers", "Waiting on us"]),
        # The weekly check-in's "Blockers across teams" had the same mix-up.
        ("weekly-checkin", ["Check-ins", "Blockers across teams", "Waiting on us"]),
    ],
)
def test_a_standups_blockers_are_what_blocks_the_team_not_requests_to_it(cast, template, first):
    org = cast.org
    standup = services.create_cadence_from_template(
        org,
        None,
        template,
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
    )
    ours = alignment.create_initiative(
        org, None, team=cast.platform, title="Ledger", start_date=dt.date(2026, 10, 1)
    )
    theirs = alignment.create_initiative(
        org, None, team=cast.root, title="Quotes", start_date=dt.date(2026, 10, 1)
    )
    with at(utc(2026, 11, 2, 12)):
        coordination.create_dependency(
            org,
            None,
            requester_initiative=ours,
            provider_team=cast.root,
            title="Late ask of ours",
            need_by=dt.date(2026, 11, 5),
        )
        coordination.create_dependency(
            org,
            None,
            requester_initiative=theirs,
            provider_team=cast.platform,
            title="Quote PDF service",
            need_by=dt.date(2027, 1, 14),
        )
    meeting = Meeting(cadence=standup, occurrence_start=SYNC, scheduled_start=SYNC)
    with at(SYNC - H):
        built = agenda.build(org, standup, meeting, now=SYNC - H)
    titles = {s["key"]: [i["title"] for i in s["items"]] for s in built}
    assert titles["blockers"] == ["Late ask of ours"]
    assert titles["waiting"] == ["Quote PDF service"]
    assert [s["title"] for s in built][:3] == first
    # "Waiting on us" takes no minutes of its own: the meeting keeps its length.
    assert sum(s["minutes"] for s in standup.agenda) == standup.duration_minutes


def test_existing_standups_agendas_move_to_the_new_sections_hand_made_ones_stay(cast):
    migration = importlib.import_module(
        "accord.rhythm.migrations.0010_standup_blockers_and_requests"
    )
    old = [
        {"key": "round", "title": "Round the room", "source": "none", "minutes": 10},
        {"key": "blockers", "title": "Blockers", "source": "dependencies", "minutes": 3},
        {"key": "todos", "title": "Due today", "source": "action_items", "minutes": 2},
    ]
    mine = [{"key": "blockers", "title": "Blockers", "source": "dependencies", "minutes": 5}]

    def cadence(name, sections):
        return services.create_cadence(
            cast.org,
            None,
            name=name,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(9),
            timezone_name="UTC",
            team=cast.platform,
            agenda=sections,
        )

    standup, custom = cadence("Stand-up", old), cadence("Custom", mine)
    migration.forward(apps, None)
    standup.refresh_from_db()
    custom.refresh_from_db()
    assert [(s["key"], s["source"], s["minutes"]) for s in standup.agenda] == [
        ("round", "none", 10),
        ("blockers", "blockers", 3),
        ("waiting", "requests", 0),
        ("todos", "action_items", 2),
    ]
    assert custom.agenda == mine


# --- admin 7. the open round, reachable; a department's chat hears of its teams ----------------


def test_the_open_round_and_whos_in_are_linked_from_the_cadence_team_form_and_my_week(cast, rhythm):
    services.submit_checkin(cast.org, cast.leader, rhythm.checkin, DUE, now=IN_WINDOW - H)
    round_url = _url(rhythm.checkin, DUE) + "checkins/"
    link = f'<a href="{round_url}"'
    with at(IN_WINDOW):
        page = login(cast.admin).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/")
        page = _text(page)
        assert 'id="open-round"' in page and f"{link}>who's in: 1 of 2</a>" in page
        page = _text(login(cast.admin).get("/o/acme/rhythm/teams/platform/"))
        assert f"{link}>Open now: 1 of 2 in</a>" in page
        page = _text(login(cast.member).get(_url(rhythm.checkin, DUE) + "checkin/"))
        assert f'{link} id="round-link">This round: 1 of 2 in</a>' in page
        page = _text(login(cast.leader).get("/o/acme/rhythm/"))  # Leo owns the cadence
        assert "Rounds you run, open now" in page and link in page and "1 of 2 in" in page
        assert "Rounds you run" not in _text(login(cast.member).get("/o/acme/rhythm/"))
    # Who is away that day owes none; once the window closes, no round is open.
    services.set_away(cast.org, None, cast.member, starts_on=DUE.date(), ends_on=DUE.date())
    assert queries.open_round(cast.org, rhythm.checkin, IN_WINDOW).owed == 1
    assert queries.open_round(cast.org, rhythm.checkin, DUE + 25 * H) is None
    with at(DUE + 25 * H):
        page = login(cast.admin).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/")
        assert 'id="open-round"' not in page.content.decode()


def test_a_departments_webhook_hears_of_its_teams_stragglers_the_first_ten_named(cast, good_hook):
    org = cast.org
    for n in range(11):
        person = make_person(org, f"Pat {n:02d}", Role.MEMBER)
        org_services.add_membership(
            org, None, person=person, team=cast.platform, role=MembershipRole.MEMBER
        )
    services.create_cadence(
        org,
        None,
        name="Acme check-in",
        kind="checkin",
        scope="subtree",
        rrule="FREQ=WEEKLY;BYDAY=FR",
        time=dt.time(16),
        timezone_name="UTC",
        team=cast.root,
        start_date=dt.date(2026, 10, 1),
        owner=cast.admin,
    )
    existed_since(org)
    cadence = Cadence.objects.get(org=org, name="Acme check-in")
    # The webhook is the department's (Acme), whose own people owe nothing here.
    delivery.add_chat_webhook(org, None, cast.root, url=good_hook.url, flavor="slack")
    due = utc(2026, 11, 6, 16)
    done = services.remind_not_in_yet(org, cast.admin, cadence, due, now=due - 2 * H)
    (post,) = Notification.objects.filter(channel="chat")
    stragglers = sorted([cast.member.name] + [f"Pat {n:02d}" for n in range(11)])
    assert "\nStill to check in: " + ", ".join(stragglers[:10]) + " and 2 more\n" in (
        post.body_text
    )
    assert done["reminded"] == 12  # an e-mail each
    assert CheckIn.objects.count() == 0
