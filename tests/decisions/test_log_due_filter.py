"""The decision log, its exports and the API select decisions by their decide-by date
(`due_since`, `due_until`, both days included: "the decisions due next week", as a
briefing's "Decisions due" links to them). The page says the filter above the list with
a link that clears it; a date not understood is named and left out, never an error page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.decisions import services
from tests.conftest import api_client, at, login
from tests.decisions.helpers import counts

D = dt.date
URL = "/o/acme/decisions/"
WEEK = {"due_since": "2026-03-02", "due_until": "2026-03-08"}


def logged(page: str) -> list[str]:
    return re.findall(r'<td class="row-head"><a href="[^"]*">([^<]*)</a>', page)


@pytest.fixture
def dated(cast):
    """Decisions due before, on each edge of, inside and after the week of 2 March 2026,
    one with no date, one decided, and another organization's due that week; recorded, and
    the log read, on Friday 20 February 2026."""

    def decision(question, decide_by, org=cast.org, approver=cast.leader):
        return services.create_decision(org, None, question, approver, decide_by=decide_by)

    with at(dt.datetime(2026, 2, 20, 10, tzinfo=dt.UTC)):
        decision("Due the Sunday before?", D(2026, 3, 1))
        decision("Due on the Monday?", D(2026, 3, 2))
        decision("Due midweek?", D(2026, 3, 4))
        decision("Due on the Sunday?", D(2026, 3, 8))
        decision("Due the Monday after?", D(2026, 3, 9))
        decision("Due whenever?", None)
        made = decision("Decided, due midweek?", D(2026, 3, 5))
        services.decide(cast.org, None, made, "Yes")
        decision("Globex's, due midweek?", D(2026, 3, 4), cast.other_org, cast.outsider)
        yield


WEEKS = {"Due on the Monday?", "Due midweek?", "Due on the Sunday?", "Decided, due midweek?"}


def test_the_log_lists_the_decisions_due_within_the_days_both_included(cast, dated):
    page = login(cast.member).get(URL, WEEK).content.decode()
    assert set(logged(page)) == WEEKS and len(logged(page)) == 4
    # The form holds the days, and the page says the filter with a link that clears it.
    assert 'name="due_since" value="2026-03-02"' in page
    assert 'name="due_until" value="2026-03-08"' in page
    assert "Only the decisions due from Mon 2 Mar 2026 to Sun 8 Mar 2026" in page
    assert '<a href="?">Remove this filter</a>' in page
    # Its figures count what it selects, by status.
    assert "As filtered: " in page and 'status=open">3 open</a>' in page
    # A decided one says the date it was due, which put it in the list, under its decision's.
    assert page.count('<small class="muted" data-due>due 5 Mar 2026</small>') == 1
    unfiltered = login(cast.member).get(URL).content.decode()
    assert "data-due" not in unfiltered


def test_with_a_status_the_link_that_clears_the_days_keeps_it(cast, dated):
    page = login(cast.member).get(URL, {"status": "undecided", **WEEK}).content.decode()
    assert set(logged(page)) == WEEKS - {"Decided, due midweek?"}
    assert '<a href="?status=undecided">Remove this filter</a>' in page
    cleared = login(cast.member).get(URL, {"status": "undecided"}).content.decode()
    assert "Due whenever?" in logged(cleared) and 'id="log-due"' not in cleared


def test_one_end_alone_is_on_or_before_or_on_or_after_it(cast, dated):
    client = login(cast.member)
    page = client.get(URL, {"due_until": "2026-03-02"}).content.decode()
    assert set(logged(page)) == {"Due the Sunday before?", "Due on the Monday?"}
    assert "Only the decisions due on or before Mon 2 Mar 2026" in page
    page = client.get(URL, {"due_since": "2026-03-08"}).content.decode()
    assert set(logged(page)) == {"Due on the Sunday?", "Due the Monday after?"}
    assert "Only the decisions due on or after Sun 8 Mar 2026" in page


@pytest.mark.parametrize("value", ["next-week", "2026-02-30", "9999-01-01"])
def test_a_day_not_understood_is_named_and_left_out_of_the_filter(cast, dated, value):
    before = counts(cast.org)
    resp = login(cast.member).get(URL, {"due_since": value, "due_until": "2026-03-02"})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "Left out of the filter, not understood: due from (" in page
    # The other end still applies, and says so.
    assert set(logged(page)) == {"Due the Sunday before?", "Due on the Monday?"}
    assert "Only the decisions due on or before Mon 2 Mar 2026" in page
    assert counts(cast.org) == before


def test_days_that_end_before_they_begin_are_refused_by_name(cast, dated):
    bad = {"due_since": "2026-03-08", "due_until": "2026-03-02"}
    page = login(cast.member).get(URL, bad).content.decode()
    assert "not understood: due to (The range ends before it begins.)" in page
    resp = api_client(cast.member).get("/api/v1/decisions", bad)
    assert resp.status_code == 422
    assert "due_until" in resp.json()["error"]["fields"]


def test_the_api_selects_the_same_decisions(cast, dated):
    api = api_client(cast.member)
    body = api.get("/api/v1/decisions", WEEK).json()
    assert {d["question"] for d in body["items"]} == WEEKS and body["count"] == 4
    body = api.get("/api/v1/decisions", {"due_until": "2026-03-01"}).json()
    assert [d["question"] for d in body["items"]] == ["Due the Sunday before?"]
    resp = api.get("/api/v1/decisions", {"due_since": "next-week"})
    assert resp.status_code == 422 and "due_since" in resp.content.decode()


def test_the_csv_exports_what_the_filtered_log_shows(cast, dated):
    resp = login(cast.member).get(URL + "export.csv", WEEK)
    body = b"".join(resp.streaming_content).decode()
    assert all(q in body for q in WEEKS)
    assert "Due whenever?" not in body and "Due the Monday after?" not in body
