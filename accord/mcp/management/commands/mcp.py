"""accord mcp: Accord's MCP server over stdio, for assistants that start a local process."""

from __future__ import annotations

import os

import anyio
from django.core.management.base import BaseCommand, CommandError

from accord.api import services as tokens
from accord.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Serve Accord's MCP tools, resources and prompts over stdio, as the person of an "
        "API token (--token, else the ACCORD_TOKEN environment variable)."
    )
    # An assistant starts this for each of its sessions, as a person starts `manage shell`:
    # like Django's shell, it leaves the system checks (a second of every start) to
    # `accord serve` and `accord worker`, which run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--token",
            default="",
            help="An API token (acc_…); prefer ACCORD_TOKEN, which other users cannot see.",
        )

    def handle(self, *args, token: str, **options):
        raw = (token or os.environ.get("ACCORD_TOKEN", "")).strip()
        if not raw:
            raise CommandError(
                "Give an API token: set ACCORD_TOKEN (or --token). Create one under "
                "the menu under your name → API tokens."
            )
        # The same lookup as the API's TokenAuth: active token, active person.
        try:
            found = tokens.authenticate(raw)
        except ServiceError as exc:  # revoked, or its person deactivated: says when, by whom
            raise CommandError(exc.message) from exc
        if found is None:
            raise CommandError("That API token is not valid: Accord has no such token.")
        from accord.mcp.server import acting_as, load

        server = load()
        with acting_as(found.org, found.person, found, count_calls=True):
            anyio.run(server.run_stdio_async)
