"""The `accord` command's own behaviour around Django's commands."""

from __future__ import annotations

import pytest


def test_a_refusal_no_command_worded_is_said_plainly_with_exit_status_1(monkeypatch, capsys):
    import django.core.management

    from accord import cli
    from accord.core.errors import ServiceError

    def refuse(utility):
        raise ServiceError("The address 'acme' is taken.")

    # (`accord` runs Django's ManagementUtility, finding `load-demo` as load_demo)
    monkeypatch.setattr(django.core.management.ManagementUtility, "execute", refuse)
    assert cli.main(["apply", "file.yaml"]) == 1
    err = capsys.readouterr().err
    assert err == "accord apply: The address 'acme' is taken.\n"


@pytest.mark.parametrize("argv", [["nope"], ["--frobnicate"]])
def test_an_unknown_command_says_so_with_the_usage(argv, capsys):
    from accord import cli

    assert cli.main(argv) == 2
    assert "unknown command" in capsys.readouterr().err
