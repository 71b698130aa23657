"""Hostile organization files: a clear error, bounded cost, nothing written."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from accord.interchange import services
from accord.org.models import Organization

from .helpers import dump
from .test_safeyaml import BILLION_LAUGHS


def test_a_billion_laughs_is_refused_quickly_and_changes_nothing(cast):
    before = dump()
    started = time.monotonic()
    outcome = services.apply_file(BILLION_LAUGHS, org_slug="acme")
    assert outcome.fatal.kind == "yaml_alias"
    assert "Aliases" in outcome.as_text() and "Nothing was changed" in outcome.as_text()
    assert time.monotonic() - started < 1
    assert dump() == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(cast, tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: costs no disk; the limit is 256 MB
    before = dump()
    tracemalloc.start()
    with pytest.raises(CommandError):
        call_command("apply", str(big), "--org", "acme")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert dump() == before


def test_an_oversized_upload_is_refused_by_the_service(cast, settings):
    settings.ACCORD_ORGFILE_MAX_BYTES = 1024 * 1024
    outcome = services.apply_file(b"teams: []\n" + b"#" * (1024 * 1024), org_slug="acme")
    assert outcome.fatal.kind == "too_large"


@pytest.mark.parametrize(
    "text",
    [
        "teams: 5\npeople: {a: 1}\nmemberships: [1, 'x', [2]]\n",
        "teams:\n  - slug: [x]\n    name: {a: b}\n    parent: 7\n    description: [1]\n",
        "people:\n  - {email: 12, name: true, role: god, active: 'yes', timezone: 3}\n",
        "memberships:\n  - {team: 1.5, person: null, allocation: 'all', role: boss}\n",
        "- just\n- a list\n",
        "accord: 99\nteams: []\n",
        "teams:\n  - {slug: acme, name: Acme, colour: red}\n"
        "  - {slug: platform, name: Platform, parent: acme}\n",
    ],
)
def test_wrong_types_and_unknown_keys_get_clear_errors_and_change_nothing(cast, text):
    before = dump()
    for strict in (False, True):
        outcome = services.apply_file(text, org_slug="acme", strict=strict)
        problems = [outcome.fatal] if outcome.fatal else outcome.report.problems
        assert problems, text
        assert all(p.why for p in problems)
    assert dump() == before


def test_unknown_keys_name_the_key_and_the_line(cast):
    outcome = services.plan_file(
        "teams:\n  - {slug: acme, name: Acme, colour: red}\n", org_slug="acme"
    )
    problem = outcome.report.problems[0]
    assert (problem.kind, problem.path, problem.line) == ("unknown_key", "teams[0].colour", 2)
    assert "colour" in problem.why


def test_deep_nesting_is_refused(cast):
    outcome = services.apply_file("teams: " + "[" * 100_000 + "]" * 100_000, org_slug="acme")
    assert outcome.fatal.kind == "too_deep"
    assert Organization.objects.count() == 2


def test_numbers_in_yaml_1_2_spelling_are_numbers_but_text_is_not(cast):
    text = (
        "memberships:\n"
        "  - {team: platform, person: mia.member@acme.example, allocation: 5e1}\n"
        "  - {team: acme, person: mia.member@acme.example, allocation: 'fifty'}\n"
    )
    outcome = services.plan_file(text, org_slug="acme")
    assert [(p.path, p.kind) for p in outcome.report.problems] == [
        ("memberships[1].allocation", "invalid_value")
    ]
    assert [c.fields for c in outcome.changes if c.action == "update"] == []


def test_a_cadence_whose_scope_and_teams_disagree_is_refused(cast):
    text = (
        "cadences:\n  - {id: c, name: Sync, scope: org, team: platform,"
        " rrule: 'FREQ=WEEKLY;BYDAY=MO', start_date: 2026-01-05, time: '09:00'}\n"
    )
    outcome = services.plan_file(text, org_slug="acme")
    assert [(p.path, p.kind) for p in outcome.report.problems] == [
        ("cadences[0].scope", "invalid_value")
    ]
    assert outcome.changes == []
