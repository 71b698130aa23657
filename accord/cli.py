"""The `accord` command: a thin front door to Accord's management commands."""

from __future__ import annotations

import os
import sys

# name on the command line -> (management command, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "Set up the database, load the demo organization, run worker and web app."),
    "serve": ("serve", "Serve the web app and API (gunicorn)."),
    "worker": ("worker", "Run background tasks and the scheduler for periodic work."),
    "migrate": ("migrate", "Create or update the database tables."),
    "createadmin": ("createadmin", "Create an admin login for an organization."),
    "password": ("password", "Let someone of an organization sign in with a password."),
    "forget": ("forget", "Erase a deactivated person's personal data (asks for --yes)."),
    "load-demo": ("load_demo", "Load the demo organization (idempotent; --reset reloads it)."),
    "plan": ("plan", "Show what applying an organization file would create, change, remove."),
    "apply": ("apply", "Apply an organization file (YAML); applying it again changes nothing."),
    "export": ("export", "Write an organization out as YAML (or a zip of CSVs)."),
    "import": (
        "import",
        "Import a CSV (`accord import csv FILE`) or Kubernetes data (`… kubernetes DIR`).",
    ),
    "signals": ("signals", "List an organization's signals (a team's subtree, as of a date)."),
    "health": ("health", "Show coordination health per team and dimension (as of a date)."),
    "briefing": ("briefing", "Show a person's or a team's weekly briefing (any past week)."),
    "generate": ("generate", "Generate a synthetic organization of N teams, with its history."),
    "fill-event-teams": (
        "fill_event_teams",
        "Give the events recorded before events had a team their subject's team.",
    ),
    "mcp": ("mcp", "Serve the MCP tools for AI assistants over stdio (ACCORD_TOKEN)."),
    "manage": ("", "Run any Django management command, e.g. `accord manage shell`."),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: accord <command> [options]",
        "",
        "Accord: the coordination system for team-of-teams organizations.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()),
        "",
        "`accord <command> --help` describes a command's options.",
        "Settings come from environment variables; see the README.",
    ]
    return "\n".join(lines)


def _utility():
    """Django's command runner, finding a command by its name on the command line too."""
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            known = COMMANDS.get(subcommand)
            return super().fetch_command(known[0] if known and known[0] else subcommand)

    return Utility


def _django_command(name: str) -> bool:
    """Whether `name` is one of Django's commands (`accord manage <name>`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import get_commands

    try:
        return name in get_commands()
    except ImproperlyConfigured:
        return True  # said plainly when the command runs


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"] and len(argv) > 1:
        # `accord help plan` is `accord plan --help`; `accord help shell` (the hint of
        # `accord manage`, whose commands are Django's) is `accord manage shell --help`.
        name = argv[1]
        if name not in COMMANDS and not _django_command(name):
            print(f"accord: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
            return 2  # as `accord <name>` answers
        argv = [name, "--help"] if name in COMMANDS else ["manage", name, "--help"]
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if argv[0] in ("-V", "--version"):
        from accord import __version__

        print(f"accord {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"accord: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads and checks the environment)
    except ImproperlyConfigured as exc:
        print(f"accord: {exc}. See the README's Settings section.", file=sys.stderr)
        return 1

    # A command is run under the name it was given (`load-demo`), so its --help and its
    # usage errors name it as the command line spells it: `accord load-demo`, and one of
    # Django's through `manage` as `accord manage shell` (Django's list of them says to
    # type `accord manage help <subcommand>`).
    prog, args = ("accord manage", rest) if name == "manage" else ("accord", [name, *rest])
    from django.db import DatabaseError

    from accord.core.errors import ServiceError

    try:
        _utility()([prog, *args]).execute()
    except KeyboardInterrupt:
        return 130
    except ServiceError as exc:  # a refusal a command did not word itself: said plainly
        print(f"accord {name}: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        missing = ("no such table", "does not exist")
        if not any(word in str(exc) for word in missing):
            raise
        # A database not set up yet, or behind this version of Accord: said plainly.
        print(
            f"accord {name}: the database is not set up for this version of Accord "
            f"({str(exc).splitlines()[0]}); run `accord migrate` first.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
