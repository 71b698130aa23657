"""Every answer carries the security headers; HTTPS ones are configurable and off locally;
no template carries inline script or style the Content Security Policy would block."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import login
from tests.test_settings import clean_env

ROOT = Path(__file__).resolve().parents[1]


def csp_directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/v1/docs", "/healthz"])
def test_public_answers_carry_the_security_headers(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = csp_directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    # Off by default: a local server over plain HTTP must not pin browsers to HTTPS.
    assert "Strict-Transport-Security" not in response


def test_pages_and_api_answers_carry_them_too(cast, api_admin):
    page = login(cast.admin).get("/o/acme/")
    api = api_admin.get("/api/v1/teams")
    for response in (page, api):
        assert response.status_code == 200
        assert csp_directives(response)["script-src"] == "'self'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_over_https_when_configured(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = Client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    plain = Client().get("/healthz")
    assert "Strict-Transport-Security" not in plain


PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "preload": settings.SECURE_HSTS_PRELOAD,
    "proxy": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "limit": settings.AXES_FAILURE_LIMIT,
    "cooloff": settings.AXES_COOLOFF_MINUTES,
    "api_limit": settings.ACCORD_API_TOKEN_FAILURE_LIMIT,
    "api_window": settings.ACCORD_API_TOKEN_FAILURE_WINDOW,
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def probe(tmp_path, **env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(tmp_path, **env),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_protection_settings_have_safe_defaults(tmp_path):
    out = probe(tmp_path)
    assert out == {
        "hsts": 0,
        "subdomains": False,
        "preload": False,
        "proxy": None,
        "limit": 5,
        "cooloff": 15,
        "api_limit": 20,
        "api_window": 300,
        "cache": "django.core.cache.backends.db.DatabaseCache",
    }


def test_protection_settings_come_from_the_environment(tmp_path):
    out = probe(
        tmp_path,
        SECURE_HSTS_SECONDS="63072000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="yes",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        ACCORD_SIGNIN_FAILURE_LIMIT="8",
        ACCORD_SIGNIN_COOLOFF_MINUTES="30",
        ACCORD_API_TOKEN_FAILURE_LIMIT="50",
        ACCORD_API_TOKEN_FAILURE_WINDOW="60",
    )
    assert out["hsts"] == 63072000 and out["subdomains"] and out["preload"]
    assert out["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (out["limit"], out["cooloff"], out["api_limit"], out["api_window"]) == (8, 30, 50, 60)


TEMPLATES = sorted(
    p
    for p in ROOT.glob("accord/*/templates/**/*.html")
    if "/email/" not in p.as_posix()  # mail is not a page: no CSP applies
)
BLOCKED = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
        "inline <script>",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute (use a class or data-style)"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on (evaluated code)"),
]


def test_templates_carry_nothing_the_content_security_policy_blocks():
    assert len(TEMPLATES) > 50
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for pattern, what in BLOCKED:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)
