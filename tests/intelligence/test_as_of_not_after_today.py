"""Signals and health are read as of today or an earlier day: nothing is known of a later
one. `accord signals --as-of` and `accord health --as-of` (whose help says "a past date")
refuse a day after today with one plain line and exit status 2, and the API's `as_of` (and
the health history's `until`) is a 422 naming it, where both answered today's figures as
that day's ("110 signals as of 2030-01-01")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord import cli
from accord.intelligence import evaluate
from tests.conftest import api_client, at

# The last minute of the day the test runs (the cast is made as if now, before it), held
# still while it runs.
NOW = timezone.now().astimezone(dt.UTC).replace(hour=23, minute=59, second=0, microsecond=0)
TODAY, TOMORROW = NOW.date().isoformat(), (NOW.date() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def evaluated(cast):
    with at(NOW):
        evaluate.evaluate(cast.org)
    return cast


@pytest.mark.parametrize("command", ["signals", "health"])
def test_the_command_refuses_a_day_after_today_with_exit_status_2(evaluated, command, capsys):
    with at(NOW), pytest.raises(SystemExit) as refused:
        cli.main([command, "--org", "acme", "--as-of", TOMORROW])
    assert refused.value.code == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == (
        f"CommandError: --as-of ({TOMORROW}) is after today ({TODAY}): nothing is known of it "
        "yet. Give today or an earlier day, or leave it out for the latest figures.\n"
    )


@pytest.mark.parametrize("command", ["signals", "health"])
def test_the_command_reads_today(evaluated, command, capsys):
    with at(NOW):
        assert cli.main([command, "--org", "acme", "--as-of", TODAY]) == 0
    out = capsys.readouterr().out
    assert f"as of {TODAY}" in out if command == "signals" else f"health on {TODAY}" in out


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/signals?as_of={day}", "as_of"),
        ("/api/v1/health/{team}?as_of={day}", "as_of"),
        ("/api/v1/health/{team}/history?until={day}", "until"),
    ],
)
def test_the_api_refuses_a_day_after_today_naming_it(evaluated, path, name):
    client = api_client(evaluated.admin)
    team = evaluated.root.pk
    with at(NOW):
        refused = client.get(path.format(team=team, day=TOMORROW))
        read = client.get(path.format(team=team, day=TODAY))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "future_date"
    assert error["fields"] == {name: ["Enter today or an earlier day."]}
    assert error["message"].startswith(f"{name} ({TOMORROW}) is after today ({TODAY})")
    assert read.status_code == 200
