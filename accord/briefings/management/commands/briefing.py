"""`accord briefing`: a person's or a team's weekly briefing in the terminal."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.briefings import compose, queries, render, services
from accord.core.errors import ServiceError
from accord.interchange.management.commands._common import find_org
from accord.org.models import Person, Team


class Command(BaseCommand):
    help = (
        "Show a weekly briefing: what changed, what is at risk, what needs you, what is "
        "blocked, what went well and what comes next. The stored one if it was sent, else "
        "built from that week's history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of the organization")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--person", help="e-mail address of the person")
        who.add_argument("--team", help="slug of the team")
        parser.add_argument(
            "--week", help="ISO week, e.g. 2026-W48 (default: the last complete week)"
        )
        parser.add_argument(
            "--format", choices=render.FORMATS, default="text", help="output (default: text)"
        )

    def handle(self, *args, **opts):
        org = find_org(opts.get("org"))
        person = team = None
        if opts.get("person"):
            person = (
                Person.objects.for_org(org).filter(email__iexact=opts["person"]).order_by("pk")
            ).first()
            if person is None:
                raise CommandError(f"No person with e-mail {opts['person']!r} in {org.name}.")
            tz = person.timezone
        else:
            team = Team.objects.for_org(org).filter(slug=opts["team"]).first()
            if team is None:
                raise CommandError(f"No team {opts['team']!r} in {org.name}.")
            tz = "UTC"
        try:
            week = (
                compose.parse_week(opts["week"], tz)
                if opts.get("week")
                else compose.last_complete_week(timezone.now(), tz)
            )
            services.check_readable_week(org, week, timezone.now())
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        stored = (
            queries.briefings_of(org, person).filter(week=week.label).first() if person else None
        )
        content = (
            stored.content if stored else services.build_for(org, week, person=person, team=team)
        )
        self.stdout.write(render.render(content, opts["format"]), ending="")
