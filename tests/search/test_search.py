"""Find anything: ranking, tenancy, roles, bad input and an index the database keeps current."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.org import services
from accord.org.models import Person, Team
from accord.search import queries
from accord.search.models import Document
from tests.conftest import login

URL = "/o/acme/search/"


def find(person, q, **kwargs) -> list[tuple[str, str]]:
    return [(h.kind, h.title) for h in queries.search(person.org, person, q, **kwargs)]


def quick(client, q, **params):
    return client.get(URL, {"q": q, **params}, headers={"HX-Request": "true"})


@pytest.fixture
def period(cast):
    return alignment.create_period(
        cast.org, None, name="2026 Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )


def test_it_finds_every_kind_by_a_prefix_of_its_words(cast, period):
    objective = alignment.create_objective(
        cast.org, None, title="Launch the zephyr checkout", period=period, team=cast.platform
    )
    alignment.create_key_result(
        cast.org, None, objective, name="Zephyr conversion above 3%", target=3
    )
    decisions.create_decision(cast.org, None, "Do we build zephyr ourselves?", cast.leader)
    services.create_team(cast.org, None, name="Zephyr Squad", parent=cast.root)
    decisions.create_action_item(cast.org, None, "Write the zephyr runbook", cast.member)
    kinds = {kind for kind, _ in find(cast.member, "zeph", limit=50)}
    assert kinds == {"team", "objective", "key_result", "decision", "action_item"}
    assert find(cast.member, "zephyr squad") == [("team", "Zephyr Squad")]


def test_a_match_in_the_title_ranks_above_one_in_the_body(cast):
    services.create_team(
        cast.org, None, name="Billing", parent=cast.root, description="Owns the quasar ledger"
    )
    services.create_team(cast.org, None, name="Quasar", parent=cast.root)
    assert find(cast.member, "quasar") == [("team", "Quasar"), ("team", "Billing")]


def test_a_shorter_title_ranks_first_among_equal_matches(cast):
    services.create_team(cast.org, None, name="Nova tooling and release", parent=cast.root)
    services.create_team(cast.org, None, name="Nova", parent=cast.root)
    assert find(cast.member, "nova")[0] == ("team", "Nova")


def test_the_index_follows_create_rename_and_delete(cast):
    team = services.create_team(cast.org, None, name="Orion", parent=cast.root)
    assert find(cast.member, "orion") == [("team", "Orion")]
    services.update_team(cast.org, None, team, name="Pegasus")
    assert find(cast.member, "orion") == []
    assert find(cast.member, "pegasus") == [("team", "Pegasus")]
    services.delete_team(cast.org, None, team)
    assert find(cast.member, "pegasus") == []
    assert not Document.objects.filter(object_id=team.pk, kind=1).exists()


def test_the_index_follows_bulk_writes_that_bypass_the_services(cast):
    Team.objects.bulk_create([Team(org=cast.org, name="Vega Ops", slug="vega-ops")])
    assert find(cast.member, "vega") == [("team", "Vega Ops")]
    Team.objects.filter(slug="vega-ops").update(name="Lyra Ops")
    assert find(cast.member, "lyra") == [("team", "Lyra Ops")]
    Team.objects.filter(slug="vega-ops").delete()
    assert find(cast.member, "lyra") == []


def test_it_never_finds_another_organizations_things(cast):
    services.create_team(cast.other_org, None, name="Secret Acme Plans", slug="secret")
    assert find(cast.member, "secret") == []
    assert find(cast.member, "otto") == []
    body = quick(login(cast.member), "globex").content.decode()
    assert "Globex" not in body
    # …and the other organization's people find only their own.
    assert find(cast.outsider, "platform") == []
    assert find(cast.outsider, "labs") == [("team", "Globex Labs")]


def test_an_outsider_cannot_search_an_organization(cast, client):
    assert login(cast.outsider).get(URL, {"q": "platform"}).status_code == 404
    response = client.get(URL, {"q": "platform"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deactivated_people_are_found_by_admins_only(cast):
    services.update_person(cast.org, cast.admin, cast.leader, is_active=False)
    assert find(cast.member, "leo") == []
    assert find(cast.viewer, "leo") == []
    hits = queries.search(cast.org, cast.admin, "leo")
    assert [(h.kind, h.title) for h in hits] == [("person", "Leo Leader")]
    assert "deactivated" in hits[0].detail
    services.update_person(cast.org, cast.admin, cast.leader, is_active=True)
    assert find(cast.member, "leo") == [("person", "Leo Leader")]


def test_a_person_is_found_first_by_an_extra_address_or_a_handle(cast):
    services.update_person(
        cast.org, None, cast.member, emails=["mia@home.example"], handles=["slack:kestrel"]
    )
    services.update_person(cast.other_org, None, cast.outsider, handles=["slack:falcon"])
    services.create_team(cast.org, None, name="Kestrel", parent=cast.root)
    for q in ("mia@home.example", "@kestrel", "slack:Kestrel"):
        assert find(cast.viewer, q)[:1] == [("person", "Mia Member")], q
    assert find(cast.viewer, "kestrel") == [("person", "Mia Member"), ("team", "Kestrel")]
    assert find(cast.viewer, "kestrel", kind="team") == [("team", "Kestrel")]
    assert find(cast.viewer, "github:kestrel") == []
    assert find(cast.viewer, "falcon") == []  # another organization's handle
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    assert find(cast.viewer, "@kestrel") == [("team", "Kestrel")]  # who left: for admins
    assert find(cast.admin, "@kestrel")[0] == ("person", "Mia Member")


def test_a_viewer_may_search(cast):
    response = quick(login(cast.viewer), "plat")
    assert response.status_code == 200
    assert "Platform" in response.content.decode()


BAD_QUERIES = [
    "",
    "   ",
    '"',
    '"plat',
    "plat*",
    "*",
    "NEAR(plat acme)",
    "plat NEAR acme",
    "-plat",
    "plat -acme",
    "plat OR acme",
    "AND",
    "title:plat",
    "{title body}: plat",
    "(plat",
    "^plat",
    "plat & !acme | x:*",
    "' OR 1=1 --",
    "%_\\",
    "\x00",
    "ü ß 東京",
    "a" * 200,
    "plat " * 40,
]


def test_no_query_text_makes_it_fail(cast):
    client = login(cast.member)
    for q in BAD_QUERIES:
        assert quick(client, q).status_code == 200, q
        assert client.get(URL, {"q": q}).status_code == 200, q
        queries.search(cast.org, cast.admin, q, limit=50)  # every kind, people who left too


def test_syntax_characters_are_plain_separators(cast):
    for q in ['"plat"', "plat*", "-plat", "(plat)", "plat:", "^plat", "{plat}"]:
        assert find(cast.member, q) == [("team", "Platform")], q


def test_a_huge_query_gets_a_clear_error(cast):
    client = login(cast.member)
    response = client.get(URL, {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    assert "at most 200 characters" in quick(client, "x" * 201).content.decode()


def test_an_unknown_kind_gets_a_clear_error(cast):
    response = login(cast.member).get(URL, {"q": "plat", "kind": "secrets"})
    assert response.status_code == 400
    assert "nothing of that kind" in response.content.decode()


def test_the_page_filters_by_kind(cast):
    client = login(cast.member)
    page = client.get(URL, {"q": "acme", "kind": "team"}).content.decode()
    assert "/o/acme/teams/acme/" in page
    people = client.get(URL, {"q": "ada", "kind": "person"}).content.decode()
    assert f"/o/acme/people/{cast.admin.pk}/" in people
    assert "/o/acme/teams/" not in people.split("<main")[1]


def test_quick_answers_are_short_and_link_to_every_result(cast):
    Person.objects.bulk_create(
        [Person(org=cast.org, name=f"Zed {i:02d}") for i in range(queries.QUICK_LIMIT + 5)]
    )
    body = quick(login(cast.member), "zed").content.decode()
    assert body.count('role="option"') == queries.QUICK_LIMIT
    assert "All results for" in body
    page = login(cast.member).get(URL, {"q": "zed"}).content.decode()
    assert page.count("/o/acme/people/") >= queries.QUICK_LIMIT + 5


def test_the_palette_offers_pages_by_name(cast):
    body = quick(login(cast.member), "peo").content.decode()
    assert "Go to" in body and 'data-href="/o/acme/people/"' in body


def test_every_kind_links_to_its_page(cast, period):
    objective = alignment.create_objective(
        cast.org, None, title="Kestrel objective", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(cast.org, None, objective, name="Kestrel result", target=1)
    decision = decisions.create_decision(cast.org, None, "Kestrel question?", cast.leader)
    item = decisions.create_action_item(
        cast.org, None, "Kestrel follow-up", cast.member, team=cast.platform
    )
    client = login(cast.member)
    for hit in queries.search(cast.org, cast.member, "kestrel", limit=50):
        assert client.get(hit.url.split("#")[0]).status_code == 200, hit
    urls = {h.url for h in queries.search(cast.org, cast.member, "kestrel", limit=50)}
    assert f"/o/acme/alignment/key-results/{kr.pk}/" in urls
    assert f"/o/acme/decisions/{decision.pk}/" in urls
    assert f"/o/acme/decisions/actions/{item.pk}/" in urls
    found = queries.search(cast.org, cast.member, "kestrel follow", kind="action_item")
    assert [(h.kind_label, h.detail) for h in found] == [
        ("Action item", "Mia Member · Platform · open")
    ]


def test_a_search_costs_a_bounded_number_of_queries(cast, period, django_assert_max_num_queries):
    for i in range(5):
        alignment.create_objective(
            cast.org, None, title=f"Falcon {i}", period=period, team=cast.platform
        )
        services.create_team(cast.org, None, name=f"Falcon team {i}", parent=cast.root)
    client = login(cast.member)
    client.get(URL, {"q": "warm the session up"})
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "falcon"})
    assert response.content.decode().count("Falcon") >= 10


def test_the_index_is_the_databases_own(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_document'")
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_document' "
                "AND indexdef ILIKE '%%gin%%'"
            )
            assert "vector" in cursor.fetchone()[0]


def test_the_api_finds_within_the_tokens_organization(cast):
    from tests.conftest import api_client

    services.create_team(cast.other_org, None, name="Platform Elsewhere", slug="elsewhere")
    client = api_client(cast.member)
    response = client.get("/api/v1/search", {"q": "plat"})
    assert response.status_code == 200
    assert [(h["kind"], h["title"]) for h in response.json()] == [("team", "Platform")]
    assert response.json()[0]["url"] == "/o/acme/teams/platform/"
    assert client.get("/api/v1/search", {"q": '"NEAR -*'}).json() == []
    assert client.get("/api/v1/search", {"q": "x" * 201}).status_code in (400, 422)
    assert client.get("/api/v1/search", {"q": "plat", "kind": "secret"}).status_code in (
        400,
        422,
    )


def test_a_meeting_is_found_by_its_cadences_name_even_when_written_first(cast):
    from django.db import transaction

    from accord.rhythm.models import Cadence, Meeting

    rule = {"rrule": "FREQ=WEEKLY", "start_date": dt.date(2026, 1, 5), "time": dt.time(9)}
    cadence = Cadence.objects.create(org=cast.org, name="Heron weekly sync", **rule)
    when = dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC)
    Meeting.objects.create(
        org=cast.org, cadence=cadence, occurrence_start=when, scheduled_start=when
    )
    assert ("meeting", "Heron weekly sync") in find(cast.member, "heron sync")
    (hit,) = queries.search(cast.org, cast.member, "heron sync", kind="meeting")
    assert hit.detail.startswith("Mon 12 Jan 2026 · ")  # the product's one way to write a day
    Cadence.objects.filter(pk=cadence.pk).update(name="Heron planning")
    assert find(cast.member, "heron sync") == []
    assert ("meeting", "Heron planning") in find(cast.member, "heron planning")
    # A bulk writer may insert meetings before their cadence (foreign keys are deferred).
    with transaction.atomic():
        later_id = cadence.pk + 1000
        Meeting.objects.create(
            org=cast.org, cadence_id=later_id, occurrence_start=when, scheduled_start=when
        )
        Cadence.objects.create(pk=later_id, org=cast.org, name="Egret review", **rule)
    assert ("meeting", "Egret review") in find(cast.member, "egret")


def test_a_decision_hit_says_its_teams_its_day_and_its_approver(cast, client):
    """Two decisions of nearly the same question are told apart without opening either: as
    the decision log does, by status and day, teams and approver (page and type-ahead)."""
    data = services.create_team(cast.org, None, name="Data", parent=cast.root)
    ops = services.create_team(cast.org, None, name="Ops", parent=cast.root)
    opened = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
    old = decisions.create_decision(
        cast.org, None, "Do we move the ospreys to ARM?", cast.leader,
        teams=[cast.platform, data, ops], opened_at=opened,
    )  # fmt: skip
    decisions.decide(
        cast.org, None, old, "Yes", "Cheaper", decided_at=opened + dt.timedelta(days=3)
    )
    decisions.create_decision(
        cast.org, None, "Do we move the ospreys to ARM, release builds too?", cast.admin,
        teams=[data], opened_at=opened + dt.timedelta(days=40),
    )  # fmt: skip
    assert [h.detail for h in queries.search(cast.org, cast.member, "ospreys")] == [
        "Decided 8 Oct 2026 · Data, Ops and 1 more · approver Leo Leader",
        "Open, opened 14 Nov 2026 · Data · approver Ada Admin",
    ]
    member = login(cast.member)
    page = member.get(URL, {"q": "ospreys"}).content.decode()
    assert "Decided 8 Oct 2026 · Data, Ops and 1 more · approver Leo Leader" in page
    assert "Open, opened 14 Nov 2026 · Data · approver Ada Admin" in quick(member, "osprey").text


def test_decision_hits_cost_one_query_however_many(cast):
    from django.test.utils import CaptureQueriesContext

    def asked() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as ctx:
            hits = queries.search(cast.org, cast.member, "pelican", limit=50)
        return len(ctx.captured_queries), hits

    decisions.create_decision(cast.org, None, "Pelican question?", cast.leader)
    one, _ = asked()
    for n in range(6):
        decisions.create_decision(
            cast.org, None, f"Pelican question {n}?", cast.leader, teams=[cast.platform]
        )
    many, hits = asked()
    assert many == one  # the decisions with their teams and approver: one query
    assert len(hits) == 7 and sum("Platform · approver Leo Leader" in h.detail for h in hits) == 6


def test_a_british_or_american_spelling_finds_the_other(cast):
    decisions.create_decision(
        cast.org, None, "Which message queue do we standardise on?", cast.leader
    )
    decisions.create_decision(cast.org, None, "Pick the colour of the status page", cast.leader)
    decisions.create_decision(cast.org, None, "How do we analyze churn?", cast.leader)
    assert find(cast.member, "standardize queue") == [
        ("decision", "Which message queue do we standardise on?")
    ]
    assert find(cast.member, "standardise queue") == find(cast.member, "standardize queue")
    assert find(cast.member, "color") == [("decision", "Pick the colour of the status page")]
    assert find(cast.member, "analyse churn") == [("decision", "How do we analyze churn?")]
    # Only the endings that differ: short words keep theirs.
    assert queries.variants("organisation") == ["organisation", "organization"]
    assert queries.variants("behaviours") == ["behaviours", "behaviors"]
    assert [queries.variants(w) for w in ("four", "hour", "size", "rise", "analysis")] == [
        ["four"], ["hour"], ["size"], ["rise"], ["analysis"],
    ]  # fmt: skip
