"""How Accord serves itself over a slow connection: pages and static files compressed, static
files under hashed names that browsers keep for a year, and a slow upload holding up no one
else. Through Django's client (static files collected as the suite collects them, once), and
through a real `accord serve` on a data directory of its own, which collects them itself."""

from __future__ import annotations

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.rhythm.servers import free_port
from tests.test_worker import database_url

ROOT = Path(__file__).resolve().parents[2]
A_YEAR = 315360000  # WhiteNoise's max-age for a file whose name carries its hash (ten years)
GZIP = {"Accept-Encoding": "gzip"}


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_a_page_and_the_static_files_it_names_come_compressed_and_kept_a_year(client, db):
    page = client.get("/accounts/login/", headers=GZIP)
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.content).decode()
    urls = static_urls(html)
    css = next(url for url in urls if url.startswith("/static/accord/app."))
    assert re.fullmatch(r"/static/accord/app\.[0-9a-f]{12}\.css", css)
    htmx = next(url for url in urls if "htmx" in url)
    for url, source in (
        (css, ROOT / "accord/web/static/accord/app.css"),
        (htmx, ROOT / "node_modules/htmx.org/dist/htmx.min.js"),
    ):
        answer = client.get(url, headers=GZIP)
        assert answer.status_code == 200, url
        assert answer["Content-Encoding"] == "gzip", url
        assert answer["Cache-Control"] == f"max-age={A_YEAR}, public, immutable", url
        assert gzip.decompress(b"".join(answer.streaming_content)) == source.read_bytes()


def test_every_static_file_the_pages_name_is_there(as_admin):
    """Pages name the collected files by their hashed names, our own and npm's; each one
    answers, kept a year, and compressed unless it would gain nothing."""
    names = set()
    for path in (
        "/o/acme/",
        "/o/acme/alignment/teams/platform/",
        "/o/acme/coordination/map/",
        "/o/acme/insights/",
        "/api/v1/docs",
    ):
        page = as_admin.get(path)
        assert page.status_code == 200, path
        names.update(static_urls(page.content.decode()))
    npm = [name.split("/")[-1] for name in names if name.startswith("/static/vendor/")]
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", name) for name in npm} >= {
        "htmx.min.js",
        "Sortable.min.js",
        "cytoscape.min.js",
        "chart.umd.min.js",
        "swagger-ui-bundle.js",
    }
    for name in sorted(names):
        answer = as_admin.get(name, headers=GZIP)
        assert answer.status_code == 200, name
        assert answer["Cache-Control"] == f"max-age={A_YEAR}, public, immutable", name
        if not answer.has_header("Content-Encoding"):  # a PNG, or too small to gain
            assert name.endswith(".png") or len(b"".join(answer.streaming_content)) < 1000


def test_accord_serve_refuses_to_start_without_the_front_end_packages(db, settings, monkeypatch):
    settings.STATIC_NPM_FILES = [*settings.STATIC_NPM_FILES, "left-pad/index.js"]
    served = lambda app: pytest.fail("served pages that name files it does not have")  # noqa: E731
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", served)
    with pytest.raises(CommandError, match=r"not installed in .*: left-pad/index\.js\. Run `make"):
        call_command("serve", port=free_port())


# --- A real `accord serve` -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """`accord serve` with one worker process, on the test database and a data directory of
    its own (nothing collected there yet)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path_factory.mktemp("serve-data")
    env = {**os.environ, "DATABASE_URL": database_url(), "ACCORD_DATA_DIR": str(data)}
    env.pop("SITE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120  # collecting, on a machine busy with other tests
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read()[-3000:]) from None
                time.sleep(0.2)
        yield url, data
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # a worker stuck on a slow client
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def fetch(url: str, **headers: str):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return r.status, r.headers, r.read()


def test_accord_serve_collects_the_static_files_and_sends_them_compressed(server):
    url, data = server
    assert (data / "static" / "staticfiles.json").exists()
    status, headers, body = fetch(f"{url}/accounts/login/", **GZIP)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    urls = static_urls(gzip.decompress(body).decode())
    css = next(u for u in urls if u.startswith("/static/accord/app."))
    status, headers, body = fetch(url + css, **GZIP)
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert headers["Cache-Control"] == f"max-age={A_YEAR}, public, immutable"
    assert gzip.decompress(body) == (ROOT / "accord/web/static/accord/app.css").read_bytes()


class SlowUpload(threading.Thread):
    """A sign-in form posted with 1.5 MB of padding at 20 KB/s, as over a poor connection,
    until told to send the rest at once; then it reads the answer."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        host, port = urllib.parse.urlsplit(url).netloc.split(":")
        self.address = (host, int(port))
        self.url = url
        self.hurry = threading.Event()
        self.status: int | None = None

    def run(self):
        # The form's CSRF cookie and token, as a browser has them.
        with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=30) as page:
            cookie = page.headers["Set-Cookie"].split(";")[0]
            html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "slow@example.com", "password": "x"}
        )
        body = f"{form}&padding={'x' * 1_500_000}".encode()
        with socket.create_connection(self.address, timeout=60) as sock:
            sock.sendall(
                (
                    f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                    f"Referer: {self.url}/accounts/login/\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                ).encode()
            )
            sent = 0
            while sent < len(body):
                chunk = len(body) if self.hurry.is_set() else 2_000
                sock.sendall(body[sent : sent + chunk])
                sent += chunk
                if not self.hurry.is_set():
                    time.sleep(0.1)
            answer = sock.makefile("rb").readline().decode()
        self.status = int(answer.split()[1])


@pytest.mark.django_db(transaction=True)
def test_slow_uploads_do_not_keep_the_server_from_answering(server):
    """Two uploads crawling in at 20 KB/s hold two of the worker's threads; the worker still
    answers others, and the uploads, once in, are answered (the sign-in page, again)."""
    url, _ = server
    uploads = [SlowUpload(url), SlowUpload(url)]
    for upload in uploads:
        upload.start()
    time.sleep(3)  # both are sending their bodies
    assert all(upload.is_alive() for upload in uploads)
    status, _, body = fetch(f"{url}/healthz")  # within its 10 s
    assert (status, body) == (200, b'{"status": "ok"}')
    assert all(upload.is_alive() for upload in uploads)  # still sending
    for upload in uploads:
        upload.hurry.set()
    for upload in uploads:
        upload.join(timeout=60)
    assert [upload.status for upload in uploads] == [200, 200]
