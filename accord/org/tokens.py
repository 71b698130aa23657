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
