"""The cast every test can use: one organization with a person of each role, and an outsider.

Like healthchecks' BaseTestCase: `cast.admin`, `cast.leader`, `cast.member`, `cast.viewer`
belong to Acme; `cast.outsider` is the admin of Globex, another tenant. Each has a login.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accord.api import services as token_services
from accord.core.generator import generate
from accord.org import services
from accord.org.models import MembershipRole, Organization, Person, Role, Team
from tests import replay, template_db

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords the slow, safe way is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The servers these tests call (chat, webhook receivers, sources) listen on 127.0.0.1;
    # tests of the refusal itself turn this off.
    settings.OUTBOUND_ALLOW_PRIVATE = True
    # Servers and `accord mcp` processes that tests start write to the same SQLite file;
    # one still closing may hold the write lock for a few seconds on a loaded machine.
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's test databases, copied from a template migrated once
    (tests/template_db.py) instead of migrated from scratch in every test process."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        template_db.prepare(createdb=request.config.getvalue("create_db"))
        # keepdb: use the copy just made (its migrations all applied) rather than a new one.
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=True,
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity)


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "_django_db_helper"}


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marker
def pytest_collection_modifyitems(config, items):
    """Mark `no_database` the tests that reach no database under test (pure functions,
    settings probed in a subprocess, a SQLite file of their own): the PostgreSQL pass of
    scripts/test.sh leaves them out, since they would only repeat the SQLite pass. Mark
    `browser` every test under tests/browser/, which the same pass leaves out too."""
    browser = config.rootpath / "tests" / "browser"
    for item in items:
        if item.path.is_relative_to(browser):
            item.add_marker(pytest.mark.browser)
        if not (DATABASE_FIXTURES & set(item.fixturenames) or item.get_closest_marker("django_db")):
            item.add_marker(pytest.mark.no_database)


@dataclass
class Cast:
    org: Organization
    admin: Person
    leader: Person
    member: Person
    viewer: Person
    root: Team
    platform: Team
    other_org: Organization
    outsider: Person
    other_team: Team


def make_person(org: Organization, name: str, role: str) -> Person:
    email = f"{name.lower().replace(' ', '.')}@{org.slug}.example"
    user = services.ensure_user(email, PASSWORD, name=name)
    return services.add_person(org, None, name=name, email=email, role=role, user=user)


def _build_cast() -> Cast:
    org = services.create_organization("Acme", "acme")
    admin = make_person(org, "Ada Admin", Role.ADMIN)
    leader = make_person(org, "Leo Leader", Role.LEADER)
    member = make_person(org, "Mia Member", Role.MEMBER)
    viewer = make_person(org, "Vic Viewer", Role.VIEWER)
    root = services.create_team(org, None, name="Acme", slug="acme")
    platform = services.create_team(org, None, name="Platform", slug="platform", parent=root)
    services.add_membership(
        org, None, person=member, team=platform, role=MembershipRole.MEMBER, allocation=50
    )
    other = services.create_organization("Globex", "globex")
    outsider = make_person(other, "Otto Outsider", Role.ADMIN)
    other_team = services.create_team(other, None, name="Globex Labs", slug="labs")
    return Cast(org, admin, leader, member, viewer, root, platform, other, outsider, other_team)


def _find_cast() -> Cast:
    org, other = Organization.objects.get(slug="acme"), Organization.objects.get(slug="globex")
    people = {p.name: p for p in Person.objects.filter(org__in=[org, other])}
    teams = {(t.org_id, t.slug): t for t in Team.objects.filter(org__in=[org, other])}
    return Cast(
        org,
        people["Ada Admin"],
        people["Leo Leader"],
        people["Mia Member"],
        people["Vic Viewer"],
        teams[org.pk, "acme"],
        teams[org.pk, "platform"],
        other,
        people["Otto Outsider"],
        teams[other.pk, "labs"],
    )


def replayed_cast() -> Cast:
    """Built through the services once per test process, and replayed after as if made now
    (tests/replay.py): some eighty queries a test, in nearly every test."""
    return replay.once(("cast", timezone.localdate()), _build_cast, _find_cast, as_of_now=True)


@pytest.fixture
def cast(db) -> Cast:
    return replayed_cast()


@contextlib.contextmanager
def at(instant):
    """Within this block, now is `instant` (`django.utils.timezone.now`)."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


@pytest.fixture
def clock():
    """Accord's clock, set by the test (`clock.at(day, hour)`): now is what it says, nothing
    else (`tests.intelligence.world.Clock`)."""
    from tests.intelligence.world import Clock, controlled

    c = Clock()
    with controlled(c):
        yield c


def login(person: Person) -> Client:
    """A browser-like client signed in as `person`."""
    client = Client()
    client.force_login(person.user)
    return client


