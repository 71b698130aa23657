"""The whole OpenAPI description, fuzzed: no input makes the API answer 5xx, and every
answer is one the description documents (status code, content type, body schema).

Schemathesis generates requests for every operation (valid and invalid ones: boundary
values, wrong types, huge numbers, nulls, odd strings), sends them in-process through
the WSGI application with a real admin token of the demo organization, and checks each
answer. The run is seeded and derandomized, so CI sees the same cases every time.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accord import demo
from accord.api import services as token_services
from accord.org.models import Person
from tests.api.conftest import FUZZ_CASES
from tests.conftest import check_constraints_now, module_transaction

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 3  # per operation and phase; the whole run stays within about two minutes
CASES: dict[str, int] = {}  # operation -> requests sent, printed at the end (-s)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The demo organization and an admin token of it, built once for the module and rolled
    back after it."""
    with module_transaction(django_db_blocker):
        org = demo.load()
        admin = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
        _, raw = token_services.create_token(org, admin, "fuzz")
        check_constraints_now()
        yield raw
    print(f"\nfuzzed {len(CASES)} operations with {sum(CASES.values())} requests")


@pytest.fixture
def in_process(db):
    """Requests share the test's transaction, as with Django's test client: the handler
    must not close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    from accord.api.main import api

    config = schemathesis.Config()
    config.projects.default.update(base_url="http://testserver")
    # Every path already answers 405 in the API's format for a method it lacks; sending each
    # undocumented method to each path would double the run for nothing new.
    config.projects.default.phases.coverage.unexpected_methods = set()
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    return schemathesis.openapi.from_dict(document, config=config)


schema = load_schema()
APP = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_answers_a_server_error_or_breaks_the_description(case, fuzz_world, in_process):
    token = fuzz_world
    key = case.operation.label
    CASES[key] = CASES.get(key, 0) + 1
    # Uncompressed: schemathesis reads a WSGI answer's body as sent, and would take a gzipped
    # one (its client asks for gzip by default) for a body that breaks the description.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    case.call_and_validate(app=APP, headers=headers, checks=CHECKS)


def test_each_operation_is_a_test_of_its_own(request):
    """Each operation's case is a test with its own id. pytest-xdist hands out tests by id:
    were the ids the same (pytest 9.2 builds schemathesis' ids from the function's name
    alone), a run on several workers would fuzz the first operation and pass the rest."""
    cases = request.config.stash.get(FUZZ_CASES, [])
    assert cases and len(set(cases)) == len(cases), cases[:3]
