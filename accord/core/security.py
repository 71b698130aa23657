"""Who is asking: the client's address and the sign-in name, as throttling counts them.

Sign-in lockouts (django-axes) and API token throttling both count by these, so they agree
on who a client is.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or, behind `ACCORD_PROXY_COUNT` proxies, the
    address the outermost of them saw (X-Forwarded-For read from the right, so a client
    cannot choose its own address by sending the header). None when there is none (a
    sign-in made in code, not over HTTP)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "ACCORD_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    try:  # whatever a client put there, only an address is one
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def normalize_username(username: str | None) -> str:
    """Sign-in names are e-mail addresses: `Ada@X.example ` and `ada@x.example` are one."""
    return (username or "").strip().lower()


def count_in_window(name: str, size: int) -> tuple[int, float]:
    """Count one more of `name` in the current fixed window of `size` seconds: (how many so
    far in it, seconds until it ends). Counts live in the shared cache (Django's cache: a
    database table by default, Redis across machines), so every app process counts
    together; the window's key is `name:<window number>`."""
    from django.core.cache import cache

    now = time.time()
    number = int(now // size)
    left = (number + 1) * size - now
    key, timeout = f"{name}:{number}", math.ceil(left) + 1
    cache.add(key, 0, timeout=timeout)  # creates the counter only if missing
    try:
        return cache.incr(key), left  # atomic on Redis and in the database
    except ValueError:  # expired between add and incr: start again
        cache.set(key, 1, timeout=timeout)
        return 1, left


def account_username(typed: str | None) -> str:
    """The sign-in name of the login of an address typed in any case, with stray spaces:
    the login's own spelling when exactly one login has it, else the address normalized.
    The one way a login is found by its address: the sign-in form (so the password check
    and django-axes' lockout see the login's own name), a join link's page and *Forgot your
    password?* (`accord.org.password_resets`)."""
    from django.contrib.auth import get_user_model

    typed = normalize_username(typed)
    users = get_user_model().objects
    if users.filter(username=typed).exists():  # the usual case, read from the index
        return typed
    matches = list(users.filter(username__iexact=typed).values_list("username", flat=True)[:2])
    return matches[0] if len(matches) == 1 else typed


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name a sign-in attempt was made for, as lockouts count it."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return normalize_username(raw)


@dataclass(frozen=True)
class SignInLock:
    """A sign-in lockout in force: how many failures caused it and when it ends."""

    failures: int
    until: dt.datetime

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, math.ceil(seconds / 60))


def sign_in_lock(*, username: str | None = None, ip: str | None = None) -> SignInLock | None:
    """The lockout in force for this sign-in name or address (django-axes' recorded
    failures within the cool-off period), or None. Either one reaching the limit locks."""
    from axes.models import AccessAttempt

    cool_off = dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES)
    since = timezone.now() - cool_off
    worst: SignInLock | None = None
    for field, value in (("username", normalize_username(username)), ("ip_address", ip)):
        if not value:
            continue
        found = AccessAttempt.objects.filter(**{field: value}, attempt_time__gte=since).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (found["failures"] or 0) >= settings.AXES_FAILURE_LIMIT:
            lock = SignInLock(found["failures"], found["last"] + cool_off)
            if worst is None or lock.until > worst.until:
                worst = lock
    return worst
