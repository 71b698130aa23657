"""What the plan, apply, export and import commands share."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from accord.interchange import engine
from accord.org.models import Organization


def read_source(path: str) -> bytes:
    """The file's bytes, refusing oversized files before reading them whole."""
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"No such file: {path}")
    size = p.stat().st_size
    limit = engine.max_bytes()
    if size > limit:
        raise CommandError(
            f"{path} is {size:,} bytes; organization files may be at most {limit:,} bytes "
            "(ACCORD_ORGFILE_MAX_BYTES). Nothing was changed."
        )
    with p.open("rb") as fh:
        return fh.read(limit + 1)


def find_org(slug: str | None, *, required: bool = True) -> Organization | None:
    if slug:
        org = Organization.objects.filter(slug=slug).first()
        if org is None and required:
            raise CommandError(f"No organization {slug!r}.")
        return org
    orgs = list(Organization.objects.all()[:2])
    if len(orgs) == 1:
        return orgs[0]
    if required:
        raise CommandError("Say which organization with --org SLUG.")
    return None


def write_json(path: str | None, data) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
