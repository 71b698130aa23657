"""Shared by the organization-file tests."""

from __future__ import annotations

import io

from django.core.management import call_command

from accord.activity.models import Event

ORG_FILE = """\
accord: 1
organization: {name: Initech, slug: initech}
teams:
  - slug: initech
    name: Initech
  - slug: eng
    name: Engineering
    parent: initech
    description: Builds the TPS report generator.
  - slug: ops
    name: Operations
    parent: initech
people:
  - email: bill@initech.example
    name: Bill Lumbergh
    role: admin
    title: Vice President
  - email: peter@initech.example
    name: Peter Gibbons
    timezone: America/Chicago
  - email: milton@initech.example
    name: Milton Waddams
    active: false
memberships:
  - {team: eng, person: peter@initech.example, role: lead, allocation: 60}
  - {team: ops, person: peter@initech.example, allocation: 40}
  - {team: initech, person: bill@initech.example, role: lead}
"""


def dump() -> str:
    """The whole database as JSON, to compare before and after."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        "org",
        "activity",
        "alignment",
        "coordination",
        "rhythm",
        "decisions",
        "interchange",
        "auth.user",
        stdout=out,
        format="json",
        indent=None,
    )
    return out.getvalue()


def event_count() -> int:
    return Event.objects.count()
