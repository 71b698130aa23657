"""accord load-demo: the demo organization, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accord import demo


class Command(BaseCommand):
    help = "Load the demo organization (Northwind Outfitters) if it is not there yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo organization first."
        )

    def handle(self, *args, reset: bool, **options):
        if reset:
            demo.reset()
            self.stdout.write("Deleted the demo organization.")
        org = demo.load()
        if org is None:
            self.stdout.write(
                f"The demo organization is already loaded (/o/{demo.DEMO_SLUG}/); nothing to do."
            )
            return
        from accord.org.models import Person, Team

        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {org.name}: {Team.objects.for_org(org).count()} teams, "
                f"{Person.objects.for_org(org).count()} people."
            )
        )
        self.stdout.write(f"Sign in as {demo.DEMO_LOGIN} with password {demo.DEMO_PASSWORD}")
