"""What a locked-out person sees: the sign-in page, saying why, for how long, what to do."""

from __future__ import annotations

import math

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from accord.core.security import client_ip, login_username, sign_in_lock
from accord.org.forms import SignInForm
from accord.web.sso import sso_context


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this instead of signing in once the failure limit is reached."""
    username = login_username(request, credentials)
    lock = sign_in_lock(username=username, ip=client_ip(request))
    minutes = lock.minutes_left if lock else settings.AXES_COOLOFF_MINUTES
    form = SignInForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next", request.GET.get("next", "")),
            "sso": sso_context(),
            "locked": {
                "minutes": minutes,
                "until": lock.until if lock else None,
                "limit": settings.AXES_FAILURE_LIMIT,
            },
        },
        status=429,
    )
    # When to try again, for a script or a client that reads it, as the API's 429s say.
    left = (lock.until - timezone.now()).total_seconds() if lock else minutes * 60
    response["Retry-After"] = str(max(1, math.ceil(left)))
    return response
