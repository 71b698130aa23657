"""What the benchmarks that fetch pages in-process share: the database bench/pages.py
kept, Django's test client made to behave like a server's requests, and the admin who
reads the pages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def add_database_arguments(parser) -> None:
    """`--data-dir` or `--database-url`: where bench/pages.py kept its organizations."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--data-dir", help="a data directory holding bench/pages.py's database")
    where.add_argument("--database-url", help="the PostgreSQL database bench/pages.py used")


def use_database(args) -> None:
    """Set Django up on the database `add_database_arguments` named."""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ACCORD_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def serve_in_process() -> None:
    """Let the test client reach the app as a server would, and keep one database
    connection across requests (closing it after each would time reconnects, not pages)."""
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = ["testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def bench_admin(org):
    """The organization's benchmark admin, made once with a login."""
    from accord.org import services as org_services
    from accord.org.models import Person, Role

    email = f"bench-admin@{org.slug}.example"
    return Person.objects.filter(org=org, email=email).first() or org_services.add_person(
        org,
        None,
        name="Bench Admin",
        email=email,
        role=Role.ADMIN,
        user=org_services.ensure_user(email, "bench-admin-passphrase", name="Bench Admin"),
    )
