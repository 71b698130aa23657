"""The last day signals and health can be read as of is today in UTC, the day evaluations
date what they store, on Insights, in the API (`as_of`, the history's `until`) and in
`accord signals --as-of` / `accord health --as-of` alike, whatever the reader's zone (the
token's person's, the server's for the command line) says the date is. So a reader in
Kolkata just after their midnight, still the day before in UTC, is refused their own date
everywhere (the API and the command line read it as today before, and showed today's
figures as that day's while Insights left it out), and one in Los Angeles in the evening,
already the next day in UTC, may read that day everywhere; the same day reads the same
stored signals on each."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from accord import cli
from accord.intelligence import evaluate
from accord.org.models import Person
from tests.conftest import api_client, at, login

# After the cast was made (now), so that its teams were there.
DAY = dt.date.today() + dt.timedelta(days=3)
NEXT = DAY + dt.timedelta(days=1)
EVALUATED = dt.datetime.combine(DAY, dt.time(18, 40), tzinfo=dt.UTC)
# Around midnight UTC: ten minutes before (05:20 the next day in Kolkata) and after
# (16:10 the day before in Los Angeles).
BEFORE_MIDNIGHT = dt.datetime.combine(DAY, dt.time(23, 50), tzinfo=dt.UTC)
AFTER_MIDNIGHT = dt.datetime.combine(NEXT, dt.time(0, 10), tzinfo=dt.UTC)
INSIGHTS = "/o/acme/insights/"


@pytest.fixture
def evaluated(cast, monkeypatch):
    # A command closes the database connections when it ends: not the test's, in which
    # the next request and command run.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with at(EVALUATED):
        evaluate.evaluate(cast.org, None, announce=False)
    return cast


def _in_zone(cast, zone: str) -> Person:
    Person.objects.filter(pk=cast.leader.pk).update(timezone=zone)
    return Person.objects.get(pk=cast.leader.pk)


def _page_reads(client, day: dt.date) -> bool:
    html = client.get(INSIGHTS, {"scope": "all", "as_of": day.isoformat()}).content.decode()
    left_out = f"as of ({day.isoformat()} is after today in UTC" in html
    assert left_out or "As of the end of" in html
    return not left_out


def _command_reads(command: str, day: dt.date, capsys) -> bool:
    try:
        code = cli.main([command, "--org", "acme", "--as-of", day.isoformat()])
    except SystemExit as exc:
        code = exc.code
    capsys.readouterr()
    assert code in (0, 2)
    return code == 0


@pytest.mark.parametrize(
    ("zone", "moment", "reads_next"),
    [
        ("Asia/Kolkata", BEFORE_MIDNIGHT, False),  # NEXT where they are, DAY in UTC
        ("Asia/Kolkata", AFTER_MIDNIGHT, True),
        ("UTC", BEFORE_MIDNIGHT, False),
        ("UTC", AFTER_MIDNIGHT, True),
        ("America/Los_Angeles", BEFORE_MIDNIGHT, False),
        ("America/Los_Angeles", AFTER_MIDNIGHT, True),  # DAY where they are, NEXT in UTC
    ],
)
def test_a_day_is_refused_alike_on_insights_the_api_and_the_command_line(
    evaluated, zone, moment, reads_next, capsys
):
    cast = evaluated
    person = _in_zone(cast, zone)
    team = cast.root.pk
    with at(moment):
        page = login(person)
        api = api_client(person)
        said = {
            "insights": _page_reads(page, NEXT),
            "api signals": api.get(f"/api/v1/signals?as_of={NEXT}").status_code == 200,
            "api health": api.get(f"/api/v1/health/{team}?as_of={NEXT}").status_code == 200,
            "api history": api.get(f"/api/v1/health/{team}/history?until={NEXT}").status_code
            == 200,
        }
        with override_settings(TIME_ZONE=zone):  # the server's zone, for the command line
            said["accord signals"] = _command_reads("signals", NEXT, capsys)
            said["accord health"] = _command_reads("health", NEXT, capsys)
    assert said == dict.fromkeys(said, reads_next)


def test_the_refusal_says_the_day_is_a_utc_day_when_the_readers_date_is_another(evaluated, capsys):
    person = _in_zone(evaluated, "Asia/Kolkata")
    with at(BEFORE_MIDNIGHT):
        refused = api_client(person).get(f"/api/v1/signals?as_of={NEXT}")
        with override_settings(TIME_ZONE="Asia/Kolkata"), pytest.raises(SystemExit) as exited:
            cli.main(["signals", "--org", "acme", "--as-of", NEXT.isoformat()])
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "future_date"
    assert error["fields"] == {"as_of": ["Enter today or an earlier day."]}
    assert error["message"] == (
        f"as_of ({NEXT}) is after today in UTC ({DAY}, the figures' day; {NEXT} in "
        "Asia/Kolkata): nothing is known of it yet. Give today or an earlier day, or leave "
        "it out for the latest figures."
    )
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"CommandError: --as-of ({NEXT}) is after today in UTC ({DAY}, the figures' day; "
        f"{NEXT} in Asia/Kolkata): nothing is known of it yet. Give today or an earlier "
        "day, or leave it out for the latest figures.\n"
    )


def test_the_same_day_reads_the_same_stored_signals_in_the_api_and_the_command_line(
    evaluated, capsys
):
    person = _in_zone(evaluated, "Asia/Kolkata")
    with at(BEFORE_MIDNIGHT):
        read = api_client(person).get(f"/api/v1/signals?as_of={DAY}&state=any")
        with override_settings(TIME_ZONE="Asia/Kolkata"):
            code = cli.main(
                ["signals", "--org", "acme", "--as-of", DAY.isoformat(), "--state", "any",
                 "--limit", "500", "--json"]
            )  # fmt: skip
    assert read.status_code == 200 and code == 0, read.content
    body = read.json()
    items = body["items"] if isinstance(body, dict) else body
    printed = json.loads(capsys.readouterr().out)
    assert printed["count"] == len(items) > 0
    assert [s["id"] for s in printed["signals"]] == [s["id"] for s in items]
