"""Load on real `accord serve` processes: N concurrent clients for a bounded time.

    # (a) the main pages and API lists, 50 clients, 60 s, two app servers on PostgreSQL
    .venv/bin/python bench/load.py --database-url postgres://accord@127.0.0.1:PORT/accord \\
        --org bench-10000 --servers 2 --clients 50 --seconds 60
    # the same on a copy of a SQLite database, one server
    .venv/bin/python bench/load.py --data-dir /tmp/copy-10k --org bench-10000 --servers 1
    # (b) the main pages against the shell alone and the health check, 20 clients
    .venv/bin/python bench/load.py --data-dir /tmp/copy-10k --org bench-10000 --servers 1 \\
        --clients 20 --seconds 60 --health

The organization must exist (`accord generate`). This process signs an admin and the lead
of a leaf team in (a session each, written to that database) and creates an API token, so
point it only at a database of your own. Each server is `accord serve` with its defaults
(gunicorn, 2 sync workers) on its own 127.0.0.1 port; client i talks to server i mod N, as
behind a round-robin balancer. Every client loops over the pages of bench/pages.py (the
main pages and API lists) until the time is up, one new loopback connection per request.
Prints requests/s, p50/p95/p99 latency, errors by status, and the load average before and
after (the machine is shared: the figures are only as good as it was quiet).
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from interchange_load import Stats, free_port, wait_for_port  # noqa: E402


def load_avg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def setup(args) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["ACCORD_DATA_DIR"] = args.data_dir or "/tmp/accord-load"
    os.environ.setdefault("SECRET_KEY", "load-" + secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def targets(slug: str) -> tuple[list[tuple[str, str]], dict[str, str], str]:
    """[(who, url)], {who: session cookie}, API token."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from pages import pages, viewers

    from accord.api import services as token_services
    from accord.org.models import Organization

    org = Organization.objects.get(slug=slug)
    people = viewers(org)
    admin = people["admin"]
    cookies = {}
    for who, person in people.items():
        session = SessionStore()
        session[SESSION_KEY] = str(person.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.user.get_session_auth_hash()
        session.save()
        cookies[who] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    _, token = token_services.create_token(org, admin, "load")
    return [(who, url) for _label, who, url in pages(org)], cookies, token


def fetch(port: int, url: str, headers: dict) -> int | str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def run(ports, work, clients: int, seconds: float) -> tuple[Stats, float]:
    stats = Stats()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        port = ports[n % len(ports)]
        i = n  # each client starts at a different page
        while time.monotonic() < stop:
            url, headers = work[i % len(work)]
            began = time.monotonic()
            status = fetch(port, url, headers)
            stats.add(time.monotonic() - began, status)
            i += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    return stats, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url", help="a PostgreSQL database of your own")
    where.add_argument("--data-dir", help="a data directory holding a copy of accord.sqlite3")
    parser.add_argument("--org", default="bench-10000")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--health",
        action="store_true",
        help="also load the shell alone (the password form) and /healthz alone",
    )
    args = parser.parse_args()
    if not (1 <= args.servers <= 8 and 1 <= args.clients <= 200 and 1 <= args.seconds <= 600):
        raise SystemExit("--servers 1-8, --clients 1-200, --seconds 1-600")
    setup(args)
    from django.db import connection

    pages, cookies, token = targets(args.org)
    connection.close()
    work = [
        (
            url,
            {"Authorization": f"Bearer {token}"}
            if url.startswith("/api/")
            else {"Cookie": cookies[who]},
        )
        for who, url in pages
    ]
    work_headers = {who: {"Cookie": cookie} for who, cookie in cookies.items()}
    ports = [free_port() for _ in range(args.servers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Each server's log, to read when a run counts errors.
    logs = [Path(os.environ["ACCORD_DATA_DIR"]) / f"load-server-{port}.log" for port in ports]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "accord.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port in ports:
            wait_for_port(port, 120)
        for url, headers in work:  # every page answers before timing starts (and is warm)
            status = fetch(ports[0], url, headers)
            if status != 200:
                raise SystemExit(f"{url} answered {status}")
        db = f"{connection.vendor}"
        print(
            f"{args.org} on {db}, {args.servers} server(s) x 2 gunicorn workers, "
            f"{args.clients} clients, {args.seconds:.0f} s, {len(work)} pages in rotation"
        )
        print("| what | requests | req/s | p50 ms | p95 ms | p99 ms | ok | errors | load avg |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---|")
        runs = [("main pages and API lists", work)]
        if args.health:
            # The cheapest page a signed-in person can open: the request path, the session,
            # the organization and the shell around a form that reads nothing. What no page
            # can beat on this stack, next to the health check, which skips all of it.
            shell = f"/o/{args.org}/password/"
            runs.append(("the shell alone (the password form)", [(shell, work_headers["admin"])]))
            runs.append(("health check (/healthz)", [("/healthz", {})]))
        for label, rotation in runs:
            before = load_avg()
            stats, took = run(ports, rotation, args.clients, args.seconds)
            print(stats.line(label, took) + f" {before} → {load_avg()} |", flush=True)
            statuses = Counter(stats.statuses)
            if any(not (isinstance(s, int) and s < 400) for s in statuses):
                print(f"  errors: {dict(statuses)}; the servers' logs: {', '.join(map(str, logs))}")
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
