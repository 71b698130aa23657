"""`accord generate`: deterministic for a seed, never touches another organization,
refuses an address in use unless asked to replace it, and refuses bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.core.generator import digest, generate
from accord.org.models import Organization, Team

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def test_the_same_seed_gives_the_same_organization_and_another_seed_another(db):
    first = digest(generate(20, seed=5, slug="det", now=NOW).org)
    again = digest(generate(20, seed=5, slug="det", now=NOW, replace=True).org)
    other = digest(generate(20, seed=6, slug="det", now=NOW, replace=True).org)
    assert first == again
    assert first != other


def test_the_same_seed_gives_the_same_content_under_other_ids(db):
    first = generate(20, seed=5, slug="det", now=NOW).org
    before, first_team = digest(first), Team.objects.filter(org=first).order_by("pk")[0].pk
    generate(15, seed=9, slug="filler", now=NOW)  # every table's next ids move on
    again = generate(20, seed=5, slug="det", now=NOW, replace=True).org
    assert Team.objects.filter(org=again).order_by("pk")[0].pk > first_team
    assert digest(again) == before


def test_a_second_organization_never_touches_the_first(db):
    first = generate(15, seed=1, slug="first", now=NOW).org
    before, events = digest(first), Event.objects.filter(org=first).count()
    generate(15, seed=2, slug="second", now=NOW)
    generate(15, seed=3, slug="second", now=NOW, replace=True)
    assert digest(first) == before
    assert Event.objects.filter(org=first).count() == events


def test_an_address_in_use_is_refused_with_a_clear_message_and_nothing_changes(db):
    org = generate(15, seed=1, slug="taken", now=NOW).org
    before = digest(org)
    with pytest.raises(ServiceError, match=r"already uses the address 'taken'.*--replace"):
        generate(15, seed=2, slug="taken", now=NOW)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate", "--teams", "15", "--org", "taken", stdout=io.StringIO())
    assert digest(org) == before
    assert Organization.objects.filter(slug="taken").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--teams", "5"], "--teams must be between 13"),
        (["--teams", "20", "--weeks", "0"], "--weeks must be between 1 and 52"),
        (["--teams", "20", "--org", "not a slug"], "not a valid address"),
        (["--teams", "20", "--now", "yesterday"], "--now must be an ISO 8601 instant"),
    ],
)
def test_bad_input_is_refused_with_a_plain_message_and_writes_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate", *args, stdout=io.StringIO())
    assert not Organization.objects.exists()
    assert not Event.objects.exists()


def test_the_command_prints_the_rows_it_wrote(db):
    out = io.StringIO()
    call_command(
        "generate", "--teams", "25", "--org", "small", "--name", "Small Co",
        "--now", "2026-11-30T12:00:00+00:00", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Generated Small Co (/o/small/)" in text
    assert "org.Team" in text and "activity.Event" in text
    assert Team.objects.filter(org__slug="small").count() == 25
