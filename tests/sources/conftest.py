"""A local HTTP server standing in for the sources and trackers Accord pulls from, and a
key result and an initiative of the cast's organization to pull into."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accord.alignment import services as alignment
from accord.alignment.models import Initiative, KeyResult


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Upstream:
    """Answers each GET by its exact path and query; records what it was asked."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def answer(self, path: str, body: bytes | str, status: int = 200, **kw) -> str:
        raw = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, raw, **kw)
        return self.base + path


@pytest.fixture
def upstream():
    state = Upstream()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append((self.path, dict(self.headers.items())))
            route = state.routes.get(self.path, Route(404, b'{"message": "Not Found"}'))
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def kr(cast) -> KeyResult:
    org = cast.org
    today = dt.date.today()
    period = alignment.create_period(
        org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        is_current=True,
    )
    objective = alignment.create_objective(
        org, None, title="Grow signups", period=period, team=cast.platform, owner=cast.leader
    )
    return alignment.create_key_result(
        org, None, objective, name="Weekly signups", start=0, target=200, owner=cast.member
    )


@pytest.fixture
def initiative(cast) -> Initiative:
    return alignment.create_initiative(
        cast.org, None, team=cast.platform, title="New checkout", owner=cast.member
    )
