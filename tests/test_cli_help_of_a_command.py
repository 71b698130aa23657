"""`accord help COMMAND` is `accord COMMAND --help`: `accord manage` (Django's list of
commands) says how to get help on a command, but `accord help migrate` printed accord's own
usage instead, and `accord help shell` said "usage: accord shell", a command that is
`accord manage shell`. And `accord plan --help` said its --org was "created if missing",
though a plan writes nothing."""

from __future__ import annotations

import pytest

from tests.test_cli import run


@pytest.mark.parametrize("name", ["migrate", "load-demo", "plan"])
def test_help_of_a_command_is_its_own_help(db, name):
    result = run("help", name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: accord {name} "), result.stdout
    assert result.stdout == run(name, "--help").stdout


def test_help_of_a_django_command_names_accord_manage(db):
    # Django's own commands run as `accord manage X`: its help, its usage errors and
    # Django's list of commands say so (`accord help shell` printed "usage: accord shell").
    shown = run("help", "shell")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: accord manage shell "), shown.stdout
    assert shown.stdout == run("manage", "shell", "--help").stdout
    assert run("manage", "help", "shell").stdout == shown.stdout
    listed = run("manage")
    assert "Type 'accord manage help <subcommand>' for help" in listed.stdout, listed.stdout
    wrong = run("manage", "shell", "--no-such-option")
    assert wrong.returncode == 2
    assert "accord manage shell: error: unrecognized arguments: --no-such-option" in wrong.stderr


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
