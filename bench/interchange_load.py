"""Load on SQLite with the default server settings, alone and while a large file is applied.

    .venv/bin/python bench/interchange_load.py [--seconds 60] [--people 20000]

A fresh data directory (SQLite, WAL) is migrated and given one organization, an admin
and an API token; `accord serve` (its defaults: gunicorn, 2 sync workers, 60 s timeout)
listens on 127.0.0.1. Then, twice for `--seconds`:

1. 50 reader threads (GET /api/v1/teams, /api/v1/people) and 5 writer threads
   (POST /api/v1/teams), each request on a new loopback connection;
2. the same while `accord worker` applies a synthetic organization file of `--people`
   people (bench/orgfile_gen.py) into that organization as a background import job.

Prints requests/s, p50/p95/p99 latency and errors by status for readers and writers, and
how long the apply took. Everything stops by itself (bounded loops, timeouts).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()  # other servers may run on this machine: never share one


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()

    def add(self, seconds: float, status: int | str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1

    def line(self, label: str, duration: float) -> str:
        ok = sum(n for s, n in self.statuses.items() if isinstance(s, int) and s < 400)
        errors = {s: n for s, n in self.statuses.items() if not (isinstance(s, int) and s < 400)}
        ms = [1000 * x for x in self.latencies]
        return (
            f"| {label} | {len(ms):,} | {len(ms) / duration:.1f} | {percentile(ms, 50):.0f} | "
            f"{percentile(ms, 95):.0f} | {percentile(ms, 99):.0f} | {ok:,} | "
            f"{sum(errors.values())} {dict(errors) if errors else ''} |"
        )


def request(method: str, path: str, token: str, body: dict | None = None) -> int | str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=90)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def load(token: str, seconds: float, readers: int = 50, writers: int = 5, tag: str = "a"):
    reads, writes = Stats(), Stats()
    stop = time.monotonic() + seconds

    def reader(n: int) -> None:
        paths = ["/api/v1/teams?limit=50", "/api/v1/people?limit=50"]
        i = 0
        while time.monotonic() < stop:
            began = time.monotonic()
            status = request("GET", paths[(n + i) % 2], token)
            reads.add(time.monotonic() - began, status)
            i += 1

    def writer(n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            began = time.monotonic()
            body = {"name": f"Load {tag} {n}-{i}", "slug": f"load-{tag}-{n}-{i}"}
            status = request("POST", "/api/v1/teams", token, body)
            writes.add(time.monotonic() - began, status)
            i += 1

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return reads, writes, time.monotonic() - began


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port}")


def setup_django(data_dir: str):
    os.environ["ACCORD_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def accord(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "accord.cli", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
        **kwargs,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--apply-timeout", type=float, default=1800)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="accord-bench-")
    setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accord.api import services as tokens
    from accord.interchange import services
    from accord.interchange.models import ImportJob
    from accord.org import services as org

    user = org.ensure_user("admin@bench.example", "bench-password", name="Bench Admin")
    organization = org.create_organization("Bench", "bench", owner_user=user)
    from accord.org.models import Person

    admin = Person.objects.get(org=organization, user=user)
    for n in range(50):
        org.create_team(organization, None, name=f"Seed {n}", slug=f"seed-{n}")
    _, token = tokens.create_token(organization, admin, "bench")
    from django.db import connections

    connections.close_all()

    log_path = Path(data_dir) / "serve.log"
    log = log_path.open("wb")
    server = accord("serve", "--port", str(PORT), stdout=log, stderr=subprocess.STDOUT)
    worker = None
    try:
        wait_for_port(PORT)
        print(f"data: {data_dir}; serve on 127.0.0.1:{PORT} (2 sync workers)")
        print("| run | requests | req/s | p50 ms | p95 ms | p99 ms | ok | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        reads, writes, took = load(token, args.seconds, tag="a")
        print(reads.line("readers (50), alone", took), flush=True)
        print(writes.line("writers (5), alone", took), flush=True)

        from bench.orgfile_gen import org_file

        content = org_file(args.people, slug="bench").encode()
        job = services.submit_job(
            organization, admin, name="big.yaml", content=content, kind="apply", strict=False
        )
        connections.close_all()
        worker = accord("worker", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        began = time.monotonic()
        # The load starts once the worker writes (reading and validating take no lock).
        while time.monotonic() < began + args.apply_timeout:
            job.refresh_from_db()
            connections.close_all()
            if job.total or job.state in (ImportJob.State.DONE, ImportJob.State.FAILED):
                break
            time.sleep(1)
        print(f"writing began after {time.monotonic() - began:.0f} s (reading, validating)")
        first = job.done
        reads, writes, took = load(token, args.seconds, tag="b")
        job.refresh_from_db()
        connections.close_all()
        print(f"changes written during the load: {job.done - first:,} of {job.total:,}")
        print(reads.line(f"readers (50), during the apply of {args.people:,} people", took))
        print(writes.line(f"writers (5), during the apply of {args.people:,} people", took))
        print(f"after {took:.0f} s of load the job was {job.state}: {job.done:,}/{job.total:,}")
        deadline = began + args.apply_timeout
        while time.monotonic() < deadline:
            job.refresh_from_db()
            connections.close_all()
            if job.state in (ImportJob.State.DONE, ImportJob.State.FAILED):
                break
            time.sleep(2)
        print(
            f"apply of {len(content) / 1e6:.1f} MB ({job.total:,} changes): {job.state} "
            f"{job.error} in {(job.finished_at - job.started_at).total_seconds():.0f} s"
            if job.finished_at
            else f"apply not finished after {args.apply_timeout:.0f} s ({job.done}/{job.total})"
        )
    finally:
        if worker is not None:
            stop(worker)
        stop(server)
        log.close()
        lines = log_path.read_text(errors="replace").splitlines()
        counts = Counter(s for line in lines for s in (" 500 ", " 503 ") if f'"{s}' in line)
        tracebacks = sum("Traceback" in line for line in lines)
        print(f"server log: 500 {counts[' 500 ']}, 503 {counts[' 503 ']}, {tracebacks} tracebacks")


if __name__ == "__main__":
    main()
