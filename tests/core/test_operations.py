"""Operations: /healthz checks the database and the task queue, /metrics is off unless
turned on and then needs its token, and logs can be JSON lines from a real `accord serve`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.rhythm.servers import free_port
from tests.test_settings import clean_env
from tests.test_worker import database_url

TOKEN = "s3cret-scraper-token-0123456789"

REQUEST = """
import django, json
django.setup()
from django.test import Client
from django.conf import settings
out = {"middleware": [m for m in settings.MIDDLEWARE if "prometheus" in m]}
for name, headers in (("none", {}), ("wrong", {"Authorization": "Bearer nope"}),
                      ("right", {"Authorization": "Bearer %s"})):
    response = Client(SERVER_NAME="localhost").get("%s", headers=headers)
    out[name] = [response.status_code, response.content.decode()[:20000]]
print(json.dumps(out))
"""


def run_in_process(tmp_path, path: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", REQUEST % (TOKEN, path)],
        capture_output=True,
        text=True,
        timeout=180,  # a cold start on a machine busy with other test workers
        env=clean_env(tmp_path, **env),
    )


def answers(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_ok_when_the_database_and_the_task_queue_answer(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_naming_the_task_queue_when_its_table_is_gone(db):
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute(f"ALTER TABLE {table} RENAME TO healthz_hidden_table")
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert set(body["failed"]) == {"tasks"}
    assert body["failed"]["tasks"]


def test_healthz_answers_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    # Nothing listens on port 9 of the loopback: the connection is refused at once.
    unreachable = "postgres://accord@127.0.0.1:9/accord?connect_timeout=2"
    result = run_in_process(tmp_path, "/healthz", DATABASE_URL=unreachable)
    status, text = answers(result)["none"]
    assert status == 503
    body = json.loads(text)
    assert body["status"] == "failing"
    assert "database" in body["failed"]
    assert "OperationalError" in body["failed"]["database"]


def test_metrics_are_not_found_and_cost_nothing_when_off(db):
    assert not settings.ACCORD_METRICS
    assert not [m for m in settings.MIDDLEWARE if "prometheus" in m]
    assert "django_prometheus" not in settings.INSTALLED_APPS
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404


def test_metrics_when_on_need_the_bearer_token(tmp_path):
    result = run_in_process(
        tmp_path, "/metrics", ACCORD_METRICS="1", ACCORD_METRICS_TOKEN=TOKEN, LOG_LEVEL="ERROR"
    )
    out = answers(result)
    assert len(out["middleware"]) == 2  # before and after every other middleware
    assert out["none"][0] == 401
    assert out["wrong"][0] == 401
    status, text = out["right"]
    assert status == 200
    # The two refused requests before it were counted by django-prometheus' middleware.
    assert 'django_http_responses_total_by_status_total{status="401"} 2.0' in text


def test_metrics_on_without_a_long_enough_token_stops_start_up(tmp_path):
    result = run_in_process(tmp_path, "/metrics", ACCORD_METRICS="1", ACCORD_METRICS_TOKEN="short")
    assert result.returncode != 0
    assert "ACCORD_METRICS_TOKEN must be set" in result.stderr


def test_an_unknown_log_format_stops_start_up(tmp_path):
    result = run_in_process(tmp_path, "/healthz", ACCORD_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "ACCORD_LOG_FORMAT must be plain or json" in result.stderr


def get(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.django_db(transaction=True)
def test_accord_serve_writes_json_lines_with_the_request_id_and_path(tmp_path):
    server, base = start_server(workers=1, ACCORD_LOG_FORMAT="json")
    try:
        status, headers = get(f"{base}/healthz", **{"X-Request-ID": "probe-42"})
        assert status == 200
        assert headers["X-Request-ID"] == "probe-42"
        status, headers = get(f"{base}/no-such-page")
        assert status == 404
        missing_id = headers["X-Request-ID"]
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)

    lines = [line for line in stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["logger"] == "gunicorn.error" for r in records)  # its messages too
    assert not any(r["logger"] == "gunicorn.access" for r in records)  # Accord's line instead
    probe = [r for r in records if r.get("request_id") == "probe-42"]
    assert probe == [
        {
            **probe[0],
            "logger": "accord.request",
            "level": "INFO",
            "method": "GET",
            "path": "/healthz",
            "status": 200,
        }
    ]
    not_found = [r for r in records if r.get("request_id") == missing_id]
    assert {r["logger"] for r in not_found} == {"django.request", "accord.request"}
    assert all(r["path"] == "/no-such-page" for r in not_found)
    warning = next(r for r in not_found if r["logger"] == "django.request")
    assert warning["level"] == "WARNING"
    assert warning["status_code"] == 404
    assert warning["message"] == "Not Found: /no-such-page"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("site_url", ["", "http://127.0.0.1:{port}"])
def test_accord_serve_warns_when_links_would_lead_elsewhere(site_url):
    """SITE_URL left at its default while the server answers on another port: every link
    in an e-mail, calendar feed or webhook would point at a server that is not there."""
    environ = {"SITE_URL": site_url} if site_url else {}
    port = free_port()
    server, base = start_server(
        workers=1, port=port, **{k: v.format(port=port) for k, v in environ.items()}
    )
    try:
        assert get(f"{base}/healthz")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    warned = "SITE_URL is not set: links in e-mails, calendar feeds and webhooks" in stderr
    assert warned == (not site_url)
    if not site_url:
        assert f"SITE_URL=http://localhost:{port}" in stderr


def start_server(
    workers: int, port: int | None = None, **environ: str
) -> tuple[subprocess.Popen, str]:
    """A real `accord serve` on the test database, answering; and its address."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), **environ}
    if "SITE_URL" not in environ:
        env.pop("SITE_URL", None)
    command = [sys.executable, "-m", "accord.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(f"{base}/healthz")
            return server, base
        except OSError:
            assert server.poll() is None, server.stderr.read()[-3000:]
            assert time.monotonic() < deadline, "accord serve did not start"
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_each_worker_of_accord_serve_talks_to_the_database_on_its_own_connection(cast):
    """The workers are forked from the process that checked the migrations: answers read
    from a connection they shared would interleave (rows of the wrong width, 500s) once
    connections are kept between requests, as they are by default."""
    from concurrent.futures import ThreadPoolExecutor

    from accord.api import services as token_services

    _, raw = token_services.create_token(cast.org, cast.admin, "test")
    token = f"Bearer {raw}"
    server, base = start_server(workers=2, DATABASE_CONN_MAX_AGE="60")

    def ask(i: int) -> tuple[int, object]:
        path = ("/api/v1/me", "/api/v1/people?limit=10", "/healthz")[i % 3]
        request = urllib.request.Request(base + path, headers={"Authorization": token})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, None

    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(240)))
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert [status for status, _ in answers] == [200] * 240, stderr[-3000:]
    people = {p["email"] for p in answers[1][1]["items"]}
    assert people == {
        "ada.admin@acme.example",
        "leo.leader@acme.example",
        "mia.member@acme.example",
        "vic.viewer@acme.example",
    }
    assert all(answer == answers[0] for answer in answers[::3])  # the same "me" each time
    assert all(answer == answers[1] for answer in answers[1::3])
