"""The decision log, its figures, its two exports and the API read one set of filters: what
the page lists is what the CSV and the Markdown zip hold, and what its figures count.
"Decided from/to" lists the decisions made in a period (a quarter's), those later reversed
or superseded among them: they were decided then."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.utils import timezone

from accord.decisions import services
from accord.decisions.models import Decision
from tests.conftest import api_client, login


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def log(cast):
    """Opened in August: one decided on 2 September (reversed since), one decided on
    15 October, one decided on 3 January; one still open and overdue, one open not due."""
    today = timezone.localdate()
    made = {}

    def decision(question, *, decided=None):
        d = services.create_decision(
            cast.org,
            None,
            question,
            approver=cast.leader,
            teams=[cast.platform],
            opened_at=_at(dt.date(today.year - 1, 8, 1)),
        )
        if decided:
            services.decide(cast.org, None, d, outcome="Yes", decided_at=_at(decided))
        made[question] = d
        return d

    year = today.year - 1
    reversed_later = decision("Move to Kafka?", decided=dt.date(year, 9, 2))
    services.reverse(cast.org, cast.leader, reversed_later, "Too costly to run.")
    decision("Hire a second SRE?", decided=dt.date(year, 10, 15))
    decision("Freeze on Fridays?", decided=dt.date(year + 1, 1, 3))
    late = decision("Pick a CI runner?")
    Decision.objects.filter(pk=late.pk).update(decide_by=today - dt.timedelta(days=3))
    decision("Rename the API?")
    services.create_decision(cast.other_org, None, "Globex secret?", approver=cast.outsider)
    return year, made


def _page_questions(html: str) -> set[str]:
    return set(re.findall(r'<a href="/o/acme/decisions/\d+/">([^<]+)</a>', html))


def _csv_questions(client, params) -> set[str]:
    resp = client.get("/o/acme/decisions/export.csv", params)
    body = b"".join(resp.streaming_content).decode()
    return {row["question"] for row in csv.DictReader(io.StringIO(body))}


def _zip_titles(client, params) -> set[str]:
    resp = client.get("/o/acme/decisions/export-markdown.zip", params)
    zf = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))
    return {zf.read(n).decode().splitlines()[0].split(". ", 1)[1] for n in zf.namelist()}


def test_the_exports_hold_the_overdue_decisions_the_page_lists(cast, log):
    client = login(cast.member)
    params = {"overdue": "1"}
    page = client.get("/o/acme/decisions/", params).content.decode()
    assert _page_questions(page) == {"Pick a CI runner?"}
    assert _csv_questions(client, params) == {"Pick a CI runner?"}
    assert _zip_titles(client, params) == {"Pick a CI runner?"}
    # The filter form keeps it: submitted again, the page still lists only those.
    assert re.search(r'<input type="checkbox" name="overdue"[^>]* checked', page)


def test_decided_from_to_lists_the_quarters_decisions_reversed_ones_included(cast, log):
    year, _ = log
    client = login(cast.member)
    q3 = {"decided_since": f"{year}-07-01", "decided_until": f"{year}-09-30"}
    q4 = {"decided_since": f"{year}-10-01", "decided_until": f"{year}-12-31"}
    page = client.get("/o/acme/decisions/", q3).content.decode()
    assert _page_questions(page) == {"Move to Kafka?"}  # reversed since, decided in Q3
    assert _page_questions(client.get("/o/acme/decisions/", q4).content.decode()) == {
        "Hire a second SRE?"
    }
    assert _csv_questions(client, q4) == {"Hire a second SRE?"}
    assert _zip_titles(client, q4) == {"Hire a second SRE?"}
    # The last day of the range is in it, whole.
    one_day = {"decided_since": f"{year}-10-15", "decided_until": f"{year}-10-15"}
    assert _csv_questions(client, one_day) == {"Hire a second SRE?"}


def test_the_api_lists_decisions_by_the_day_they_were_decided(cast, log):
    year, _ = log
    client = api_client(cast.member)
    resp = client.get(
        "/api/v1/decisions",
        {"decided_since": f"{year}-07-01", "decided_until": f"{year}-12-31"},
    )
    assert resp.status_code == 200, resp.content
    found = {d["question"]: d["status"] for d in resp.json()["items"]}
    assert found == {"Move to Kafka?": "reversed", "Hire a second SRE?": "decided"}
    since = client.get("/api/v1/decisions", {"decided_since": f"{year + 1}-01-01"}).json()
    assert [d["question"] for d in since["items"]] == ["Freeze on Fridays?"]


def test_a_decided_range_that_ends_before_it_begins_is_refused_by_name(cast, log):
    year, _ = log
    bad = {"decided_since": f"{year}-12-31", "decided_until": f"{year}-10-01"}
    resp = api_client(cast.member).get("/api/v1/decisions", bad)
    assert resp.status_code == 422
    assert "decided_until" in resp.json()["error"]["fields"]
    page = login(cast.member).get("/o/acme/decisions/", bad).content.decode()
    assert "not understood: decided to (The range ends before it begins.)" in page


def _figures(html: str) -> dict[str, int]:
    return {
        name: int(n.replace(",", ""))
        for n, name in re.findall(
            r">([\d,]+) (open|proposed|decided|superseded|reversed|overdue)</a>", html
        )
    }


def test_the_logs_figures_count_what_its_filters_select(cast, log):
    year, _ = log
    client = login(cast.member)
    everything = _figures(client.get("/o/acme/decisions/").content.decode())
    assert everything["decided"] == 2 and everything["open"] == 2 and everything["reversed"] == 1
    q4 = {"decided_since": f"{year}-10-01", "decided_until": f"{year}-12-31"}
    page = client.get("/o/acme/decisions/", q4).content.decode()
    shown = _figures(page)
    assert shown["decided"] == 1 and shown["open"] == 0 and shown["reversed"] == 0
    assert "overdue" not in shown
    assert "As filtered:" in page
    # Each figure's link keeps the other filters and picks its status.
    assert f"decided_since={year}-10-01&amp;decided_until={year}-12-31&amp;status=decided" in page
    words = _figures(client.get("/o/acme/decisions/", {"q": "Kafka"}).content.decode())
    assert words["reversed"] == 1 and words["decided"] == 0 and words["open"] == 0
