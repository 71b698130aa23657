"""An organization with no decision yet: the log says what a decision is and how to record
the first one; the action items page with nothing open at all says "Nothing open"."""

from __future__ import annotations

from accord.decisions import services
from tests.conftest import login


def test_the_empty_log_says_what_a_decision_is_and_how_to_record_the_first(cast):
    page = login(cast.member).get("/o/acme/decisions/").content.decode()
    assert "data-none-yet" in page and "No decision yet" in page
    assert "Record the first decision" in page
    assert 'href="/o/acme/decisions/new/"' in page
    assert "No decision matches." not in page
    assert 'aria-label="Filter decisions"' not in page


def test_with_a_decision_the_log_filters_as_before(cast):
    services.create_decision(cast.org, cast.member, "Do we ship on Fridays?", approver=cast.leader)
    page = login(cast.member).get("/o/acme/decisions/?status=decided").content.decode()
    assert "data-none-yet" not in page
    assert "No decision matches." in page


def test_nothing_open_at_all_says_nothing_open(cast):
    page = login(cast.member).get("/o/acme/decisions/actions/?team=platform").content.decode()
    assert "Nothing overdue." in page
    assert "Nothing open." in page
    assert "Nothing else open." not in page
