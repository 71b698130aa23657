"""Every page renders for people of the organization, refuses outsiders and writes via forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.decisions import services
from accord.decisions.models import ActionItem, Decision, DecisionStatus, Issue
from tests.conftest import login


@pytest.fixture
def data(cast):
    d = services.create_decision(
        cast.org,
        cast.member,
        "Adopt trunk-based development?",
        approver=cast.leader,
        teams=[cast.platform],
        informed=[cast.viewer],
        context="Merges hurt.",
    )
    services.add_option(cast.org, cast.member, d, "Trunk", pros="Small merges", cons="Flags")
    services.add_option(cast.org, cast.member, d, "GitFlow", pros="Known", cons="Long branches")
    item = services.create_action_item(
        cast.org,
        None,
        "Write the guide",
        cast.member,
        due_on=timezone.localdate(),
        team=cast.platform,
        source_type="decisions.decision",
        source_id=d.pk,
    )
    issue = services.raise_issue(
        cast.org, cast.member, cast.platform, "Flaky tests", severity="high"
    )
    return {"decision": d, "item": item, "issue": issue}


def _pages(data):
    d, issue = data["decision"], data["issue"]
    return [
        "/o/acme/decisions/",
        "/o/acme/decisions/?status=open&q=trunk",
        f"/o/acme/decisions/{d.pk}/",
        f"/o/acme/decisions/{d.pk}/edit/",
        f"/o/acme/decisions/{d.pk}.md",
        "/o/acme/decisions/new/",
        "/o/acme/decisions/waiting/",
        "/o/acme/decisions/latency/",
        "/o/acme/decisions/actions/",
        "/o/acme/decisions/actions/?team=platform",
        "/o/acme/decisions/issues/",
        "/o/acme/decisions/issues/?team=platform&show=closed",
        f"/o/acme/decisions/issues/{issue.pk}/",
        "/o/acme/",
        "/o/acme/teams/platform/",
    ]


def test_every_page_renders_for_a_member(cast, data):
    client = login(cast.member)
    for url in _pages(data):
        resp = client.get(url)
        assert resp.status_code == 200, url


def test_the_decision_page_shows_options_side_by_side_and_roles(cast, data):
    resp = login(cast.member).get(f"/o/acme/decisions/{data['decision'].pk}/")
    html = resp.text
    assert html.count('class="option"') == 2
    assert "Small merges" in html and "Long branches" in html
    assert "Leo Leader" in html and "Vic Viewer" in html and "Platform" in html
    assert "Write the guide" in html


def test_the_home_page_shows_decisions_waiting_on_me_and_overdue_items(cast, data):
    item = data["item"]
    ActionItem.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    html = login(cast.leader).get("/o/acme/").text
    assert "Decisions waiting on you" in html and "Adopt trunk-based development?" in html
    html = login(cast.member).get("/o/acme/").text
    assert "Write the guide" in html and "overdue" in html


def test_the_team_page_shows_its_open_issues_and_action_items(cast, data):
    html = login(cast.member).get("/o/acme/teams/platform/").text
    assert "Flaky tests" in html and "Write the guide" in html
    # Its decisions: waiting ones first, then the newest decided.
    done = services.create_decision(
        cast.org, cast.member, "Freeze changes in peak week?", approver=cast.leader,
        teams=[cast.platform],
    )  # fmt: skip
    services.decide(cast.org, cast.leader, done, "Yes", "Peak")
    html = login(cast.member).get("/o/acme/teams/platform/").text
    card = html.split('id="tdec-h"')[1].split("</section>")[0]
    assert card.index("Adopt trunk-based development?") < card.index("Freeze changes in peak")
    assert "Leo Leader decides" in card and "decided " in card
    assert f'href="/o/acme/decisions/?team={cast.platform.pk}"' in card


def test_a_team_with_more_open_items_than_its_panel_counts_says_so(cast, data):
    """The panel counts up to 200: past that it reads "200+", where a page of a busy team
    once failed (the count is text by then, and the numbers filter must show it)."""
    for i in range(200):
        services.create_action_item(
            cast.org, cast.member, f"Busy item {i}", cast.member, team=cast.platform
        )
    html = login(cast.member).get("/o/acme/teams/platform/").text
    assert 'aria-label="200+ open action items of Platform">200+</a>' in html


def test_an_outsider_gets_404_on_our_decisions(cast, data):
    client = login(cast.outsider)
    assert client.get(f"/o/globex/decisions/{data['decision'].pk}/").status_code == 404
    assert client.get(f"/o/globex/decisions/issues/{data['issue'].pk}/").status_code == 404
    assert "Adopt trunk" not in client.get("/o/globex/decisions/").text
    assert client.get("/o/acme/decisions/").status_code in (403, 404)


def test_a_viewer_cannot_open_the_new_decision_form(cast):
    assert login(cast.viewer).get("/o/acme/decisions/new/").status_code == 403


def test_a_decision_recorded_through_the_form_needs_only_question_outcome_and_approver(cast):
    resp = login(cast.member).post(
        "/o/acme/decisions/new/",
        {"question": "Standup at 9:30?", "outcome": "Yes", "approver": cast.leader.pk},
    )
    assert resp.status_code == 302
    d = Decision.objects.get(question="Standup at 9:30?")
    assert d.outcome == "Yes" and d.approver == cast.leader


def test_the_form_shows_a_past_decide_by_date_as_an_error_and_records_nothing(cast):
    resp = login(cast.member).post(
        "/o/acme/decisions/new/",
        {"question": "Late?", "approver": cast.leader.pk, "decide_by": "2020-01-01"},
    )
    assert resp.status_code == 200 and "in the past" in resp.text
    assert not Decision.objects.exists()


def test_a_past_decide_by_date_is_said_with_the_forms_other_errors_at_once(cast):
    """Not in a second round once the approver is chosen: both beside their fields."""
    resp = login(cast.member).post(
        "/o/acme/decisions/new/", {"question": "Late?", "decide_by": "2020-01-01"}
    )
    form = resp.context["form"]
    assert set(form.errors) == {"approver", "decide_by"}
    assert form.errors["decide_by"] == ["The date is in the past; choose today or later."]
    assert not Decision.objects.exists()


def test_the_approver_decides_from_the_page(cast, data):
    d = data["decision"]
    resp = login(cast.leader).post(
        f"/o/acme/decisions/{d.pk}/decide/", {"outcome": "Trunk", "rationale": "Speed"}
    )
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == DecisionStatus.DECIDED
    page = login(cast.leader).get(f"/o/acme/decisions/{d.pk}/").content.decode()
    assert "(within a day)" in page and "0.0 days" not in page


def test_deciding_without_an_outcome_keeps_the_rationale_typed(cast, data):
    d = data["decision"]
    response = login(cast.leader).post(
        f"/o/acme/decisions/{d.pk}/decide/", {"outcome": "", "rationale": "Small merges win"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    form = page[page.index(f'action="/o/acme/decisions/{d.pk}/decide/"') :].split("</form>")[0]
    assert "Small merges win" in form
    assert "Write what was decided, or choose an option." in form
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN


def test_someone_else_gets_403_when_deciding_from_the_page(cast, data):
    d = data["decision"]
    resp = login(cast.admin).post(f"/o/acme/decisions/{d.pk}/decide/", {"outcome": "Trunk"})
    assert resp.status_code == 403
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN


def test_a_team_member_escalates_and_solves_from_the_issue_list(cast, data):
    issue = data["issue"]
    client = login(cast.member)
    resp = client.post(f"/o/acme/decisions/issues/{issue.pk}/escalate/", {"reason": "Budget"})
    assert resp.status_code == 302
    issue.refresh_from_db()
    assert issue.team == cast.root
    # Now at Acme, where the member is not: refused.
    resp = client.post(f"/o/acme/decisions/issues/{issue.pk}/solve/", {"resolution": "Done"})
    assert resp.status_code == 403
    resp = login(cast.leader).post(
        f"/o/acme/decisions/issues/{issue.pk}/solve/", {"resolution": "Bought runners"}
    )
    assert Issue.objects.get(pk=issue.pk).status == "solved"


def test_completing_an_action_item_from_the_list(cast, data):
    item = data["item"]
    resp = login(cast.member).post(f"/o/acme/decisions/actions/{item.pk}/complete/")
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.done_at


def test_pages_do_a_bounded_number_of_queries(cast, data):
    client = login(cast.member)
    urls = [
        "/o/acme/decisions/",
        "/o/acme/decisions/actions/?team=platform",
        "/o/acme/decisions/issues/",
        "/o/acme/decisions/latency/",
    ]

    def add(numbers):
        for n in numbers:
            d = services.create_decision(
                cast.org, None, f"More {n}?", approver=cast.leader, teams=[cast.platform, cast.root]
            )
            services.decide(cast.org, None, d, outcome="Yes")
            services.create_action_item(
                cast.org,
                None,
                f"Item {n}",
                cast.member,
                team=cast.platform,
                due_on=timezone.localdate() - dt.timedelta(days=n),
            )
            i = services.raise_issue(cast.org, None, cast.platform, f"Issue {n}")
            services.escalate_issue(cast.org, None, i, "Up")

    # One of each first: a page reads no names of approvers while nothing is decided.
    add(range(1))
    before = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        before[url] = len(ctx)
    add(range(1, 15))
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) <= before[url], url


def test_someone_not_involved_sees_no_edit_controls_and_cannot_edit(cast, data):
    d = services.create_decision(cast.org, cast.admin, "Admin's own?", approver=cast.admin)
    client = login(cast.member)
    html = client.get(f"/o/acme/decisions/{d.pk}/").text
    assert "Add an option" not in html and "/edit/" not in html
    assert client.get(f"/o/acme/decisions/{d.pk}/edit/").status_code == 403
    resp = client.post(f"/o/acme/decisions/{d.pk}/options/", {"title": "Mine"})
    assert resp.status_code == 403
    assert not d.options.exists()


def test_the_decision_page_links_to_what_it_concerns(cast):
    import datetime as dt

    from accord.rhythm import services as rhythm

    issue = services.raise_issue(cast.org, None, cast.platform, "Slow deploys")
    sync = rhythm.create_cadence(
        cast.org,
        None,
        name="Weekly sync",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        time=dt.time(9),
        timezone_name="UTC",
        team=cast.platform,
        start_date=dt.date(2026, 10, 1),
    )
    meeting = rhythm.open_meeting(cast.org, None, sync, dt.datetime(2026, 10, 6, 9, tzinfo=dt.UTC))
    d = services.create_decision(
        cast.org,
        None,
        "Deploy on Fridays?",
        approver=cast.leader,
        links=[
            ("decisions.issue", issue.pk, "Slow deploys"),
            ("rhythm.meeting", meeting.pk, "Weekly sync"),
        ],
    )
    html = login(cast.member).get(f"/o/acme/decisions/{d.pk}/").text
    assert f'href="/o/acme/decisions/issues/{issue.pk}/"' in html
    assert "Weekly sync" in html and "meeting" in html


def test_an_issue_is_solved_by_a_decision_from_its_page(cast, data):
    d = services.create_decision(cast.org, None, "Quarantine flaky tests?", approver=cast.leader)
    services.decide(cast.org, None, d, outcome="Yes")
    issue = data["issue"]
    client = login(cast.member)
    assert "Quarantine flaky tests?" in client.get(f"/o/acme/decisions/issues/{issue.pk}/").text
    client.post(
        f"/o/acme/decisions/issues/{issue.pk}/solve/",
        {"resolution": "Quarantined", "decision": d.pk},
    )
    issue.refresh_from_db()
    assert issue.status == "solved" and issue.decision == d
    assert "Flaky tests" in client.get(f"/o/acme/decisions/{d.pk}/").text


def test_waiting_on_me_lists_overdue_decisions_first(cast):
    import datetime as dt

    past = timezone.now() - dt.timedelta(days=10)
    late = services.create_decision(
        cast.org,
        None,
        "Late one?",
        approver=cast.member,
        opened_at=past,
        decide_by=(past + dt.timedelta(days=2)).date(),
    )
    services.create_decision(cast.org, None, "Later one?", approver=cast.member)
    html = login(cast.member).get("/o/acme/decisions/waiting/").text
    assert html.index(late.question) < html.index("Later one?")
    assert "overdue" in html


def test_the_action_items_list_links_each_item_and_its_buttons_act_on_it(cast, data):
    item = data["item"]
    client = login(cast.member)
    html = client.get("/o/acme/decisions/actions/").content.decode()
    assert f'<a href="/o/acme/decisions/actions/{item.pk}/">Write the guide</a>' in html
    assert f'action="/o/acme/decisions/actions/{item.pk}/drop/"' in html
    done = f"/o/acme/decisions/actions/{item.pk}/complete/"
    assert f'action="{done}"' in html
    assert client.post(done, {"next": "/o/acme/decisions/actions/"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    html = client.get("/o/acme/decisions/actions/").content.decode()
    reopen = f"/o/acme/decisions/actions/{item.pk}/reopen/"
    assert f'action="{reopen}"' in html
    client.post(reopen, {"next": "/o/acme/decisions/actions/"})
    item.refresh_from_db()
    assert item.status == "open"


def test_an_action_item_handed_out_from_the_list_lands_on_the_leads_team(cast):
    """A lead adding an action item for a teammate finds the team filled in (the first
    team they lead), so the item shows on the team's list; the message says what was
    recorded for whom."""
    from accord.org import services as org_services
    from accord.org.models import MembershipRole

    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    client = login(cast.leader)
    page = client.get("/o/acme/decisions/actions/").content.decode()
    form = page[page.index('action="/o/acme/decisions/actions/new/"') :].split("</form>")[0]
    assert f'value="{cast.platform.pk}"' in form
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        "/o/acme/decisions/actions/new/",
        {"title": "Draft the handover", "owner": cast.member.pk, "team": cast.platform.pk,
         "due_on": due.isoformat()},
        follow=True,
    )  # fmt: skip
    assert "Action item recorded: “Draft the handover” for Mia Member (Platform)." in (
        response.content.decode()
    )
    item = ActionItem.objects.get(title="Draft the handover")
    assert item.team == cast.platform and item.owner == cast.member
    team_list = client.get("/o/acme/decisions/actions/?team=platform").content.decode()
    assert "Draft the handover" in team_list


def test_my_action_items_list_what_i_handed_out_to_others(cast):
    """A lead's own list shows the open items they recorded for others (not their own,
    not closed ones, not someone else's handouts); others looking at the lead's list
    do not see that card."""
    from accord.decisions.queries import HANDED_OUT_SHOWN

    soon = timezone.localdate() + dt.timedelta(days=3)
    given = services.create_action_item(
        cast.org, cast.leader, "Draft the handover", cast.member, due_on=soon
    )
    services.create_action_item(cast.org, cast.leader, "My own chore", cast.leader)
    closed = services.create_action_item(cast.org, cast.leader, "Old ask", cast.member)
    services.complete_action_item(cast.org, cast.member, closed)
    services.create_action_item(cast.org, cast.admin, "Someone else's ask", cast.member)
    page = login(cast.leader).get("/o/acme/decisions/actions/").content.decode()
    card = page[page.index('id="given-h"') :].split("</section>")[0]
    assert "Draft the handover" in card and cast.member.name in card
    assert "My own chore" not in card and "Old ask" not in card
    assert "Someone else" not in card
    assert f"/decisions/actions/{given.pk}/complete/" in card
    other = login(cast.admin).get(f"/o/acme/decisions/actions/?person={cast.leader.pk}")
    assert 'id="given-h"' not in other.content.decode()
    for n in range(HANDED_OUT_SHOWN):
        services.create_action_item(cast.org, cast.leader, f"Ask {n}", cast.member)
    page = login(cast.leader).get("/o/acme/decisions/actions/").content.decode()
    card = page[page.index('id="given-h"') :].split("</section>")[0]
    assert f"the {HANDED_OUT_SHOWN} due soonest of {HANDED_OUT_SHOWN + 1}" in card
    assert card.count("<tr>") == HANDED_OUT_SHOWN + 1  # the header and the rows


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"title": "", "due_on": ""}, "The action item was not recorded. Action: This field is"),
        (
            {"title": "Late already", "due_on": "2020-01-06"},
            "Due: The date is in the past; choose today or later.",
        ),
    ],
)
def test_a_bad_action_item_is_refused_in_words_and_nothing_is_recorded(cast, fields, said):
    before = ActionItem.objects.count()
    response = login(cast.leader).post(
        "/o/acme/decisions/actions/new/", {"owner": cast.member.pk, **fields}, follow=True
    )
    assert said in response.content.decode()
    assert ActionItem.objects.count() == before


@pytest.mark.parametrize("where", ["decision", "issue", "actions"])
def test_a_refused_action_item_comes_back_as_typed_on_the_page_it_came_from(cast, data, where):
    """The form is posted from three pages and redirects back: what was typed comes
    back in the (open) form with the error beside the date, once."""
    page = {
        "decision": f"/o/acme/decisions/{data['decision'].pk}/",
        "issue": f"/o/acme/decisions/issues/{data['issue'].pk}/",
        "actions": "/o/acme/decisions/actions/",
    }[where]
    client = login(cast.leader)
    before = ActionItem.objects.count()
    response = client.post(
        "/o/acme/decisions/actions/new/",
        {"title": "Ship the guide", "owner": cast.member.pk, "due_on": "2020-01-06",
         "team": cast.platform.pk, "next": page},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert response.request["PATH_INFO"] == page
    assert 'value="Ship the guide"' in html and 'value="2020-01-06"' in html
    assert '<details class="add" open>' in html
    assert "The date is in the past; choose today or later." in html
    assert ActionItem.objects.count() == before
    again = client.get(page).content.decode()
    assert "Ship the guide" not in again and '<details class="add" open>' not in again


def test_a_refused_action_item_is_not_carried_to_another_page(cast, data):
    client = login(cast.leader)
    client.post(
        "/o/acme/decisions/actions/new/",
        {"title": "Ship the guide", "owner": cast.member.pk, "due_on": "2020-01-06",
         "next": f"/o/acme/decisions/{data['decision'].pk}/"},
    )  # fmt: skip
    elsewhere = client.get("/o/acme/decisions/actions/").content.decode()
    assert "Ship the guide" not in elsewhere


def test_an_overdue_action_item_keeps_its_date_when_its_title_is_edited(cast):
    past = timezone.localdate() - dt.timedelta(days=10)
    item = services.create_action_item(
        cast.org, None, "Old task", cast.member, due_on=past, team=cast.platform
    )
    response = login(cast.member).post(
        f"/o/acme/decisions/actions/{item.pk}/",
        {"title": "Old task, renamed", "owner": cast.member.pk, "team": cast.platform.pk,
         "due_on": past.isoformat(), "version": item.version},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Old task, renamed" and item.due_on == past


def test_an_issue_refused_for_want_of_a_team_keeps_what_was_typed(cast):
    before = Issue.objects.count()
    response = login(cast.member).post(
        "/o/acme/decisions/issues/new/",
        {"title": "Deploys are flaky", "severity": "high", "description": "Twice a day."},
    )
    assert response.status_code == 422
    page = response.content.decode()
    form = page[page.index('action="/o/acme/decisions/issues/new/"') :].split("</form>")[0]
    assert 'value="Deploys are flaky"' in form and "Twice a day." in form
    assert 'value="high" selected' in form
    assert "This field is required." in form  # beside the team
    assert Issue.objects.count() == before


def test_a_department_says_its_issues_and_decisions_as_their_lists_do(cast, data):
    """A department's page gives the figures of the lists it links to, exactly: the top
    team of a large organization said "200+" open issues beside a list saying 4,540."""
    for i in range(201):
        services.raise_issue(cast.org, cast.member, cast.platform, f"Busy issue {i}")
    client = login(cast.member)
    page = client.get("/o/acme/teams/acme/").text
    listed = client.get("/o/acme/decisions/issues/?team=acme").text
    shown = page.split('id="tiss-h"')[1].split("</h2>")[0]
    assert "open issues at Acme and the teams below it" in shown
    figure = shown.split('class="tag"')[1].split(">")[1].split("<")[0]
    assert figure != "200+" and int(figure) > 201
    assert f"{figure} open" in listed
    decisions = page.split('id="tdec-h"')[1].split("</p>")[0]
    log = client.get(f"/o/acme/decisions/?team={cast.root.pk}&status=open").text
    opened = decisions.split("open</a>")[0].rsplit(">", 1)[1].strip()
    assert opened.isdigit() and f"{opened} open" in log
