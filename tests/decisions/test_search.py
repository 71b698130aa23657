"""Full-text search over decisions: words in question, context, outcome and rationale.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import pytest

from accord.decisions import queries, services


@pytest.fixture
def log(cast):
    def make(question, **kw):
        return services.create_decision(cast.org, None, question, approver=cast.leader, **kw)

    return {
        "question": make("Should we adopt Kubernetes for the storefront?"),
        "context": make("Hosting plan", context="The datacenter lease ends in March."),
        "rationale": make("Pricing page", rationale="Customers asked for transparent pricing."),
        "outcome": make("Support tier", outcome="We offer premium support on weekends."),
        "other": make("Office plants", context="Ferns or cacti."),
    }


def _found(cast, text):
    return set(queries.search(queries.decisions(cast.org), text).values_list("pk", flat=True))


def test_it_finds_a_decision_by_a_word_of_its_question_context_or_rationale(cast, log):
    assert _found(cast, "kubernetes") == {log["question"].pk}
    assert _found(cast, "lease") == {log["context"].pk}
    assert _found(cast, "transparent") == {log["rationale"].pk}
    assert _found(cast, "weekends") == {log["outcome"].pk}


def test_every_word_must_match(cast, log):
    assert _found(cast, "datacenter lease") == {log["context"].pk}
    assert _found(cast, "datacenter ferns") == set()


def test_an_empty_search_returns_everything_and_another_org_sees_nothing(cast, log):
    assert len(_found(cast, "  ")) == 5
    other = queries.search(queries.decisions(cast.other_org), "kubernetes")
    assert not other.exists()


def test_the_decision_log_page_searches(cast, log):
    from tests.conftest import login

    resp = login(cast.member).get("/o/acme/decisions/", {"q": "lease"})
    assert resp.status_code == 200
    assert "Hosting plan" in resp.text and "Office plants" not in resp.text


def test_search_combines_with_the_team_filter(cast, log):
    services.update_decision(cast.org, None, log["context"], teams=[cast.platform])
    found = queries.filter_log(cast.org, q="lease", team_id=cast.platform.pk)
    assert [d.pk for d in found.distinct()] == [log["context"].pk]
    assert not queries.filter_log(cast.org, q="kubernetes", team_id=cast.platform.pk).exists()


def test_typing_in_the_search_box_replaces_only_the_rows(cast, log):
    from tests.conftest import login

    resp = login(cast.member).get(
        "/o/acme/decisions/",
        {"q": "transparent"},
        headers={"HX-Request": "true", "HX-Target": "log-rows"},
    )
    assert resp.status_code == 200
    assert "<html" not in resp.text and "Pricing page" in resp.text
    assert "Office plants" not in resp.text


def test_the_log_its_export_and_the_api_filter_by_driver(cast, log):
    from tests.conftest import api_client, login

    services.update_decision(cast.org, None, log["context"], driver=cast.member)
    page = login(cast.admin).get("/o/acme/decisions/", {"driver": cast.member.pk}).text
    assert "Hosting plan" in page and "Office plants" not in page
    export = login(cast.admin).get("/o/acme/decisions/export.csv", {"driver": cast.member.pk})
    body = b"".join(export.streaming_content).decode() if export.streaming else export.text
    assert "Hosting plan" in body and "Office plants" not in body
    api = api_client(cast.admin).get(f"/api/v1/decisions?driver_id={cast.member.pk}").json()
    assert [d["question"] for d in api["items"]] == ["Hosting plan"]
