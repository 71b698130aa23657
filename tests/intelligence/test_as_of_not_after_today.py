"""Signals and health are read as of today or an earlier day: nothing is known of a later
one. `accord signals --as-of` and `accord health --as-of` (whose help says "a past date")
refuse a day after today with one plain line and exit status 2, and the API's `as_of` (and
the health history's `until`) is a 422 naming it, where both answered today's figures as
that day's ("110 signals as of 2030-01-01")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accord import cli
from accord.intelligence import evaluate
from tests.conftest import api_client, at


@pytest.fixture
def evaluated(cast):
    """The cast evaluated at the last minute of the day it was made (after it, however near
    midnight the test runs), held still while the test runs: `.now`, `.today`, `.tomorrow`."""
    now = timezone.now().astimezone(dt.UTC).replace(hour=23, minute=59, second=0, microsecond=0)
    with at(now):
        evaluate.evaluate(cast.org)
    day = now.date()
    return SimpleNamespace(
        cast=cast,
        now=now,
        today=day.isoformat(),
        tomorrow=(day + dt.timedelta(days=1)).isoformat(),
    )


@pytest.mark.parametrize("command", ["signals", "health"])
def test_the_command_refuses_a_day_after_today_with_exit_status_2(evaluated, command, capsys):
    now, today, tomorrow = evaluated.now, evaluated.today, evaluated.tomorrow
    with at(now), pytest.raises(SystemExit) as refused:
        cli.main([command, "--org", "acme", "--as-of", tomorrow])
    assert refused.value.code == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == (
        f"CommandError: --as-of ({tomorrow}) is after today ({today}): nothing is known of it "
        "yet. Give today or an earlier day, or leave it out for the latest figures.\n"
    )


@pytest.mark.parametrize("command", ["signals", "health"])
def test_the_command_reads_today(evaluated, command, capsys):
    now, today = evaluated.now, evaluated.today
    with at(now):
        assert cli.main([command, "--org", "acme", "--as-of", today]) == 0
    out = capsys.readouterr().out
    assert f"as of {today}" in out if command == "signals" else f"health on {today}" in out


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/signals?as_of={day}", "as_of"),
        ("/api/v1/health/{team}?as_of={day}", "as_of"),
        ("/api/v1/health/{team}/history?until={day}", "until"),
    ],
)
def test_the_api_refuses_a_day_after_today_naming_it(evaluated, path, name):
    now, today, tomorrow = evaluated.now, evaluated.today, evaluated.tomorrow
    client = api_client(evaluated.cast.admin)
    team = evaluated.cast.root.pk
    with at(now):
        refused = client.get(path.format(team=team, day=tomorrow))
        read = client.get(path.format(team=team, day=today))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "future_date"
    assert error["fields"] == {name: ["Enter today or an earlier day."]}
    assert error["message"].startswith(f"{name} ({tomorrow}) is after today ({today})")
    assert read.status_code == 200
