"""Sign-ins, lockouts and passwords in the event log, from Django's and django-axes' signals:
who signed in (and how), whose sign-in was locked after too many failures, who set or changed
their own password. Each is an event about their login, named by its e-mail address
(`auth.user`, an admin-only kind: `queries.ADMIN_KINDS`), with the person as actor (a
lockout: Accord, which locked it). A sign-in is an event of each organization the new
session opens (where the sign-in lands, or the one they choose, then each they switch to),
once, when it first opens it: no organization learns when someone used another. A lockout and
a password are the login's, which opens every organization the person is active in: an
event of each. Nothing secret is kept: no password, no token, no IP address (django-axes
keeps failed attempts only while they count)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.db import transaction
from django.utils import timezone

from accord.activity.models import Event
from accord.activity.services import record
from accord.core.sso import OIDC_BACKEND
from accord.org import services as org_services
from accord.org.models import Person

ACCOUNT = "auth.user"
SIGNED_IN = "signed_in"
LOCKED_OUT = "locked_out"
PASSWORD_CHANGED = "password_changed"
VERBS = (SIGNED_IN, LOCKED_OUT, PASSWORD_CHANGED)


def _people(user_filter: dict) -> list[Person]:
    """The active people a login is, one per organization."""
    return list(Person.objects.filter(is_active=True, **user_filter).select_related("org"))


# How the session signed in, kept for the session: each organization it opens records the
# sign-in as its own the first time (`landed`), and is then listed under OPENED_KEY.
PENDING_KEY = "_accord_sign_in"
OPENED_KEY = "_accord_signed_in_to"


def signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: a person signed in, with their password or single sign-on. Which
    organization they signed in to is known once the session opens one (the page after
    the sign-in, or the one they choose): kept in the session until then (`landed`). A
    login made without a request of a browser (a test's or a script's `force_login`) is
    none."""
    if request is None or getattr(request, "method", None) is None:
        return
    session = getattr(request, "session", None)
    if session is None:
        return
    session[PENDING_KEY] = _how(getattr(user, "backend", ""))
    session.pop(OPENED_KEY, None)  # a new sign-in: each organization records it again


def joined(request) -> None:
    """A person signed in already joined another organization with that login (a join
    link: `web.join`): their session signs in to it now, so the organization they land in
    next records it as their sign-in there (`landed`), as if they had signed in to it."""
    session = request.session
    session[PENDING_KEY] = _how(session.get(BACKEND_SESSION_KEY, ""))


def _how(backend: str | None) -> str:
    """How a session signed in, by the backend that signed it in: Accord's provider backend
    (or another OpenID Connect one) is single sign-on."""
    backend = backend or ""
    return "single sign-on" if backend == OIDC_BACKEND or "oidc" in backend.lower() else "password"


def landed(request, person: Person) -> None:
    """A page of `person`'s organization, opened by their session: the first time since they
    signed in, the sign-in is recorded there (and in no organization they do not open)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    how = session.get(PENDING_KEY)
    opened = session.get(OPENED_KEY, [])
    if how is None or person.org_id in opened:
        return
    session[OPENED_KEY] = [*opened, person.org_id]
    user = person.user  # the login itself, not the request's lazy stand-in
    with transaction.atomic():
        event = record(
            person.org, person, SIGNED_IN, user, label=user.get_username(), after={"with": how}
        )
        # What this organization's pages say of their last sign-in (not the login's).
        org_services.note_sign_in(person, event.created_at)


def locked_out(sender, request=None, username: str = "", **kwargs) -> None:
    """django-axes' `user_locked_out`: too many failed sign-ins with this address. Recorded
    once per cool-off period (axes says so again at each attempt while it lasts)."""
    if not username:
        return
    people = _people({"user__username": username})
    if not people:
        return  # an address no one has: nothing of any organization to record
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None) or dt.timedelta(minutes=15)
    since = timezone.now() - cooloff
    with transaction.atomic():
        for person in people:
            user = person.user
            recent = (
                Event.objects.for_org(person.org)
                .for_target(ACCOUNT, user.pk)
                .filter(verb=LOCKED_OUT, created_at__gte=since)
                .exists()
            )
            if not recent:
                minutes = int(cooloff.total_seconds() // 60)
                record(
                    person.org,
                    None,
                    LOCKED_OUT,
                    user,
                    label=user.get_username(),
                    after={
                        "failed_sign_ins": getattr(settings, "AXES_FAILURE_LIMIT", None),
                        "for_minutes": minutes,
                    },
                )


def password_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """`post_save` of a login whose password was just set (`set_password`, whose new value
    Django keeps until the save is done): the person set theirs through a sign-in link or
    changed it (both forms save the whole login). A new login, and a password an admin
    gives (`org.services.give_login`, which saves only the password field and records
    `password_set` itself), are not this event."""
    if created or raw or getattr(instance, "_password", None) is None:
        return
    if kwargs.get("update_fields") is not None:
        return
    people = _people({"user": instance})
    if not people:
        return
    with transaction.atomic():
        for person in people:
            record(person.org, person, PASSWORD_CHANGED, instance, label=instance.get_username())


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_save

    user_logged_in.connect(signed_in, dispatch_uid="accord.activity.signed_in")
    user_locked_out.connect(locked_out, dispatch_uid="accord.activity.locked_out")
    post_save.connect(
        password_saved, sender=get_user_model(), dispatch_uid="accord.activity.password_saved"
    )
