"""The approver decides for one of the options with the outcome the proposer wrote left as
the form shows it: the written outcome is kept, never replaced by the option's title. Only
an outcome that was the title of the option chosen before follows the new choice."""

from __future__ import annotations

import pytest

from accord.decisions import services
from tests.conftest import login

WRITTEN = "Roll back Storefront 2026.12.1 and rotate IdP key; hotfix later."


@pytest.fixture
def decision(cast):
    d = services.create_decision(
        cast.org, cast.member, "How do we end the outage?", approver=cast.leader
    )
    services.add_option(cast.org, cast.member, d, "Roll back")
    services.add_option(cast.org, cast.member, d, "Hotfix forward")
    return d


def _decide_from_the_page(cast, d, option):
    response = login(cast.leader).post(
        f"/o/acme/decisions/{d.pk}/decide/",
        {"option": option.pk, "outcome": d.outcome, "rationale": "Fastest way back"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    return d


def test_the_proposers_written_outcome_stays_when_the_approver_picks_an_option(cast, decision):
    services.propose(cast.org, cast.member, decision, WRITTEN)
    decision.refresh_from_db()
    assert decision.chosen_option is None
    roll_back = decision.options.get(title="Roll back")
    decision = _decide_from_the_page(cast, decision, roll_back)
    assert (decision.status, decision.chosen_option, decision.outcome) == (
        "decided",
        roll_back,
        WRITTEN,
    )


def test_a_written_outcome_stays_when_another_option_than_the_proposed_one_is_chosen(
    cast, decision
):
    roll_back = decision.options.get(title="Roll back")
    services.propose(cast.org, cast.member, decision, WRITTEN, option=roll_back)
    decision.refresh_from_db()
    assert decision.outcome == WRITTEN
    hotfix = decision.options.get(title="Hotfix forward")
    decision = _decide_from_the_page(cast, decision, hotfix)
    assert (decision.chosen_option, decision.outcome) == (hotfix, WRITTEN)
