"""Large files are planned and applied by a real `accord worker`; the page and the API
follow the job; a worker killed mid-apply leaves a job that is picked up again and finishes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accord.interchange import services
from accord.interchange.models import ImportJob
from accord.org.models import Person
from bench.orgfile_gen import org_file
from tests.conftest import api_client, login
from tests.test_worker import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ACCORD = str(Path(sys.executable).with_name("accord"))
PAGE = "/o/acme/interchange/"


PEOPLE = 400  # 80 KB: a large file, and a job with the threshold lowered below


def big_file(people: int = PEOPLE) -> bytes:
    """An organization file above the background threshold, naming Ada (the admin)."""
    content = org_file(people, slug="acme", admin="ada.admin@acme.example").encode()
    assert services.needs_job(content), len(content)
    return content


@pytest.fixture(autouse=True)
def jobs_above_the_large_file_threshold(monkeypatch):
    """Every large file runs as a job here (the real threshold is 256 KB, some 1,400 people),
    so these tests move 400 people rather than 1,400; what a job does is the same."""
    monkeypatch.setattr(services, "JOB_BYTES", services.LARGE_BYTES)


def test_a_file_above_256_kb_is_a_job_and_one_below_is_not(monkeypatch):
    monkeypatch.undo()
    assert services.JOB_BYTES == 256 * 1024
    assert services.needs_job(b"x" * (256 * 1024 + 1))
    assert not services.needs_job(b"x" * (256 * 1024))


def worker_env() -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("TASKS_BACKEND", None)
    return env


def run_worker_batch() -> None:
    result = subprocess.run(
        [ACCORD, "worker", "--batch", "--interval", "0.1"],
        capture_output=True,
        text=True,
        timeout=600,
        env=worker_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_api_queues_a_large_apply_and_the_worker_runs_it(cast):
    client = api_client(cast.admin)
    # The file replaces Acme's people and teams: a large removal, confirmed.
    response = client.post(
        "/api/v1/interchange/apply?allow_removals=true",
        data=big_file(),
        content_type="application/yaml",
    )
    assert response.status_code == 202, response.content[:300]
    queued = response.json()
    assert queued["state"] == "queued" and response["Location"] == queued["url"]
    assert not Person.objects.filter(email="person1@bigco.example").exists()
    # only the organization's admins see its jobs
    assert api_client(cast.member).get(queued["url"]).status_code == 403
    assert api_client(cast.outsider).get(queued["url"]).status_code == 404
    assert client.get(queued["url"]).json()["state"] == "queued"
    run_worker_batch()
    job = client.get(queued["url"]).json()
    assert job["state"] == "done", job["error"]
    assert job["progress"]["done"] == job["progress"]["total"] > 2 * PEOPLE  # people, memberships
    assert job["result"]["applied"] is True
    assert job["result"]["counts"]["people"]["create"] == PEOPLE
    assert Person.objects.filter(org=cast.org, email__endswith="@bigco.example").count() == PEOPLE


def test_the_page_follows_a_large_plan_then_applies_exactly_that_file(cast):
    client = login(cast.admin)
    upload = {"file": SimpleUploadedFile("big.yaml", big_file())}
    response = client.post(f"{PAGE}plan/", upload)
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert "Planning big.yaml" in page and 'hx-trigger="every 1s"' in page
    card = page.split('id="job-h"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in card  # polling is htmx attributes, not a script of its own
    progress_url = re.search(r'hx-get="([^"]+)"', card).group(1)
    assert "HX-Refresh" not in client.get(progress_url)  # still queued: keep polling
    run_worker_batch()
    polled = client.get(progress_url)
    assert polled["HX-Refresh"] == "true" and "Done" in polled.content.decode()
    plan = client.get(job_url).content.decode()
    assert "Plan for big.yaml" in plan and "Large file: this plan compares" in plan
    assert not Person.objects.filter(email="person1@bigco.example").exists()
    apply_url = re.search(r'action="([^"]+/apply/)"', plan).group(1)
    # The file replaces Acme's people and teams: the box confirming it is ticked.
    assert 'name="allow_removals"' in plan
    applied = client.post(apply_url, {"allow_removals": "1"})
    assert applied.status_code == 302
    run_worker_batch()
    done = client.get(applied["Location"]).content.decode()
    assert "Applied big.yaml" in done
    assert Person.objects.filter(org=cast.org, email="person1@bigco.example").exists()
    # the index lists both jobs
    index = client.get(PAGE).content.decode()
    assert index.count("big.yaml") == 2


def test_a_worker_killed_mid_apply_leaves_a_job_that_is_resumed_and_finishes(cast):
    if connection.vendor != "sqlite":
        pytest.skip("checks SQLite's integrity")
    content = big_file(1400)  # long enough an apply to be caught halfway
    job = services.submit_job(
        cast.org,
        cast.admin,
        name="big.yaml",
        content=content,
        kind="apply",
        strict=False,
        allow_removals=True,  # the file replaces Acme's people and teams
    )
    worker = subprocess.Popen(
        [ACCORD, "worker", "--interval", "0.1"],
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # The job is read while holding SQLite's write lock, which the worker takes between its
    # short transactions: once a read shows it partly done, it cannot write another row
    # before it is killed, however fast the apply runs.
    lock = sqlite3.connect(connection.settings_dict["NAME"], timeout=60, isolation_level=None)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            lock.execute("BEGIN IMMEDIATE")
            state, done, total = lock.execute(
                "SELECT state, done, total FROM interchange_importjob WHERE id = ?", (job.pk,)
            ).fetchone()
            if state == "running" and 0 < done < total:
                break
            lock.execute("ROLLBACK")
            assert state in ("queued", "running"), f"the job was {state} before a read saw it run"
            time.sleep(0.05)
        else:
            pytest.fail("the worker never got going")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()
    job.refresh_from_db()
    assert job.state == "running" and job.done < job.total
    written = Person.objects.filter(org=cast.org, email__endswith="@bigco.example").count()
    assert 0 < written < 1400 or job.done < job.total  # partly written, in whole chunks
    with sqlite3.connect(connection.settings_dict["NAME"]) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Later, a worker's periodic check finds the job silent and queues it again.
    later = timezone.now() + dt.timedelta(seconds=services.STALL_SECONDS + 1)
    assert services.resume_stalled_jobs(now=later) == 1
    run_worker_batch()
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 2, job.error
    assert "interrupted and started again" in " ".join(job.result["notes"])
    assert Person.objects.filter(org=cast.org, email__endswith="@bigco.example").count() == 1400
    again = services.plan_file(content, org=cast.org, actor=cast.admin)
    assert again.ok and again.changes == [], again.as_text()[:2000]


def test_only_admins_start_jobs_and_a_foreign_job_cannot_be_applied(cast):
    content = big_file()
    member = api_client(cast.member).post(
        "/api/v1/interchange/plan", data=content, content_type="application/yaml"
    )
    assert member.status_code == 403 and not ImportJob.objects.exists()
    theirs = services.submit_job(
        cast.other_org, cast.outsider, name="x.yaml", content=content, kind="plan", strict=False
    )
    client = login(cast.admin)
    assert client.get(f"{PAGE}jobs/{theirs.pk}/").status_code == 404
    assert client.post(f"{PAGE}jobs/{theirs.pk}/apply/").status_code == 404
    assert ImportJob.objects.count() == 1
