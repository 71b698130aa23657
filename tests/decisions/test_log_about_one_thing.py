"""The decision log cut to one thing (`?about=app.model:id`), where a thing's Decisions card
leads once it lists fewer than there are: only the decisions linked to it, the thing named
and linked, combined with the other filters and kept by the pager; a value not understood
or naming nothing of this organization leaves the log whole and says so. The API's
`linked_type` + `linked_id` do the same for `GET /api/v1/decisions`."""

from __future__ import annotations

import re

import pytest

from accord.alignment import services as alignment
from accord.decisions import services
from accord.decisions.models import DecisionLink
from tests.conftest import api_client, login

LOG = "/o/acme/decisions/"


@pytest.fixture
def initiative(cast):
    return alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Regional pricing", owner=cast.member
    )


@pytest.fixture
def theirs(cast):
    """Another organization's initiative and a decision about it."""
    thing = alignment.create_initiative(
        cast.other_org, None, team=cast.other_team, title="Globex merger", owner=cast.outsider
    )
    services.create_decision(
        cast.other_org,
        cast.outsider,
        "Globex secret",
        cast.outsider,
        links=[("alignment.initiative", thing.pk, "")],
    )
    return thing


def decide_about(cast, target_type: str, target_id: int, question: str, outcome: str = ""):
    d = services.create_decision(
        cast.org, cast.leader, question, cast.leader, links=[(target_type, target_id, "")]
    )
    return services.decide(cast.org, cast.leader, d, outcome) if outcome else d


def about(initiative) -> str:
    return f"about=alignment.initiative:{initiative.pk}"


def test_the_log_about_one_thing_lists_only_its_decisions_and_names_it(cast, initiative):
    decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?", "Yes")
    decide_about(cast, "alignment.initiative", initiative.pk, "Which regions first?")
    services.create_decision(cast.org, cast.leader, "Unrelated hosting plan", cast.leader)

    page = login(cast.member).get(f"{LOG}?{about(initiative)}").content.decode()
    assert "Price by region?" in page and "Which regions first?" in page
    assert "Unrelated hosting plan" not in page
    lead = re.search(r'<p class="lead" id="log-about">.*?</p>', page).group(0)
    assert "the initiative" in lead
    assert f'<a href="/o/acme/alignment/initiatives/{initiative.pk}/">Regional pricing</a>' in lead
    assert 'href="?">Remove this filter</a>' in lead
    assert "<title>Decisions about Regional pricing" in page
    # Filtering again from the page keeps it.
    assert (
        f'<input type="hidden" name="about" value="alignment.initiative:{initiative.pk}">' in page
    )


def test_it_combines_with_the_other_filters(cast, initiative):
    decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?", "Yes")
    decide_about(cast, "alignment.initiative", initiative.pk, "Which regions first?")
    services.decide(
        cast.org,
        cast.leader,
        services.create_decision(cast.org, cast.leader, "Unrelated decided", cast.leader),
        "Done",
    )
    page = login(cast.member).get(f"{LOG}?status=decided&{about(initiative)}").content.decode()
    assert "Price by region?" in page
    assert "Which regions first?" not in page and "Unrelated decided" not in page
    assert 'href="?status=decided">Remove this filter</a>' in page


