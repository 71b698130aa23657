"""*Forgot your password?*: the holder of a login's address chooses a new password by
e-mail, with no admin and no operator.

The sign-in page's form takes an address and always answers alike, whether or not a login
has it (`ask`): it only queues a task with the address, the same work either way, and the
worker does the rest (`mail`). Whoever holds the mailbox proves it by opening the link, so
this is also the cure of a password someone else chose for the address (another
organization's admin who added it and opened its sign-in link): choosing a new one retires
it and ends every session signed in with it; the page then counts the API tokens and
calendar feeds the login has, which a password's holder could have made, for the owner to
revoke those they did not make.

The e-mail goes through the one delivery path (`accord.activity.delivery`, kind
`delivery.PASSWORD_RESET`, an account message: sent whatever the person's preferences, to
the login's own address, its text forgotten once sent) as an e-mail of the login's first
active person; nothing is recorded of the request. Its link (`tokens.password_resets`)
works once within PASSWORD_RESET_TIMEOUT, at `accord.web.sso.ResetPasswordView`.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accord.core.security import account_username, count_in_window, normalize_username
from accord.org import invitations
from accord.org.models import Person, PersonKind

# At most one e-mail a login in this window, however often it is asked for.
EVERY = dt.timedelta(minutes=15)
# Asks one client may queue in an hour (each typed address once per EVERY).
ASKS_AN_HOUR = 10


def topic(user) -> str:
    """The delivery path's key of a login's reset e-mails."""
    return f"password_reset:{user.pk}"


def ask(address: str, client: str | None = None) -> bool:
    """Someone (at address `client`) asks for a link to choose a new password for the login
    of `address`: queued for the worker (`tasks.mail_password_reset`), whatever the address,
    so the answer, and the time it takes, say nothing of whether a login has it. Nothing is
    queued for an address asked for in the last 15 minutes (`EVERY`), nor past
    ASKS_AN_HOUR asks from one client in the hour: the form cannot fill the task queue.
    Both counts live in the shared cache and depend on the asking alone, never on whether a
    login has the address. Returns whether the ask was queued."""
    from accord.org.tasks import mail_password_reset

    address = normalize_username(address)
    asked, _ = count_in_window(f"accord:forgot:client:{client or 'unknown'}", 3600)
    if asked > ASKS_AN_HOUR:
        return False
    digest = hashlib.sha256(address.encode()).hexdigest()
    if not cache.add(f"accord:forgot:address:{digest}", 1, timeout=int(EVERY.total_seconds())):
        return False
    mail_password_reset.enqueue(address)
    return True


@transaction.atomic
def mail(address: str, *, now: dt.datetime | None = None) -> int:
    """Queue the e-mail with a link to choose a new password to the login of `address`
    (found as the sign-in form finds it: `security.account_username`), sent to the login's
    own address. None (0 queued) while password sign-in is off or e-mail is not set up; for
    an address no login has, a login switched off or not named by an address, one of no
    active person in any organization (deactivated everywhere; an agent's); and when one
    was queued for the login in the last 15 minutes. Returns how many were queued."""
    from accord.activity import delivery
    from accord.activity.models import Notification
    from accord.org.tokens import password_resets

    if not settings.ACCORD_PASSWORD_SIGNIN or not invitations.email_configured():
        return 0
    username = account_username(address)
    user = (
        get_user_model()
        .objects.select_for_update()  # two workers asked at once queue one e-mail
        .filter(username=username, is_active=True)
        .first()
    )
    if user is None:
        return 0
    try:
        validate_email(user.get_username())
    except ValidationError:
        return 0
    person = (
        Person.objects.filter(user=user, is_active=True, kind=PersonKind.PERSON)
        .select_related("org", "user")
        .order_by("pk")
        .first()
    )
    if person is None:
        return 0
    when = now or timezone.now()
    key = topic(user)
    if Notification.objects.filter(topic=key, created_at__gt=when - EVERY).exists():
        return 0
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = delivery.site_link(
        reverse("reset_password", kwargs={"uidb64": uid, "token": password_resets.make_token(user)})
    )
    subject, text = message(user.get_username(), person.timezone, when)
    return delivery.notify(
        person.org,
        kind=delivery.PASSWORD_RESET,
        key=key,
        subject=subject,
        text=text,
        link=link,
        link_label="Choose a new password",
        people=[person],
        once_per=EVERY,
        now=when,
    )


def message(username: str, zone: str, when: dt.datetime) -> tuple[str, str]:
    """(subject, text) of the e-mail: the login, how long the link works (until when, in
    the person's time zone) and what choosing a new password does."""
    expiry = invitations.expiry()
    until = invitations._in_zone(when + expiry, zone)
    text = "\n\n".join(
        [
            f"Someone, we hope you, asked for a link to choose a new password for the Accord "
            f"login {username}.",
            f"Choose it with the link below. The link works once, within "
            f"{invitations._days(expiry)}: until {until}. Your new password replaces the old "
            f"one, and every other browser signed in as {username} is signed out.",
            "If you did not ask for it, ignore this e-mail: your password stays as it is.",
        ]
    )
    return "Choose a new password for Accord", text
