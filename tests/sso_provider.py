"""A real OpenID Connect provider for tests (oidc-provider-mock), on 127.0.0.1, and the
settings that point Accord at it, built by the same function settings.py uses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import werkzeug.serving

CLIENT_ID = "accord-tests"
CLIENT_SECRET = "accord-tests-secret"
PROVIDER_NAME = "Acme ID"


@contextmanager
def provider(users) -> Iterator[str]:
    """Run the provider with these predefined users; yields its issuer URL."""
    from oidc_provider_mock import app

    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, app(require_nonce=True, user_claims=users), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def user(sub: str, email: str, *, verified: bool = True, name: str = ""):
    from oidc_provider_mock import User

    claims = {"email": email, "email_verified": verified}
    if name:
        claims["name"] = name
    return User(sub=sub, claims=claims)


def sign_on(settings, monkeypatch, issuer: str, **env: str) -> None:
    """Switch single sign-on on (plus any ACCORD_* variables) for this test."""
    from accord.core.sso import PASSWORD_BACKEND, sso_settings
    from accord.org import sso

    values = {
        "ACCORD_OIDC_CLIENT_ID": CLIENT_ID,
        "ACCORD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "ACCORD_OIDC_ISSUER": issuer,
        "ACCORD_OIDC_PROVIDER_NAME": PROVIDER_NAME,
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if "sso" not in b]
    if PASSWORD_BACKEND not in backends:
        backends.append(PASSWORD_BACKEND)
    for name, value in sso_settings(backends).items():
        setattr(settings, name, value)
    monkeypatch.setattr(sso, "_discovered", {})