@pytest.mark.parametrize(
    "value, said",
    [
        ("nonsense", "is not a kind and an id"),
        ("alignment.initiative:", "is not a kind and an id"),
        ("alignment.initiative:abc", "is not a kind and an id"),
        ("alignment.initiative:99999999999999999999999", "is not a kind and an id"),
        ("org.person:1", "decisions are not linked to “org.person”"),
        ("alignment.initiative:987654", "Acme has no alignment.initiative 987654"),
    ],
)
def test_a_value_not_understood_leaves_the_log_whole_and_says_so(cast, initiative, value, said):
    decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?")
    services.create_decision(cast.org, cast.leader, "Unrelated hosting plan", cast.leader)
    response = login(cast.member).get(LOG, {"about": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Left out of the filter, not understood: about (" in page
    assert said in page
    assert "Price by region?" in page and "Unrelated hosting plan" in page
    assert 'id="log-about"' not in page and 'name="about"' not in page


def test_another_organizations_thing_shows_nothing_of_theirs(cast, initiative, theirs):
    decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?")
    client = login(cast.member)
    page = client.get(f"{LOG}?about=alignment.initiative:{theirs.pk}").content.decode()
    assert f"Acme has no alignment.initiative {theirs.pk}" in page
    assert "Globex merger" not in page and "Globex secret" not in page
    assert 'id="log-about"' not in page
    # Nor does a stray link of ours to their id make their thing ours to name.
    DecisionLink.objects.create(
        org=cast.org,
        decision=services.create_decision(cast.org, cast.leader, "Stray", cast.leader),
        target_type="alignment.initiative",
        target_id=theirs.pk,
    )
    page = client.get(f"{LOG}?about=alignment.initiative:{theirs.pk}").content.decode()
    assert "Globex merger" not in page and 'id="log-about"' not in page


def test_the_pager_keeps_the_filter(cast, initiative):
    for n in range(32):
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n:02}")
    services.create_decision(cast.org, cast.leader, "Unrelated hosting plan", cast.leader)
    client = login(cast.member)
    first = client.get(f"{LOG}?{about(initiative)}").content.decode()
    older = re.search(r'<a href="\?([^"]*)">Older →</a>', first).group(1).replace("&amp;", "&")
    assert f"about=alignment.initiative%3A{initiative.pk}" in older and "page=2" in older
    second = client.get(f"{LOG}?{older}").content.decode()
    assert "Unrelated hosting plan" not in second
    assert second.count('href="/o/acme/decisions/') >= 2 and 'id="log-about"' in second
    shown = set(re.findall(r">(Question \d\d)</a>", first + second))
    assert shown == {f"Question {n:02}" for n in range(32)}


def test_the_card_links_to_all_of_them_only_when_it_lists_fewer(cast, initiative):
    client = login(cast.member)
    address = f"/o/acme/alignment/initiatives/{initiative.pk}/"
    for n in range(5):
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n}")
    page = client.get(address).content.decode()
    assert 'id="linked-decisions"' in page and "?about=" not in page  # all five listed
    for n in range(5, 7):
        decide_about(cast, "alignment.initiative", initiative.pk, f"Question {n}")
    services.create_decision(cast.org, cast.leader, "Unrelated hosting plan", cast.leader)
    page = client.get(address).content.decode()
    href = f"/o/acme/decisions/?about=alignment.initiative%3A{initiative.pk}"
    assert f'<a href="{href}">See all 7 decisions about it</a>' in page
    log = client.get(href).content.decode()
    assert all(f">Question {n}</a>" in log for n in range(7))
    assert "Unrelated hosting plan" not in log


def test_the_api_lists_the_decisions_about_one_thing(cast, initiative, theirs):
    ours = decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?")
    services.create_decision(cast.org, cast.leader, "Unrelated hosting plan", cast.leader)
    client = api_client(cast.member)
    url = f"/api/v1/decisions?linked_type=alignment.initiative&linked_id={initiative.pk}"
    found = client.get(url).json()
    assert [d["id"] for d in found["items"]] == [ours.pk] and found["count"] == 1
    both = client.get(url + "&q=hosting").json()
    assert both["items"] == []


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("linked_type=alignment.initiative", 422, "linked_id"),
        ("linked_id=1", 422, "linked_type"),
        ("linked_type=org.person&linked_id=1", 422, "linked_type"),
        ("linked_type=alignment.initiative&linked_id=987654", 404, "linked_id"),
    ],
)
def test_the_api_refuses_half_or_unknown_things(cast, query, status, field):
    response = api_client(cast.member).get(f"/api/v1/decisions?{query}")
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert field in error["fields"] and error["message"]


def test_the_api_names_nothing_of_another_organization(cast, theirs):
    response = api_client(cast.member).get(
        f"/api/v1/decisions?linked_type=alignment.initiative&linked_id={theirs.pk}"
    )
    assert response.status_code == 404
    assert "Globex" not in response.content.decode()


def test_the_figures_are_those_of_its_decisions_and_keep_the_filter(cast, initiative):
    decide_about(cast, "alignment.initiative", initiative.pk, "Price by region?", "Yes")
    decide_about(cast, "alignment.initiative", initiative.pk, "Which regions first?")
    for n in range(3):
        services.create_decision(cast.org, cast.leader, f"Unrelated {n}", cast.leader)
    page = login(cast.member).get(f"{LOG}?{about(initiative)}").content.decode()
    kept = f"about=alignment.initiative%3A{initiative.pk}"
    assert f'<a href="?{kept}&amp;status=open">1 open</a>' in page
    assert f'<a href="?{kept}&amp;status=decided">1 decided</a>' in page
