"""Secrets at rest (tracker tokens, source header values, webhook signing secrets),
encrypted with Fernet.

The key is `ACCORD_ENCRYPTION_KEY` (a Fernet key: 32 url-safe base64 bytes, made with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)
when set, else one derived from SECRET_KEY (SHA-256). Changing the key (or SECRET_KEY when
no key is set) makes the stored secrets unreadable: they must be entered again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> Fernet:
    key = getattr(settings, "ACCORD_ENCRYPTION_KEY", "")
    if key:
        try:
            return Fernet(key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                "ACCORD_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    # The salt names the app that first stored secrets; kept so stored ones stay readable.
    digest = hashlib.sha256(b"accord.sources:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(stored: str) -> str | None:
    """The secret, "" when none is stored, or None when it cannot be read (the key changed)."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None
