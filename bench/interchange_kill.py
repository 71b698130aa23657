"""kill -9 mid-write: an apply, a worker running an import job, and the app server.

    .venv/bin/python bench/interchange_kill.py [--people 3000]

Each case runs on a fresh SQLite data directory, kills the process with SIGKILL while it is
writing, then checks `PRAGMA integrity_check`, and what the organization holds:

1. `accord apply FILE` (a large file, written in short transactions) killed mid-way:
   partly applied; applying the same file again finishes it (the plan is then empty).
2. `accord worker` killed while it applies an import job: the job is left "running"; a new
   worker's periodic check queues it again once it has been silent for 90 s, and it
   finishes (no job lost, the plan is then empty).
3. `accord serve` killed while 5 clients create teams and one applies a small file in the
   request (one transaction): every team whose creation was answered 201 is there, and the
   small file is either wholly applied or not at all.

Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.interchange_load import free_port, wait_for_port  # noqa: E402
from bench.orgfile_gen import org_file  # noqa: E402


def run(data_dir: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACCORD_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "accord.cli", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=kwargs.pop("stdout", subprocess.DEVNULL),
        stderr=kwargs.pop("stderr", subprocess.DEVNULL),
        **kwargs,
    )


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def db(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data_dir / "accord.sqlite3", timeout=30)
    return conn


def integrity(data_dir: Path) -> str:
    with db(data_dir) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def count(data_dir: Path, sql: str, *params) -> int:
    with db(data_dir) as conn:
        return conn.execute(sql, params).fetchone()[0]


def people_of(data_dir: Path, slug: str) -> int:
    return count(
        data_dir,
        "select count(*) from org_person p join org_organization o on o.id = p.org_id "
        "where o.slug = ? and p.email like '%@bigco.example'",
        slug,
    )


def wait_until(predicate, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def fresh(label: str) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix=f"accord-kill-{label}-"))
    migrate = run(data_dir, "migrate")
    assert migrate.wait(timeout=600) == 0, "migrate failed"
    return data_dir


def plan_is_empty(data_dir: Path, path: Path, slug: str) -> bool:
    plan = run(data_dir, "plan", str(path), "--org", slug, "--json", stdout=subprocess.PIPE)
    out, _ = plan.communicate(timeout=1200)
    return json.loads(out)["changes"] == []


def case_cli_apply(people: int) -> None:
    data_dir = fresh("cli")
    path = data_dir / "big.yaml"
    path.write_text(org_file(people, slug="killco"))
    apply = run(data_dir, "apply", str(path), "--org", "killco")
    got_going = wait_until(lambda: people_of(data_dir, "killco") > people // 10, 600)
    kill(apply)
    partial = people_of(data_dir, "killco")
    check = integrity(data_dir)
    again = run(data_dir, "apply", str(path), "--org", "killco")
    again.wait(timeout=1800)
    final = people_of(data_dir, "killco")
    empty = plan_is_empty(data_dir, path, "killco")
    print(
        f"| `accord apply` ({people:,} people) | {got_going} | {partial:,} of {people:,} | "
        f"{check} | applied again: {final:,} of {people:,}, plan empty: {empty} |",
        flush=True,
    )


def _setup_org(data_dir: Path, slug: str) -> tuple[str, int]:
    """An organization with an admin and an API token; returns the token and admin id."""
    code = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','accord.settings');"
        "django.setup();"
        "from accord.org import services as o; from accord.api import services as t;"
        "from accord.org.models import Person;"
        f"u = o.ensure_user('admin@{slug}.example', 'pw-kill-bench', name='Kill Admin');"
        f"org = o.create_organization('Kill', '{slug}', owner_user=u);"
        "p = Person.objects.get(org=org, user=u);"
        "print(t.create_token(org, p, 'bench')[1], p.pk)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACCORD_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    token, pk = out.stdout.split()
    return token, int(pk)


def case_worker(people: int) -> None:
    data_dir = fresh("worker")
    token, _ = _setup_org(data_dir, "killco")
    path = data_dir / "big.yaml"
    content = org_file(people, slug="killco")
    path.write_text(content)
    port = free_port()
    server = run(data_dir, "serve", "--port", str(port))
    try:
        wait_for_port(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request(
            "POST",
            "/api/v1/interchange/apply",
            body=content.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
        )
        response = conn.getresponse()
        job = json.loads(response.read())
        assert response.status == 202, job
    finally:
        kill(server)
    job_id = job["id"]

    def job_row():
        with db(data_dir) as c:
            return c.execute(
                "select state, done, total, attempts from interchange_importjob where id = ?",
                (job_id,),
            ).fetchone()

    worker = run(data_dir, "worker")
    got_going = wait_until(lambda: job_row()[1] > 0, 600)
    kill(worker)
    state, done, total, _ = job_row()
    check = integrity(data_dir)
    began = time.monotonic()
    worker = run(data_dir, "worker")
    try:
        finished = wait_until(lambda: job_row()[0] in ("done", "failed"), 2400, step=2)
    finally:
        kill(worker)
    took = time.monotonic() - began
    state2, _, _, attempts = job_row()
    final = people_of(data_dir, "killco")
    empty = plan_is_empty(data_dir, path, "killco")
    tasks = count(
        data_dir,
        "select count(*) from django_tasks_database_dbtaskresult where task_path like ?",
        "%run_import",
    )
    print(
        f"| `accord worker` applying a job ({people:,} people) | {got_going} | job {state} at "
        f"{done:,}/{total:,} | {check} | new worker: job {state2} after {took:.0f} s "
        f"(attempt {attempts}, finished {finished}), {final:,} of {people:,} people, "
        f"plan empty: {empty}; run_import tasks queued: {tasks} |",
        flush=True,
    )


def case_server(rounds: int = 3) -> None:
    data_dir = fresh("serve")
    small = org_file(150, slug="killco").split("memberships:")[0]  # teams + people only
    small_people = 150
    assert len(small.encode()) < 64 * 1024
    for n in range(rounds):
        slug = f"killco{n}"  # a new organization each round, so its file is applied anew
        token, _ = _setup_org(data_dir, slug)
        port = free_port()
        server = run(data_dir, "serve", "--port", str(port))
        wait_for_port(port)
        acknowledged: list[str] = []
        stop = threading.Event()

        def writer(w: int, port=port, stop=stop, acknowledged=acknowledged, n=n, token=token):
            i = 0
            while not stop.is_set():
                slug = f"r{n}-w{w}-{i}"
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request(
                        "POST",
                        "/api/v1/teams",
                        body=json.dumps({"name": slug, "slug": slug}),
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                        },
                    )
                    if conn.getresponse().status == 201:
                        acknowledged.append(slug)
                except (OSError, http.client.HTTPException):
                    pass
                i += 1

        def applier(port=port, stop=stop, token=token) -> None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                conn.request(
                    "POST",
                    "/api/v1/interchange/apply",
                    body=_people_only(small).encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/yaml",
                    },
                )
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                pass

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(5)]
        threads.append(threading.Thread(target=applier))
        for t in threads:
            t.start()
        time.sleep(0.8 + 0.6 * n)  # at different points of the small apply
        kill(server)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        check = integrity(data_dir)
        with db(data_dir) as c:
            present = {r[0] for r in c.execute("select slug from org_team")}
        lost = [s for s in acknowledged if s not in present]
        people = people_of(data_dir, slug)
        print(
            f"| `accord serve` round {n + 1} (5 writers + an in-request apply of "
            f"{small_people} people) | True | {len(acknowledged)} teams acknowledged, "
            f"{len(lost)} lost | {check} | people of the small file: {people} "
            f"(all or nothing: {people in (0, small_people)}) |",
            flush=True,
        )


def _people_only(text: str) -> str:
    _, people = text.split("people:", 1)
    return "accord: 1\npeople:" + people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--only", choices=["cli", "worker", "serve"])
    args = parser.parse_args()
    print("| killed | mid-write | left behind | integrity_check | afterwards |")
    print("|---|---|---|---|---|")
    if args.only in (None, "cli"):
        case_cli_apply(args.people)
    if args.only in (None, "worker"):
        case_worker(args.people)
    if args.only in (None, "serve"):
        case_server()


if __name__ == "__main__":
    main()
