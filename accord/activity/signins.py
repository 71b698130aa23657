"""Sign-ins, lockouts and passwords in the event log, from Django's and django-axes' signals:
who signed in (and how), whose sign-in was locked after too many failures, who set or changed
their own password. Each is an event about their login, named by its e-mail address
(`auth.user`, an admin-only kind: `queries.ADMIN_KINDS`), with the person as actor (a
lockout: Accord, which locked it). A sign-in is an event of the one organization the person
signed in to: the first whose page the new session opens (where the sign-in lands, or the
one they choose), so that no organization learns when someone used another. A lockout and
a password are the login's, which opens every organization the person is active in: an
event of each. Nothing secret is kept: no password, no token, no IP address (django-axes
keeps failed attempts only while they count)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accord.activity.models import Event
from accord.activity.services import record
from accord.org.models import Person

ACCOUNT = "auth.user"
SIGNED_IN = "signed_in"
LOCKED_OUT = "locked_out"
PASSWORD_CHANGED = "password_changed"
VERBS = (SIGNED_IN, LOCKED_OUT, PASSWORD_CHANGED)


def _people(user_filter: dict) -> list[Person]:
    """The active people a login is, one per organization."""
    return list(Person.objects.filter(is_active=True, **user_filter).select_related("org"))


# The session's sign-in not yet recorded: how they signed in, until the session opens a page
# of one of their organizations (`landed`).
PENDING_KEY = "_accord_sign_in"


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
    backend = (getattr(user, "backend", "") or "").lower()
    session[PENDING_KEY] = "single sign-on" if "oidc" in backend else "password"


def landed(request, person: Person) -> None:
    """A page of `person`'s organization, opened by their session: the first since they
    signed in records the sign-in there, and nowhere else."""
    session = getattr(request, "session", None)
    if session is None or PENDING_KEY not in session:
        return
    how = session.pop(PENDING_KEY)
    user = person.user  # the login itself, not the request's lazy stand-in
    with transaction.atomic():
        record(person.org, person, SIGNED_IN, user, label=user.get_username(), after={"with": how})


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
