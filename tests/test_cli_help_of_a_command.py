"""`accord help COMMAND` is `accord COMMAND --help`: `accord manage` (Django's list of
commands) says "Type 'accord help <subcommand>' for help on a specific subcommand", but
`accord help migrate` printed accord's own usage instead. And `accord plan --help` said its
--org was "created if missing", though a plan writes nothing."""

from __future__ import annotations

import pytest

from tests.test_cli import run


@pytest.mark.parametrize("name", ["migrate", "load-demo", "plan"])
def test_help_of_a_command_is_its_own_help(db, name):
    result = run("help", name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: accord {name} "), result.stdout
    assert result.stdout == run(name, "--help").stdout


def test_the_hint_of_accord_manage_works(db):
    hint = run("manage")
    assert "Type 'accord help <subcommand>' for help on a specific subcommand." in hint.stdout
    shown = run("help", "shell")
    assert shown.returncode == 0 and "usage: accord shell" in shown.stdout
    assert shown.stdout == run("manage", "shell", "--help").stdout


def test_help_alone_is_still_the_list_of_commands(db):
    result = run("help")
    assert result.returncode == 0 and result.stdout.startswith("usage: accord <command>")


def test_plan_does_not_say_it_creates_the_organization(db):
    text = " ".join(run("plan", "--help").stdout.split())
    assert "(created if missing)" not in text
    assert "created by apply (plan only shows what apply would create)" in text


def test_help_of_an_unknown_command_exits_as_the_unknown_command_does(db):
    result = run("help", "nonsense")
    assert result.returncode == run("nonsense").returncode == 2
    assert "unknown command 'nonsense'" in result.stderr
