"""`accord health --backfill WEEKS` takes 1 to 260 weeks (five years), and `--as-of` (of
`accord health` and `accord signals`) a day in the years the rest of Accord supports
(1900 to 2999): anything else stops with one plain line and writes nothing, never a
five-minute run of weeks dated 0110 nor an OverflowError's traceback."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accord.core.errors import ServiceError
from accord.intelligence import evaluate
from accord.intelligence.models import Evaluation, HealthScore


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("weeks", ["0", "-3", "261", "10000000"])
def test_backfill_outside_one_to_260_weeks_is_refused_and_writes_nothing(cast, weeks):
    with pytest.raises(CommandError) as refused:
        run("health", "--org", "acme", "--backfill", weeks)
    assert str(refused.value) == f"--backfill takes 1 to 260 weeks, not {weeks}."
    assert not Evaluation.objects.filter(org=cast.org).exists()
    assert not HealthScore.objects.filter(org=cast.org).exists()


def test_the_function_keeps_the_same_bound(cast):
    for weeks in (0, -3, 261):
        with pytest.raises(ServiceError, match="Weeks to backfill must be 1 to 260"):
            evaluate.backfill(cast.org, weeks=weeks)
    assert not Evaluation.objects.filter(org=cast.org).exists()


def test_the_help_says_the_bound():
    from accord.intelligence.management.commands.health import Command

    assert "(1 to 260, five years)" in Command().create_parser("accord", "health").format_help()


@pytest.mark.parametrize("day", ["0110-01-01", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("command", ["health", "signals"])
def test_a_day_outside_the_supported_years_is_refused(cast, command, day):
    with pytest.raises(CommandError) as refused:
        run(command, "--org", "acme", "--as-of", day)
    assert str(refused.value) == (
        f"--as-of ({day}) is out of range. Dates are supported from 1900 to 2999."
    )
