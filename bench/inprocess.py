"""What the benchmarks that fetch pages in-process share: Django's test client made to
behave like a server's requests, and the admin who reads the pages."""

from __future__ import annotations


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
