"""Generated organizations shared by a test module: built once inside a transaction that
is rolled back after the module, so nothing outlives it (each test still runs in its own
savepoint)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accord.core.generator import generate

NOW = timezone.now().astimezone(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Two organizations of 30 and 200 teams, generated as of now."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            small = generate(30, seed=3, slug="gen-small", now=NOW)
            large = generate(200, seed=4, slug="gen-large", now=NOW)
            yield {"small": small.org, "large": large.org}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(params=["small", "large"])
def org(request, generated, db):
    return generated[request.param]
