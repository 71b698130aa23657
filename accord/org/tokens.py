"""The one-time links to choose a password (a sign-in link an admin made, or an invitation
e-mail's): Django's password-reset tokens, of which only the newest link of a login works.

Making a new link (or sending a new invitation with one) replaces the earlier ones: the
first may have gone to a wrong address. Each link is recorded as an event of the person
(`invitations.LINK_MADE`, or `invitations.INVITED` with a link) before its token is made,
so a token is refused when it was made before the second of the newest such event. Tokens
tell their time in whole seconds: a link made in the same second as the newest one works.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models import Max, Q
from django.utils.http import base36_to_int


class SignInLinkTokens(PasswordResetTokenGenerator):
    """Django's check (spent once a password is set, or after PASSWORD_RESET_TIMEOUT), and
    refused once a newer link was made for the same login."""

    def check_token(self, user, token) -> bool:
        return super().check_token(user, token) and not self._older_than_newest(user, token)

    def replaced(self, user, token) -> bool:
        """Whether `token` would work but for a newer link made since (the page says so)."""
        return super().check_token(user, token) and self._older_than_newest(user, token)

    def _older_than_newest(self, user, token: str) -> bool:
        newest = newest_link_at(user)
        if newest is None:
            return False
        made = base36_to_int(token.split("-")[0])  # checked well-formed by Django's check
        # The token's seconds count from Django's naive local clock (`_now`).
        return made < self._num_seconds(newest.astimezone().replace(tzinfo=None))


def _links_made(user):
    """The events of the links to choose a password made for `user`: a sign-in link made,
    or an invitation e-mail that carried one, for any person signing in with it (None for
    a login of no one)."""
    from accord.activity.models import Event
    from accord.org import invitations
    from accord.org.models import Person

    people = Q()
    for org_id, person_id in Person.objects.filter(user=user).values_list("org_id", "pk"):
        people |= Q(org_id=org_id, target_id=str(person_id))
    if not people:
        return None
    carried = Q(verb=invitations.LINK_MADE) | Q(
        verb=invitations.INVITED, after__signs_in_with=invitations.NEW_PASSWORD
    )
    return Event.objects.filter(people, carried, target_type="org.person")


def newest_link_at(user) -> dt.datetime | None:
    """When the newest link to choose a password for `user` was recorded."""
    links = _links_made(user)
    return None if links is None else links.aggregate(newest=Max("created_at")).get("newest")


def inviting_org(user):
    """The organization that made the newest link to choose a password for `user` (the
    only one that works): the one that invited them, where they are still active; None
    if none is."""
    from accord.org.models import Person

    links = _links_made(user)
    newest = None if links is None else links.order_by("-created_at", "-pk").first()
    if newest is None:
        return None
    person = (
        Person.objects.filter(user=user, org_id=newest.org_id, is_active=True)
        .select_related("org")
        .first()
    )
    return None if person is None else person.org


sign_in_links = SignInLinkTokens()


# --- join links ------------------------------------------------------------------------------
# A person whose address is already an Accord login gets no link to choose its password (no
# admin may attach someone to a login, nor choose its password): their sign-in link (or
# invitation e-mail) is a join link instead. Its holder proves they hold the login (its
# password, or being signed in as it) and the person is linked to it
# (`services.join_with_login`). Signed, it names the person, their address and the event
# that recorded the link: it works within PASSWORD_RESET_TIMEOUT, while that event is still
# the person's newest link (a newer one replaces it) and until the person has a login.

JOIN_SALT = "accord.org.join-link"


class JoinLinkRefused(Exception):
    """Why a join link does not work: `reason` is one of invalid, expired, replaced, spent,
    cannot (the person is deactivated or an agent)."""

    def __init__(self, reason: str, person=None):
        super().__init__(reason)
        self.reason = reason
        self.person = person


def make_join_token(person, event) -> str:
    from django.core import signing

    data = {"p": person.pk, "e": event.pk, "a": (person.email or "").lower()}
    return signing.dumps(data, salt=JOIN_SALT)


def newest_link_event_id(person) -> int | None:
    """The id of the person's newest invitation event (an e-mail, or a sign-in link)."""
    from accord.activity.models import Event
    from accord.org import invitations

    return (
        Event.objects.for_org(person.org_id)
        .for_target("org.person", person.pk)
        .filter(verb__in=invitations.INVITING_VERBS)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def join_link_person(token: str, *, lock: bool = False):
    """The person a join link is for (with their organization), or JoinLinkRefused."""
    from django.conf import settings
    from django.core import signing

    from accord.org.models import Person

    try:
        data = signing.loads(token, salt=JOIN_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.SignatureExpired:
        raise JoinLinkRefused("expired") from None
    except signing.BadSignature:
        raise JoinLinkRefused("invalid") from None
    if not isinstance(data, dict) or not {"p", "e", "a"} <= data.keys():
        raise JoinLinkRefused("invalid")
    people = Person.objects.select_related("org")
    if lock:
        people = people.select_for_update()
    person = people.filter(pk=data["p"]).first()
    if person is None:
        raise JoinLinkRefused("invalid")
    if person.user_id is not None:
        raise JoinLinkRefused("spent", person)
    if (person.email or "").lower() != data["a"] or newest_link_event_id(person) != data["e"]:
        raise JoinLinkRefused("replaced", person)
    if not person.is_active or person.is_agent:
        raise JoinLinkRefused("cannot", person)
    return person


# --- a new password by e-mail ------------------------------------------------------------------


class PasswordResetTokens(PasswordResetTokenGenerator):
    """The link of *Forgot your password?* (`accord.org.password_resets`), e-mailed to a
    login's own address at its holder's request: Django's check alone (spent once the
    password changes or the login signs in, refused after PASSWORD_RESET_TIMEOUT), under a
    key_salt of its own, so a reset token never works as a sign-in link nor the reverse.

    Deliberately not `SignInLinkTokens`: its "newest link" rule reads the links admins made
    (events of a person in one organization), which a reset, asked for by whoever holds the
    address and recorded nowhere an admin reads, is not. So a sign-in link an admin makes
    after a reset was asked for does not replace the reset link, and a reset asked for
    does not replace the admin's link; whichever is used first sets the password, and that
    spends the other (both hash the password). An admin's link made later can still set a
    password only while the login is that organization's alone, as before."""

    key_salt = "accord.org.tokens.PasswordResetTokens"


password_resets = PasswordResetTokens()
