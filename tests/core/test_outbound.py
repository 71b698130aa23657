"""Addresses users give Accord to call: public ones only, unless the setting allows more."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accord.core import outbound
from accord.core.errors import ServiceError


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/hop":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()
            return
        body = b'{"value": 42}'
        self.send_response(200 if self.path == "/ok" else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_by_default(settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ServiceError) as refused:
        outbound.check_url(url)
    assert refused.value.fields["url"]
    # An on-premise chat server is such an address: the refusal says how to allow it.
    assert "ACCORD_OUTBOUND_ALLOW_PRIVATE=1" in refused.value.fields["url"][0]
    with pytest.raises(outbound.OutboundError, match="private or local"):
        outbound.request("GET", url, timeout=1)


def test_only_http_addresses_are_accepted(settings):
    for url in ["ftp://example.com/x", "file:///etc/passwd", "not a url", ""]:
        with pytest.raises(ServiceError, match="not an http"):
            outbound.check_url(url, field="source_url")


def test_a_public_address_is_accepted_as_given(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    assert outbound.check_url(" https://8.8.8.8/metrics ") == "https://8.8.8.8/metrics"


def test_the_setting_allows_local_servers_and_answers_any_status(settings, server):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    assert outbound.check_url(server + "/ok") == server + "/ok"
    ok = outbound.request("GET", server + "/ok")
    assert ok.ok and ok.status == 200 and ok.body == b'{"value": 42}'
    failing = outbound.request("GET", server + "/down")
    assert failing.status == 503 and not failing.ok


def test_redirects_are_not_followed(settings, server):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    answer = outbound.request("GET", server + "/hop")
    assert answer.status == 302


def test_an_unreachable_address_is_a_clear_error(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    with pytest.raises(outbound.OutboundError, match="could not reach"):
        outbound.request("GET", "http://127.0.0.1:1/", timeout=2)
