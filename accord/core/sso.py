"""Single sign-on settings: OpenID Connect (mozilla-django-oidc), read from the environment.

Off unless ACCORD_OIDC_CLIENT_ID is set. The provider is found by its issuer or discovery
address (`/.well-known/openid-configuration`, fetched when first needed) or by explicit
endpoints; explicit ones win. Kept here, as one function of the environment, so
settings.py and the tests that switch sign-on on build the same settings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from accord.core.env import env_bool, env_str

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
OIDC_BACKEND = "accord.org.sso.ProviderBackend"
_ENDPOINTS = {
    "authorization_endpoint": "ACCORD_OIDC_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "ACCORD_OIDC_TOKEN_ENDPOINT",
    "userinfo_endpoint": "ACCORD_OIDC_USERINFO_ENDPOINT",
    "jwks_uri": "ACCORD_OIDC_JWKS_URI",
}


def sso_settings(backends: list[str]) -> dict[str, Any]:
    """The settings sign-in needs, given the authentication backends without sign-on."""
    client_id = env_str("ACCORD_OIDC_CLIENT_ID").strip()
    password = env_bool("ACCORD_PASSWORD_SIGNIN", True)
    out: dict[str, Any] = {
        "ACCORD_OIDC_ENABLED": bool(client_id),
        "ACCORD_PASSWORD_SIGNIN": password,
        "ACCORD_OIDC_PROVIDER_NAME": env_str("ACCORD_OIDC_PROVIDER_NAME").strip()
        or "single sign-on",
        "ACCORD_OIDC_EMAIL_CLAIM": env_str("ACCORD_OIDC_EMAIL_CLAIM").strip() or "email",
        "ACCORD_OIDC_NAME_CLAIM": env_str("ACCORD_OIDC_NAME_CLAIM").strip() or "name",
        "ACCORD_OIDC_NEW_PEOPLE_ORG": env_str("ACCORD_OIDC_NEW_PEOPLE_ORG").strip(),
        "AUTHENTICATION_BACKENDS": list(backends),
    }
    if not client_id:
        if not password:
            raise ImproperlyConfigured(
                "ACCORD_PASSWORD_SIGNIN is off but single sign-on is not configured "
                "(ACCORD_OIDC_CLIENT_ID): nobody could sign in"
            )
        return out
    secret = env_str("ACCORD_OIDC_CLIENT_SECRET")
    if not secret:
        raise ImproperlyConfigured(
            "ACCORD_OIDC_CLIENT_SECRET must be set with ACCORD_OIDC_CLIENT_ID"
        )
    issuer = env_str("ACCORD_OIDC_ISSUER").strip().rstrip("/")
    discovery = env_str("ACCORD_OIDC_DISCOVERY_URL").strip() or (
        f"{issuer}/.well-known/openid-configuration" if issuer else ""
    )
    endpoints = {key: env_str(name).strip() for key, name in _ENDPOINTS.items()}
    missing = [_ENDPOINTS[key] for key, value in endpoints.items() if not value]
    if missing and not discovery:
        raise ImproperlyConfigured(
            "Single sign-on needs ACCORD_OIDC_ISSUER (or ACCORD_OIDC_DISCOVERY_URL), "
            f"or else {', '.join(missing)}"
        )
    backends = [b for b in backends if password or b != PASSWORD_BACKEND]
    out.update(
        {
            "ACCORD_OIDC_ISSUER": issuer,
            "ACCORD_OIDC_DISCOVERY_URL": discovery,
            "ACCORD_OIDC_ENDPOINTS": {k: v for k, v in endpoints.items() if v},
            "AUTHENTICATION_BACKENDS": [*backends, OIDC_BACKEND],
            # What mozilla-django-oidc reads itself.
            "OIDC_RP_CLIENT_ID": client_id,
            "OIDC_RP_CLIENT_SECRET": secret,
            "OIDC_RP_SIGN_ALGO": env_str("ACCORD_OIDC_SIGN_ALGO").strip() or "RS256",
            "OIDC_RP_SCOPES": env_str("ACCORD_OIDC_SCOPES").strip() or "openid email profile",
            "OIDC_USE_PKCE": True,
            "OIDC_TIMEOUT": 10,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": endpoints["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": endpoints["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": endpoints["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": endpoints["jwks_uri"],
        }
    )
    return out
