"""A decision is proposed and decided for one of the options considered, or another: the
option chosen is kept, shown on the page and in the API; another decision's option is
refused and changes nothing."""

from __future__ import annotations

import pytest

from accord.core.errors import ServiceError
from accord.decisions import services
from accord.decisions.models import Decision
from tests.conftest import api_client, login
from tests.decisions.helpers import counts


@pytest.fixture
def decision(cast):
    d = services.create_decision(
        cast.org, cast.member, "Which queue do we adopt?", approver=cast.leader
    )
    services.add_option(cast.org, cast.member, d, "Kafka", pros="Throughput")
    services.add_option(cast.org, cast.member, d, "RabbitMQ", pros="Simple")
    return d


def option(d, title):
    return d.options.get(title=title)


def test_the_approver_decides_for_an_option_from_the_page(cast, decision):
    url = f"/o/acme/decisions/{decision.pk}/"
    client = login(cast.leader)
    page = client.get(url).content.decode()
    assert "Option chosen" in page and "None of those considered" in page
    kafka = option(decision, "Kafka")
    response = client.post(url + "decide/", {"option": kafka.pk, "outcome": "", "rationale": "Ops"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.outcome, decision.chosen_option) == (
        "decided",
        "Kafka",
        kafka,
    )
    page = client.get(url).content.decode()
    assert 'Kafka <span class="tag tag--ok">chosen</span>' in page


def test_a_proposal_names_its_option_and_deciding_it_as_it_stands_keeps_it(cast, decision):
    rabbit = option(decision, "RabbitMQ")
    services.propose(cast.org, cast.member, decision, option=rabbit)
    decision.refresh_from_db()
    assert (decision.status, decision.outcome, decision.chosen_option) == (
        "proposed",
        "RabbitMQ",
        rabbit,
    )
    page = login(cast.leader).get(f"/o/acme/decisions/{decision.pk}/").content.decode()
    assert 'RabbitMQ <span class="tag tag--ok">proposed</span>' in page
    services.decide(cast.org, cast.leader, decision)
    decision.refresh_from_db()
    assert decision.chosen_option == rabbit and decision.outcome == "RabbitMQ"


def test_an_outcome_of_its_own_chooses_no_option(cast, decision):
    services.decide(cast.org, cast.leader, decision, outcome="Neither: keep the cron jobs")
    decision.refresh_from_db()
    assert decision.chosen_option is None


def test_another_decisions_option_is_refused_and_changes_nothing(cast, decision):
    other = services.create_decision(cast.org, cast.member, "Which cloud?", approver=cast.leader)
    foreign = services.add_option(cast.org, cast.member, other, "AWS")
    api = api_client(cast.leader)  # (its token is an event of its own)
    before = counts(cast.org)
    for value in (foreign.pk, "abc", 10**9):
        with pytest.raises(ServiceError, match="not one of this decision's"):
            services.decide(cast.org, cast.leader, decision, option=value)
    response = api.post(
        f"/api/v1/decisions/{decision.pk}/decide",
        {"option_id": foreign.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert counts(cast.org) == before
    assert Decision.objects.get(pk=decision.pk).status == "open"


def test_the_api_decides_for_an_option_and_says_which(cast, decision):
    kafka = option(decision, "Kafka")
    response = api_client(cast.leader).post(
        f"/api/v1/decisions/{decision.pk}/decide",
        {"option_id": kafka.pk, "rationale": "Throughput"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["chosen_option_id"] == kafka.pk and body["outcome"] == "Kafka"


def test_choosing_another_option_from_the_form_as_it_stands_takes_that_options_outcome(
    cast, decision
):
    """The Decide form shows the proposal's outcome; choosing another option and leaving
    the text as shown decides for that option, its title the outcome."""
    services.propose(cast.org, cast.member, decision, option=option(decision, "Kafka"))
    decision.refresh_from_db()
    rabbit = option(decision, "RabbitMQ")
    response = login(cast.leader).post(
        f"/o/acme/decisions/{decision.pk}/decide/",
        {"option": rabbit.pk, "outcome": decision.outcome, "rationale": "Simpler to run"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.chosen_option, decision.outcome) == (rabbit, "RabbitMQ")
    # Text of one's own with an option keeps that text.
    other = services.create_decision(cast.org, cast.member, "Which DB?", approver=cast.leader)
    pg = services.add_option(cast.org, cast.member, other, "PostgreSQL")
    services.decide(cast.org, cast.leader, other, outcome="PostgreSQL 17, managed", option=pg)
    other.refresh_from_db()
    assert (other.chosen_option, other.outcome) == (pg, "PostgreSQL 17, managed")


def test_deciding_from_the_page_reads_the_decision_once_before_the_service_locks_it(cast, decision):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.leader)
    with CaptureQueriesContext(connection) as seen:
        response = client.post(
            f"/o/acme/decisions/{decision.pk}/decide/", {"outcome": "Kafka", "rationale": "Ops"}
        )
    assert response.status_code == 302
    reads = [
        q["sql"]
        for q in seen.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "decisions_decision"' in q["sql"]
    ]
    # the page's read (its form checks the option against it) and the service's locked one
    assert len(reads) == 2, reads
