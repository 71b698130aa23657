"""`accord export`: write an organization out as YAML (or a zip of CSVs)."""

from __future__ import annotations

import os
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
            "--person",
            metavar="EMAIL",
            help="only what Accord holds about this person, found by any of their addresses",
        )

    def handle(self, *args, **opts):
        org = find_org(opts.get("org"))
        person = None
        if opts.get("person"):
            from accord.org import queries

            if opts["format"] == "csv":
                raise CommandError("A person's own data is exported as YAML only.")
            person = queries.find_person(org, email=opts["person"].strip())
            if person is None:
                raise CommandError(f"No one in {org.name} has the address {opts['person']}.")
            chunks = services.export_person(person)
        elif opts["format"] == "csv":
            from accord.interchange import csvio

            chunks = csvio.export_zip(org)
        else:
            chunks = services.export_yaml(org)

        def recorded():  # once the output is open: a file that cannot be written records none
            services.record_export(org, None, fmt=opts["format"], via="command", person=person)

        try:
            self._write(opts.get("output"), chunks, recorded)
        except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _write(self, target: str | None, chunks, recorded) -> None:
        """`chunks` (text, or bytes for a zip) to the file `target`, or to standard output,
        calling `recorded()` once the output is open."""
        if not target or target == "-":
            recorded()
            for chunk in chunks:
                if isinstance(chunk, bytes):
                    sys.stdout.buffer.write(chunk)
                else:
                    self.stdout.write(chunk, ending="")
            self.stdout.flush()
            return
        try:
            out = open(target, "wb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot write {target}: {exc.strerror}.") from None
        with out:
            recorded()
            for chunk in chunks:
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
