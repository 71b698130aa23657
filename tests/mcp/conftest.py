"""One small organization (and another one beside it) served by a real `accord serve`
on 127.0.0.1 for a whole test module, and a real MCP client to talk to it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import time
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import httpx2
import pytest
from django.utils import timezone
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from accord.alignment import services as alignment
from accord.api import services as token_services
from accord.briefings import compose
from accord.briefings import services as briefings
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.intelligence import evaluate as intelligence
from accord.org import services as org_services
from accord.org.models import Organization, Person, Role
from accord.rhythm import services as rhythm
from tests import replay
from tests.conftest import make_person
from tests.pillars_fixtures import build_small_org
from tests.rhythm.servers import free_port
from tests.test_worker import ACCORD, database_url


@dataclass
class World:
    org: Organization
    other: Organization
    url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    other_ids: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def _ids(org: Organization) -> dict[str, int]:
    from accord.alignment.models import Initiative, KeyResult, Objective
    from accord.decisions.models import Decision, Issue
    from accord.org.models import Team
    from accord.rhythm.models import Cadence

    def first(qs):
        return qs.filter(org=org).order_by("pk").values_list("pk", flat=True).first()

    return {
        "objective": first(Objective.objects.exclude(team=None)),
        "key_result": first(KeyResult.objects),
        "initiative": first(Initiative.objects),
        "dependency": first(Dependency.objects),
        "decision": first(Decision.objects),
        "issue": first(Issue.objects),
        "cadence": first(Cadence.objects.filter(name="Daily note")),
        "root": first(Team.objects.filter(parent=None)),
        "team": first(Team.objects.exclude(parent=None)),
        "admin": first(Person.objects.filter(name="Zed Admin")),
        "root_initiative": first(Initiative.objects.filter(team__parent=None)),
    }


def _build_org(slug: str, name: str) -> Organization:
    org = org_services.create_organization(name, slug)
    admin = make_person(org, "Zed Admin", Role.ADMIN)
    lead = make_person(org, "Lia Lead", Role.MEMBER)
    make_person(org, "Vera Viewer", Role.VIEWER)
    root = org_services.create_team(org, None, name=name, slug=f"{slug}-root")
    team = org_services.create_team(org, None, name="Engines", slug="engines", parent=root)
    org_services.add_membership(org, None, person=lead, team=team, role="lead")
    org_services.add_membership(org, None, person=admin, team=root, role="lead")
    build_small_org(org, admin, lead, root, team)
    dep = Dependency.objects.for_org(org).first()
    coordination.transition(org, None, dep, "flag_blocked", note="Waiting on the review")
    alignment.create_initiative(org, None, team=root, title="Zephyr reviews", owner=admin)
    # A daily check-in: one of its occurrences is always open to submit.
    rhythm.create_cadence(
        org,
        None,
        name="Daily note",
        rrule="FREQ=DAILY",
        time=dt.time(23, 30),
        timezone_name="UTC",
        kind="checkin",
        team=team,
        start_date=timezone.localdate() - dt.timedelta(days=3),
        owner=lead,
    )
    intelligence.evaluate(org)
    week = compose.last_complete_week(timezone.now())
    briefings.send_to_team(org, team, week)
    return org


def _build() -> tuple[Organization, Organization]:
    return _build_org("zephyr", "Zephyr Works"), _build_org("yonder", "Yonder Labs")


def _find() -> tuple[Organization, Organization]:
    return Organization.objects.get(slug="zephyr"), Organization.objects.get(slug="yonder")


def _token(org: Organization, name: str) -> str:
    person = Person.objects.get(org=org, name=name)
    return token_services.create_token(org, person, "mcp")[1]


@pytest.fixture(scope="module")
def server(django_db_setup):
    """`accord serve` on 127.0.0.1, on the test database, for the whole module."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url(), "SITE_URL": url}
    process = subprocess.Popen(
        [ACCORD, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-3000:]) from None
                time.sleep(0.2)
        yield url, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def world(server, transactional_db) -> World:
    """Two small organizations, committed (the server's process must see them): built
    once, replayed in later tests (each test's database is flushed after it), with fresh
    tokens of Zephyr's admin, a lead (a member who leads Engines) and a viewer."""
    org, other = replay.once(("mcp-world", timezone.localdate()), _build, _find)
    w = World(org, other, url=server[0], env=server[1], ids=_ids(org), other_ids=_ids(other))
    w.tokens = {
        "admin": _token(org, "Zed Admin"),
        "lead": _token(org, "Lia Lead"),
        "viewer": _token(org, "Vera Viewer"),
        "other": _token(other, "Zed Admin"),
    }
    return w


@asynccontextmanager
async def http_session(world: World, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as client,
        streamable_http_client(f"{world.url}/mcp", http_client=client) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        yield session


@asynccontextmanager
async def stdio_session(world: World, token: str, **env: str):
    params = StdioServerParameters(
        command=ACCORD, args=["mcp"], env={**world.env, **env, "ACCORD_TOKEN": token}
    )
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def run(fn, *args):
    """Run an async test body (no async plugin needed)."""
    return anyio.run(fn, *args)


def api(world: World, token: str, method: str, path: str, body: dict | None = None) -> dict:
    """The REST API of the same server, for comparing what MCP does with what it does."""
    request = urllib.request.Request(
        f"{world.url}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


@pytest.fixture(scope="module", autouse=True)
def _no_event_loop_in_this_thread():
    """Playwright's sync API, used by browser tests that may run earlier in this process,
    can leave its event loop marked as running in the main thread; a request served by
    `accord serve` (a sync worker) never has one, and the /mcp view relies on that, as do
    these tests' own `anyio.run`. Each module gets the thread as a server would give it.

    Module-scoped, and autouse so that it comes before every other module fixture: Django
    keeps a thread's connections apart by whether a loop runs in it, so a module fixture
    (`generated`'s transaction) opened with the mark and a test run without it would use
    two connections, the second waiting on the first's write lock on SQLite."""
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    yield
    asyncio._set_running_loop(loop)
