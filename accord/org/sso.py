"""Signing in with an OpenID Connect provider (mozilla-django-oidc does the protocol).

A person is matched by the e-mail address the provider has *verified* (`email_verified`
true); see `services.user_for_provider_email` for who gets in. When the provider's
answer is refused, the reason is left on the request for the callback page to show.
"""

from __future__ import annotations

import logging
import threading

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accord.org import services

log = logging.getLogger("accord.sso")

_discovered: dict[str, dict] = {}
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


def endpoints() -> dict[str, str]:
    """The provider's endpoints and issuer: explicit settings over its discovery document,
    which is fetched once per process (a failed fetch is tried again next time)."""
    explicit = dict(getattr(settings, "ACCORD_OIDC_ENDPOINTS", {}))
    url = settings.ACCORD_OIDC_DISCOVERY_URL
    if not url:
        return {"issuer": settings.ACCORD_OIDC_ISSUER, **explicit}
    with _lock:
        found = _discovered.get(url)
    if found is None:
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            found = response.json()
            if not isinstance(found, dict):
                raise ValueError("not a JSON object")
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {exc}") from exc
        with _lock:
            _discovered[url] = found
    keys = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    return {**{k: found.get(k, "") for k in keys}, **explicit}


def refuse(request, message: str) -> None:
    request.accord_sign_on_refused = message


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with endpoints found when first needed, the ID
    token's issuer and audience checked, and people matched by verified e-mail."""

    def __init__(self, *args, **kwargs):
        # The parent reads every endpoint here; this backend is also built for each
        # request's session user, which needs none of them, so they are read lazily.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return endpoints()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return endpoints()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return endpoints()["jwks_uri"]

    @property
    def OIDC_RP_CLIENT_ID(self):
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):
        return settings.OIDC_RP_SIGN_ALGO

    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if not getattr(settings, "ACCORD_OIDC_ENABLED", False):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, ProviderUnavailable) as exc:
            log.warning("sign-on: the provider did not answer: %s", exc)
            if request is not None:
                refuse(request, "The sign-in provider did not answer. Try again in a moment.")
            return None

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for this token: the one its `kid` names, or, for a
        token without one, the provider's only key for the token's algorithm."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("alg") in (None, header.get("alg")) and key.get("use") in (None, "sig")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("No single signing key of the provider fits the token.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is not None:  # the ID token, not a signed userinfo answer
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was issued to another client.")
            issuer = endpoints().get("issuer")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = claims.get(settings.ACCORD_OIDC_EMAIL_CLAIM)
        if not isinstance(email, str) or not email.strip():
            refuse(self.request, "The sign-in provider did not tell Accord your e-mail address.")
            return None
        verified = claims.get("email_verified")
        if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
            refuse(
                self.request,
                f"The sign-in provider has not verified your e-mail address {email.strip()}. "
                "Verify it with the provider, then sign in again.",
            )
            return None
        name = claims.get(settings.ACCORD_OIDC_NAME_CLAIM)
        try:
            return services.user_for_provider_email(
                email,
                name.strip() if isinstance(name, str) else "",
                new_people_org=settings.ACCORD_OIDC_NEW_PEOPLE_ORG,
            )
        except services.SignOnRefused as exc:
            refuse(self.request, exc.message)
            return None
