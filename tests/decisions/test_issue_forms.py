"""The issues list shows Solve and Escalate as buttons; a form is fetched when its button
is opened, so fifty issues cost no more than the issues themselves."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from accord.decisions import services
from accord.decisions.models import Issue
from tests.conftest import login

HX = {"HX-Request": "true"}
LIST = "/o/acme/decisions/issues/?team=platform"


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")


def _fetch(html: str, issue, action: str) -> str:
    found = re.search(rf'hx-get="(/o/acme/decisions/issues/{issue.pk}/{action}/[^"]*)"', html)
    return htmllib.unescape(found.group(1))


def test_the_list_renders_buttons_and_no_forms(cast, issue):
    html = login(cast.member).get(LIST).content.decode()
    assert "<textarea" not in html.split('id="raise-h"')[0]  # the list's part of the page
    assert "Escalate to Acme" in html and ">Solve<" in html
    # Without scripts, each button leads to the issue's page and its forms.
    assert f'href="/o/acme/decisions/issues/{issue.pk}/">Solve it on the issue' in html


def test_an_opened_button_fetches_its_form_which_returns_to_the_list(cast, issue):
    client = login(cast.member)
    html = client.get(LIST).content.decode()
    part = client.get(_fetch(html, issue, "escalate"), headers=HX).content.decode()
    assert part.startswith("<form") and "<html" not in part
    assert f'action="/o/acme/decisions/issues/{issue.pk}/escalate/"' in part
    assert "Why can Platform not solve it?" in part
    assert '<input type="hidden" name="next" value="/o/acme/decisions/issues/?team=platform">' in (
        part
    )
    solve = client.get(_fetch(html, issue, "solve"), headers=HX).content.decode()
    assert 'name="resolution"' in solve and "Mark solved" in solve

    r = client.post(
        f"/o/acme/decisions/issues/{issue.pk}/solve/",
        {"resolution": "Quarantined them", "next": "/o/acme/decisions/issues/?team=platform"},
    )
    assert r.status_code == 302 and r["Location"] == "/o/acme/decisions/issues/?team=platform"
    assert Issue.objects.get(pk=issue.pk).status == "solved"


def test_a_form_for_someone_who_may_not_act_or_a_closed_issue_says_why(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/solve/"
    part = login(cast.viewer).get(url, headers=HX).content.decode()
    assert "<form" not in part and "This is not yours to solve" in part
    services.solve_issue(cast.org, cast.member, issue, "Quarantined them")
    part = login(cast.member).get(url, headers=HX).content.decode()
    assert "<form" not in part and "It is solved now." in part
    top = services.raise_issue(cast.org, cast.leader, cast.root, "Hiring freeze")
    part = (
        login(cast.leader)
        .get(f"/o/acme/decisions/issues/{top.pk}/escalate/", headers=HX)
        .content.decode()
    )
    assert "<form" not in part and "Acme is the top of the tree" in part


def test_the_form_address_opened_directly_leads_to_the_issue(cast, issue):
    r = login(cast.member).get(f"/o/acme/decisions/issues/{issue.pk}/escalate/")
    assert r.status_code == 302 and r["Location"] == f"/o/acme/decisions/issues/{issue.pk}/"


def test_a_fetched_form_returns_only_within_the_organization(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/solve/?next=https://elsewhere.example/"
    part = login(cast.member).get(url, headers=HX).content.decode()
    assert "<form" in part and 'name="next"' not in part


def test_a_teams_member_edits_an_issue_on_its_page(cast, issue):
    """Title, severity, description, owner and rank change from the issue's page, each
    recorded as its own change; no meeting needed."""
    from accord.activity.models import Event

    url = f"/o/acme/decisions/issues/{issue.pk}/"
    client = login(cast.member)
    page = client.get(url).content.decode()
    assert f'action="{url}edit/"' in page and 'value="Flaky tests"' in page
    response = client.post(
        url + "edit/",
        {
            "title": "Flaky integration tests",
            "severity": "high",
            "description": "Three a day fail for no reason.",
            "owner": cast.leader.pk,
            "rank": "2",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    issue.refresh_from_db()
    assert (issue.title, issue.severity, issue.owner, issue.rank) == (
        "Flaky integration tests",
        "high",
        cast.leader,
        2,
    )
    verbs = set(Event.objects.filter(target_id=str(issue.pk)).values_list("verb", flat=True))
    assert {"updated", "assigned", "ranked"} <= verbs


def test_a_refused_issue_edit_comes_back_as_typed_and_changes_nothing(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    response = login(cast.member).post(
        url + "edit/",
        {"title": "Renamed", "severity": "high", "description": "", "owner": "", "rank": "0"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Renamed"' in page and "greater than or equal to 1" in page
    assert '<details class="add" open><summary>Edit</summary>' in page
    # Shown from the Edit address, the page's forms come back to the issue's own page.
    assert f'data-page-path="{url}"' in page
    assert f'name="next" value="{url}edit/"' not in page
    assert page.count(f'name="next" value="{url}"') >= 3  # solve, drop, action item
    issue.refresh_from_db()
    assert (issue.title, issue.severity, issue.rank) == ("Flaky tests", "medium", None)


def test_someone_outside_the_team_may_not_edit_it(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    assert 'edit/"' not in login(cast.viewer).get(url).content.decode()
    response = login(cast.viewer).post(
        url + "edit/", {"title": "Mine", "severity": "low", "description": "", "rank": ""}
    )
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Flaky tests"


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "x" * 301},
        {"title": "Nul\x00here"},
        {"severity": "apocalyptic"},
        {"rank": "-1"},
        {"rank": "100000"},
        {"rank": "first"},
        {"owner": "999999"},
    ],
)
def test_hostile_issue_edits_are_refused_and_change_nothing(cast, issue, change):
    from accord.activity.models import Event

    before = Event.objects.count()
    data = {
        "title": "Flaky tests",
        "severity": "medium",
        "description": "",
        "owner": "",
        "rank": "",
    }
    response = login(cast.member).post(f"/o/acme/decisions/issues/{issue.pk}/edit/", data | change)
    assert response.status_code == 422
    issue.refresh_from_db()
    assert (issue.title, issue.severity, issue.owner, issue.rank) == (
        "Flaky tests",
        "medium",
        None,
        None,
    )
    assert Event.objects.count() == before


def test_another_organizations_person_is_no_owner(cast, issue):
    response = login(cast.member).post(
        f"/o/acme/decisions/issues/{issue.pk}/edit/",
        {"title": "Flaky tests", "severity": "medium", "owner": cast.outsider.pk, "rank": ""},
    )
    assert response.status_code == 422
    issue.refresh_from_db()
    assert issue.owner is None


@pytest.mark.parametrize(
    ("action", "field", "summary"),
    [
        ("escalate", "reason", "Escalate to Acme"),
        ("drop", "reason", "Drop"),
        ("solve", "resolution", "Solve"),
    ],
)
def test_a_refused_escalate_drop_or_solve_keeps_what_was_typed(cast, issue, action, field, summary):
    typed = "Because " + "x" * 2500 if action != "solve" else "Fixed " + "y" * 5100
    answer = login(cast.member).post(
        f"/o/acme/decisions/issues/{issue.pk}/{action}/",
        {field: typed, "next": f"/o/acme/decisions/issues/{issue.pk}/"},
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert typed in page  # the textarea keeps it
    assert f'<details class="add" open><summary>{summary}</summary>' in page
    assert "is too long" in page and "data-field-error" in page
    assert Issue.objects.get(pk=issue.pk).status == "open"
    assert Issue.objects.get(pk=issue.pk).team == cast.platform


def test_an_empty_reason_is_said_beside_its_field(cast, issue):
    answer = login(cast.member).post(f"/o/acme/decisions/issues/{issue.pk}/drop/", {"reason": ""})
    page = answer.content.decode()
    assert answer.status_code == 422 and "Say why it is dropped" in page
    assert '<details class="add" open><summary>Drop</summary>' in page
    assert "data-field-error" in page
