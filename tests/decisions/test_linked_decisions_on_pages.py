"""What a decision concerns shows it on its own page: an initiative's, an objective's, a
key result's, a dependency's, a check-in's and an issue's page list the decisions linked
to it ("why did we change this? see decision X"), the latest first, five at most with how many
more, in a constant number of queries; another organization's decision never shows, and a
page with none linked shows no card at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import queries, services
from accord.decisions.models import DecisionLink
from accord.rhythm import services as rhythm_services
from tests.conftest import login
from tests.rhythm.conftest import DUE, rhythm  # noqa: F401 (fixture)

CARD = 'id="linked-decisions"'


@pytest.fixture
def initiative(cast):
    return alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Regional pricing", owner=cast.member
    )


@pytest.fixture
def objective(cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        is_current=True,
    )
    return alignment.create_objective(
        cast.org, None, title="Fair prices", period=period, team=cast.platform
    )


@pytest.fixture
def key_result(cast, objective):
    return alignment.create_key_result(cast.org, None, objective, name="Regions priced", target=5)


@pytest.fixture
def dependency(cast, initiative):
    return coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=initiative,
        provider_team=cast.root,
        title="Price feed",
        need_by=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def checkin(cast, rhythm):  # noqa: F811
    return rhythm_services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped",
        now=DUE - dt.timedelta(hours=1),
    )  # fmt: skip


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Prices differ by region")


# The fixture, the target type, and its page (seen by the check-in's author for a check-in).
KINDS = {
    "initiative": ("alignment.initiative", lambda t: f"/o/acme/alignment/initiatives/{t.pk}/"),
    "objective": ("alignment.objective", lambda t: f"/o/acme/alignment/objectives/{t.pk}/"),
    "key_result": ("alignment.keyresult", lambda t: f"/o/acme/alignment/key-results/{t.pk}/"),
    "dependency": ("coordination.dependency", lambda t: f"/o/acme/coordination/d/{t.pk}/"),
    "checkin": (
        "rhythm.checkin",
        lambda t: f"/o/acme/rhythm/cadences/{t.cadence_id}/20261106T150000Z/checkin/",
    ),
    "issue": ("decisions.issue", lambda t: f"/o/acme/decisions/issues/{t.pk}/"),
}


def decide_about(cast, target_type: str, target_id: int, question: str, outcome: str = ""):
    d = services.create_decision(
        cast.org, cast.leader, question, cast.leader, links=[(target_type, target_id, "")]
    )
    return services.decide(cast.org, cast.leader, d, outcome) if outcome else d


def card(html: str) -> str:
    section = html[html.index(CARD) :]
    return section[: section.index("</section>")]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_page_shows_the_decisions_taken_about_it_and_no_other_organizations(
    cast, kind, request
):
    target_type, address = KINDS[kind]
    target = request.getfixturevalue(kind)
    client = login(cast.member)
    before = client.get(address(target))
    assert before.status_code == 200
    assert CARD not in before.content.decode()  # none linked: no empty card

    ours = decide_about(cast, target_type, target.pk, "Price by region?", "Yes, from Q1.")
    # Another organization's decision, with a stray link to the same id: never shown.
    theirs = services.create_decision(cast.other_org, cast.outsider, "Globex secret", cast.outsider)
    DecisionLink.objects.create(
        org=cast.other_org, decision=theirs, target_type=target_type, target_id=target.pk
    )
    # A link of this organization's to another's decision would not show either.
    stray = services.create_decision(cast.other_org, cast.outsider, "Globex plan", cast.outsider)
    DecisionLink.objects.create(
        org=cast.org, decision=stray, target_type=target_type, target_id=target.pk
    )

    html = client.get(address(target)).content.decode()
    shown = card(html)
    assert f'<a href="/o/acme/decisions/{ours.pk}/">Price by region?</a>' in shown
    assert "Decided" in shown and "Yes, from Q1." in shown
    assert "Globex secret" not in html and "Globex plan" not in html


def test_five_newest_are_listed_with_how_many_more(cast, initiative):
    made = [
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n}")
        for n in range(1, 8)
    ]
    shown = card(
        login(cast.member).get(f"/o/acme/alignment/initiatives/{initiative.pk}/").content.decode()
    )
    for d in made[2:]:
        assert f">{d.question}</a>" in shown
    for d in made[:2]:
        assert f">{d.question}</a>" not in shown
    assert shown.index("Question 7") < shown.index("Question 3")  # newest first
    assert "See all 7 decisions about it" in shown


def test_the_helper_reads_them_in_one_query_or_two_when_there_are_more(
    cast, initiative, django_assert_num_queries
):
    for n in range(3):
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n}")
    with django_assert_num_queries(1):
        found = queries.linked_decisions(cast.org, "alignment.initiative", initiative.pk)
        assert [d.question for d in found.decisions] == ["Question 2", "Question 1", "Question 0"]
    assert (found.count, found.more) == (3, 0)
    for n in range(3, 9):
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n}")
    with django_assert_num_queries(2):
        found = queries.linked_decisions(cast.org, "alignment.initiative", initiative.pk)
        assert len(found.decisions) == 5
    assert (found.count, found.more) == (9, 4)


def test_the_latest_decided_or_opened_comes_first(cast, issue):
    older = decide_about(cast, "decisions.issue", issue.pk, "Opened first")
    decide_about(cast, "decisions.issue", issue.pk, "Opened second")
    services.decide(cast.org, cast.leader, older, "Settled now.")
    found = queries.linked_decisions(cast.org, "decisions.issue", issue.pk)
    assert [d.question for d in found.decisions] == ["Opened first", "Opened second"]


def queries_for(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("kind", ["initiative", "dependency", "issue"])
def test_the_card_costs_the_same_few_queries_however_many_decisions(cast, kind, request):
    target_type, address = KINDS[kind]
    target = request.getfixturevalue(kind)
    client = login(cast.member)
    client.get(address(target))  # the first request of a session does some one-off work
    none, _ = queries_for(client, address(target))
    for n in range(6):
        decide_about(cast, target_type, target.pk, f"Question {n}", outcome=f"Outcome {n}")
    six, _ = queries_for(client, address(target))
    for n in range(6, 20):
        decide_about(cast, target_type, target.pk, f"Question {n}", outcome=f"Outcome {n}")
    many, html = queries_for(client, address(target))
    assert "Outcome 19" in card(html) and "See all 20 decisions about it" in card(html)
    assert six == many  # not one more per decision
    assert six - none <= 1  # the card's count, beside the read every page makes
