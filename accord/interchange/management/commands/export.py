"""`accord export`: write an organization out as YAML (or a zip of CSVs)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from accord.interchange import services
from accord.interchange.management.commands._common import find_org


class Command(BaseCommand):
    help = "Write an organization out in the organization-file format (YAML) or as CSVs (zip)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of the organization")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=["yaml", "csv"], default="yaml")
        parser.add_argument(
            "--person", metavar="EMAIL", help="only what Accord holds about this person"
        )

    def handle(self, *args, **opts):
        org = find_org(opts.get("org"))
        if opts.get("person"):
            from accord.org.models import Person

            person = Person.objects.filter(org=org, email__iexact=opts["person"]).first()
            if person is None:
                raise CommandError(f"No one with the e-mail {opts['person']} in {org.name}.")
            for chunk in services.export_person(person):
                self.stdout.write(chunk, ending="")
            return
        if opts["format"] == "csv":
            from accord.interchange import csvio

            target = opts.get("output") or "-"
            out = sys.stdout.buffer if target == "-" else open(target, "wb")  # noqa: SIM115
            try:
                for chunk in csvio.export_zip(org):
                    out.write(chunk)
            finally:
                if out is not sys.stdout.buffer:
                    out.close()
            return
        if opts.get("output"):
            with open(opts["output"], "w", encoding="utf-8") as fh:
                for chunk in services.export_yaml(org):
                    fh.write(chunk)
        else:
            for chunk in services.export_yaml(org):
                self.stdout.write(chunk, ending="")
