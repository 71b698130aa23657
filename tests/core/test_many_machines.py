"""Accord on many machines, for real: PostgreSQL, a Redis server, two `accord serve`
processes on two ports and two `accord worker` processes on the Redis queue.

Writes go through both servers (API with a token, a session signed in on one server used
on the other); a worker delivers the notice a write queued; both workers tick the
scheduler, and each periodic job is enqueued once per slot; a worker killed with kill -9
mid-task has its task run again by the other. Everything started here is stopped after.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.conf import settings

from accord.api import services as token_services
from accord.core import scheduler
from accord.core.models import ScheduledRun
from accord.org.models import Person
from tests.conftest import PASSWORD
from tests.rhythm.servers import free_port, smtp  # noqa: F401 (fixture)
from tests.test_worker import database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="many machines share one PostgreSQL; scripts/test.sh runs this on its "
        "PostgreSQL pass",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
ACCORD = str(Path(sys.executable).with_name("accord"))
REDIS = shutil.which("redis-server")
WAIT = 60  # seconds: a generous bound for a busy machine; each wait ends at success


def wait_for(what: str, check, timeout: float = WAIT, logs=None):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in logs or [])
            pytest.fail(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


class Cluster:
    """Redis, two app servers and two workers, each in its own process group."""

    def __init__(self, smtp_port: int):
        self.dir = Path(tempfile.mkdtemp(prefix="accord-machines-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": database_url(),
            "ACCORD_DATA_DIR": str(self.dir / "data"),
            "SECRET_KEY": "many-machines-share-this-secret-key-" + "x" * 20,
            "ACCORD_TASKS_BACKEND": "redis",
            "ACCORD_REDIS_URL": self.redis_url,
            "ACCORD_CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "ACCORD_WORKER_HEARTBEAT_SECONDS": "1",
            "SCHEDULER_TICK_SECONDS": "1",
            "ACCORD_API_TOKEN_FAILURE_LIMIT": "4",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "LOG_LEVEL": "INFO",
        }
        self.env.pop("TASKS_BACKEND", None)
        self.ports = [free_port(), free_port()]
        self.servers = [f"http://127.0.0.1:{p}" for p in self.ports]

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.dir,
            start_new_session=True,  # its own group: kill -9 reaches its children too
        )
        self.procs[name] = proc
        return proc

    @property
    def logs(self) -> list[Path]:
        return sorted(self.dir.glob("*.log"))

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def up(self) -> None:
        self.start(
            "redis",
            REDIS,
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--save",
            "",
            "--appendonly",
            "no",
        )
        wait_for("redis", self._redis_answers, logs=self.logs)
        self.manage_command("migrate")  # as a deployment does with its settings (django_rq)
        for i, port in enumerate(self.ports):
            self.start(f"server{i}", ACCORD, "serve", "--port", str(port), "--workers", "1")
        for i in range(2):
            self.start(f"worker{i}", ACCORD, "worker")
        for url in self.servers:
            wait_for(f"{url}/healthz", lambda url=url: self._healthy(url), logs=self.logs)
        wait_for("two workers", lambda: len(self.rq_workers()) == 2, logs=self.logs)

    def _redis_answers(self) -> bool:
        try:
            return bool(self.redis().ping())
        except Exception:
            return False

    def _healthy(self, url: str) -> bool:
        try:
            return requests.get(f"{url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def rq_workers(self):
        from rq import Worker

        return Worker.all(connection=self.redis())

    def jobs(self):
        """Every job Redis holds (queued, running, finished or failed)."""
        from rq.job import Job

        conn = self.redis()
        keys = (k.decode().split(":") for k in conn.scan_iter("rq:job:*"))
        ids = sorted({parts[2] for parts in keys if len(parts) == 3})
        return [j for j in Job.fetch_many(ids, connection=conn) if j is not None]

    def manage(self, code: str) -> str:
        return self.manage_command("shell", "-c", code)

    def manage_command(self, *args: str) -> str:
        result = subprocess.run(
            [ACCORD, "manage", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=WAIT,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def down(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster(smtp):  # noqa: F811 (the fixture imported above)
    if REDIS is None:
        pytest.skip("redis-server is not installed (scripts/system-deps.sh installs it)")
    c = Cluster(settings.EMAIL_PORT)
    try:
        c.up()
        yield c
    finally:
        c.down()


def periodic_counts(cluster: Cluster) -> tuple[Counter, Counter]:
    names = set(scheduler.discover())
    enqueued = Counter(j.func_name for j in cluster.jobs() if j.func_name in names)
    claimed = Counter(
        ScheduledRun.objects.filter(job__in=names).values_list("job", flat=True).iterator()
    )
    return enqueued, claimed


def test_two_servers_and_two_workers_share_one_organization(
    cast,
    smtp,  # noqa: F811
    cluster,
    settings,
):
    a, b = cluster.servers
    names = set(scheduler.discover())

    # Both workers tick every second; every periodic job is claimed and enqueued once per
    # slot, whichever worker claims it.
    wait_for(
        "every periodic job to be enqueued",
        lambda: set(periodic_counts(cluster)[0]) == names,
        logs=cluster.logs,
    )
    time.sleep(3)  # a few more ticks of both workers
    enqueued, claimed = periodic_counts(cluster)
    assert all(enqueued[n] <= claimed[n] for n in names), (enqueued, claimed)
    wait_for("each claim's job", lambda: periodic_counts(cluster)[0] == periodic_counts(cluster)[1])
    assert sum(claimed.values()) < 3 * len(names)  # one or two slots each, not one per tick

    # A session signed in on server A is signed in on server B. (The servers hash
    # passwords the default way, not the fast way of these tests.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    cast.leader.user.set_password(PASSWORD)
    cast.leader.user.save(update_fields=["password"])
    browser = requests.Session()  # cookies of 127.0.0.1 go to both ports
    page = browser.get(f"{a}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(
        f"{a}/accounts/login/",
        data={"username": cast.leader.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        timeout=30,
    )
    assert signed_in.status_code == 200 and "/accounts/login/" not in signed_in.url
    home = browser.get(f"{b}/", timeout=30)
    assert home.status_code == 200 and "/accounts/login/" not in home.url
    assert cast.leader.name in home.text

    # API writes through both servers with one token: open a decision on A, decide it on B.
    _, token = token_services.create_token(cast.org, cast.admin, "machines")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    opened = api.post(
        f"{a}/api/v1/decisions",
        json={
            "question": "Run Accord on two machines?",
            "approver_id": cast.admin.pk,
            "informed_ids": [cast.member.pk],
        },
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    decision = opened.json()["id"]
    decided = api.post(
        f"{b}/api/v1/decisions/{decision}/decide",
        json={"outcome": "Yes, two of each.", "rationale": "Nothing is lost."},
        timeout=30,
    )
    assert decided.status_code == 200, decided.text
    for server in (a, b):
        events = api.get(f"{server}/api/v1/events", params={"limit": 200}, timeout=30).json()
        verbs = {e["verb"] for e in events["items"] if e["target_type"] == "decisions.decision"}
        assert {"created", "decided"} <= verbs, events["items"][:3]

    # A worker delivers the notice the decision queued, and a slow task is started.
    notes = cluster.dir / "sleepy.txt"
    out = cluster.manage(
        "from accord.activity.tasks import deliver_notifications\n"
        "from tests.core.sleepy import sleep_and_note\n"
        "deliver_notifications.enqueue()\n"
        f"print(sleep_and_note.enqueue({str(notes)!r}, 120).id)\n"
    )
    slow_id = out.strip().splitlines()[-1]
    wait_for(
        "the decision's e-mail",
        lambda: any(cast.member.email in m["X-Rcpt"] for m in smtp.messages),
        logs=cluster.logs,
    )
    mail = next(m for m in smtp.messages if cast.member.email in m["X-Rcpt"])
    assert mail["Subject"] == "Decided: Run Accord on two machines?"

    # kill -9 the worker running the slow task (and its task process): the other worker
    # notices its silence and runs the task again, to the end.
    wait_for("the slow task to start", lambda: notes.exists() and notes.read_text())
    first_pid = int(notes.read_text().split()[1])
    stat = Path(f"/proc/{first_pid}/stat").read_text()
    victim = int(stat.rsplit(")", 1)[1].split()[1])  # the task process's parent: its worker
    survivors = [p for p in cluster.procs.values() if p.pid != victim]
    assert victim in {cluster.procs["worker0"].pid, cluster.procs["worker1"].pid}
    os.killpg(victim, signal.SIGKILL)  # the worker and its scheduler process
    os.kill(first_pid, signal.SIGKILL)  # and the task process (rq gives it its own session)
    finished = lambda: "done" in notes.read_text()  # noqa: E731
    wait_for("the slow task to finish elsewhere", finished, logs=cluster.logs)
    lines = notes.read_text().split("\n")
    assert lines[0] == f"start {first_pid}"
    assert lines[1].startswith("start ") and lines[1] != lines[0]
    assert lines[2] == "done " + lines[1].split()[1]
    from rq.job import Job

    job = Job.fetch(slow_id, connection=cluster.redis())
    wait_for("the retried task's result", lambda: job.get_status() == "finished")
    assert job.retries_left == settings.ACCORD_TASK_RETRIES - 1
    assert all(p.poll() is None for p in survivors)

    # API token throttling counts in the shared cache: bad tokens spread over both servers
    # add up, and both then refuse.
    bad = {"Authorization": "Bearer acc_not-a-real-token"}
    for server in (a, b, a, b):
        assert requests.get(f"{server}/api/v1/me", headers=bad, timeout=30).status_code == 401
    for server in (a, b):
        assert requests.get(f"{server}/api/v1/me", headers=bad, timeout=30).status_code == 429
    assert Person.objects.filter(pk=cast.member.pk).exists()