def sqlite_plan(sql: str, params=()) -> str:
    """SQLite's plan of a statement, its steps joined by " | " (EXPLAIN QUERY PLAN)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def check_figure(shown, add, key: str, monkeypatch) -> None:
    """What a page's figure (`accord.core.counting.figures`) promises: exact on every view
    up to FIGURES_EXACT, so a row `add`ed shows at once; beyond it, counted whole and then
    read from the cache under `key` (a row added meanwhile shows when the minute is up).
    `shown()` reads the figure off the page; `add(name)` adds a row it counts."""
    from django.core.cache import cache

    from accord.core import counting

    before = shown()
    add("first")
    assert shown() == before + 1  # at once
    monkeypatch.setattr(counting, "FIGURES_EXACT", 2)
    cache.delete(key)
    assert shown() == before + 1  # counted whole, then kept a minute
    add("second")
    assert shown() == before + 1
    cache.delete(key)  # as when the minute is up
    assert shown() == before + 2


def api_client(person: Person) -> Client:
    """An API client holding a fresh token of `person`."""
    _, raw = token_services.create_token(person.org, person, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def as_admin(cast) -> Client:
    return login(cast.admin)


@pytest.fixture
def api_admin(cast) -> Client:
    return api_client(cast.admin)


# Generated organizations (`accord generate`) shared by a test module: generated once per
# run into a second template database, which each module's tests use a copy of (each test
# still runs in its own savepoint). For tests that check what grows with an organization's
# size (tests/generate, tests/scale).
# The moment is the run's, shared with pytest-xdist's processes (they inherit the
# environment), so that they can share one template (tests/template_db.py, `derived`).
GENERATED_NOW = dt.datetime.fromisoformat(
    os.environ.setdefault(
        "ACCORD_TEST_GENERATED_NOW",
        timezone.now().astimezone(dt.UTC).replace(microsecond=0).isoformat(),
    )
)


def _generate() -> dict[str, Organization]:
    small = generate(30, seed=3, slug="gen-small", now=GENERATED_NOW)
    large = generate(200, seed=4, slug="gen-large", now=GENERATED_NOW)
    return {"small": small.org, "large": large.org}


def check_constraints_now() -> None:
    """Check now the foreign keys of the rows a module fixture wrote in its open transaction.

    PostgreSQL defers those checks to the commit, and Django checks them after each test
    before rolling the test back: each rollback would undo the check and the next test would
    run it again (over a second a test for thousands of rows). Checked once here, they
    leave nothing for the tests to re-check."""
    connection.check_constraints()


@contextlib.contextmanager
def module_transaction(django_db_blocker) -> Iterator[None]:
    """Database access for a module fixture, in a transaction rolled back after the module:
    what the fixture writes is gone without deleting anything, and each test still runs in a
    savepoint of its own. Call check_constraints_now() once the fixture's rows are written."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Two organizations of 30 and 200 teams, generated as of now: the module's tests run on
    a copy of a test database that holds them (tests/template_db.py, `derived`)."""
    with (
        django_db_blocker.unblock(),
        template_db.derived(("generated", GENERATED_NOW), _generate) as orgs,
    ):
        yield orgs


@pytest.fixture(scope="session", autouse=True)
def _demo_built_once():
    """`demo.load()` builds Northwind once per test process and replays its rows after
    (tests/replay.py): the same organization, without ten seconds per test."""
    from accord import demo

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "load", replay.load)
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """Static files are served as `accord serve` serves them: collected into STATIC_ROOT
    (once, when they changed: accord/core/staticfiles.py), under hashed names, compressed.
    WhiteNoise lists and stats every collected file when its middleware is built, and
    Django's test client builds the middleware again for each client: thousands of times a
    run. The files do not change during a run, so each test process lists them once and
    gives every new middleware the same list. pytest-django's live server would serve
    /static/ itself, from the sources by their own names (Django's StaticFilesHandler): it
    leaves them to the app, whose WhiteNoise serves them as `accord serve` does."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from whitenoise.middleware import WhiteNoiseMiddleware

    from accord.core import staticfiles

    staticfiles.ensure_collected()
    listed: dict[tuple[str, str], dict] = {}
    list_them = WhiteNoiseMiddleware.update_files_dictionary

    def update_files_dictionary(self, root, prefix):
        if (root, prefix) not in listed:
            before = dict(self.files)
            list_them(self, root, prefix)
            listed[root, prefix] = {
                url: file for url, file in self.files.items() if before.get(url) is not file
            }
        self.files.update(listed[root, prefix])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "update_files_dictionary", update_files_dictionary)
        patch.setattr(StaticFilesHandler, "_should_handle", lambda self, path: False)
        yield


@pytest.fixture(autouse=True)
def _no_evaluation_claimed_yet(monkeypatch):
    """A process remembers which five-minute slot it last claimed for an organization's
    evaluation (`intelligence.tasks._claimed`), by the organization's id. A test's rows are
    rolled back and the next test's organization may get the same id: remembered, the
    claim would skip the evaluation that test asks for, as it did when two tests met in
    the same slot on one worker."""
    from accord.intelligence import tasks

    monkeypatch.setattr(tasks, "_claimed", {})


@contextlib.contextmanager
def asked_of_the_database():
    """Every (sql, params) the database is asked while the block runs."""
    seen: list[tuple[str, tuple]] = []

    def remember(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(remember):
        yield seen


def team_lookups_of(seen, value: str) -> list:
    """The lookups in the teams' table with `value` (as the URL sends it) for a parameter."""
    raw = value.replace("%00", "\x00").replace("%3Cb%3E", "<b>").replace("%20", " ")
    return [
        params
        for sql, params in seen
        if "org_team" in sql and any(isinstance(p, str) and raw in p for p in params)
    ]
