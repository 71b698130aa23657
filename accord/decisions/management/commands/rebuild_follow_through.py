"""`manage.py rebuild_follow_through`: count an organization's stored follow-through anew
from its action items (after rows were written around the services)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accord.decisions import followthrough
from accord.interchange.management.commands._common import find_org
from accord.org.models import Organization


class Command(BaseCommand):
    help = "Rebuild the stored follow-through tallies from the action items."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of the organization")
        parser.add_argument("--all", action="store_true", help="every organization")

    def handle(self, *args, **opts):
        if opts["all"]:
            orgs = list(Organization.objects.order_by("id"))
        else:
            org = find_org(opts.get("org"))
            assert org is not None
            orgs = [org]
        for org in orgs:
            with transaction.atomic():
                rows = followthrough.recompute(org.pk)
            self.stdout.write(f"{org.slug}: {rows:,} follow-through tallies stored")
