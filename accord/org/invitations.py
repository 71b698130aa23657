"""Inviting people: the invitation e-mail, the pasted list of a bulk invitation and what
it would do, and what a person's page says of their invitation. Reads only; the writes
(`send_invitation`, `invite_people`) are in `services`.

The e-mail goes through the one delivery path (`accord.activity.delivery.notify`): queued
in the transaction that invites, sent by the worker. It carries a one-time link to choose a
password (`PASSWORD_RESET_TIMEOUT`, three days); for someone whose address is already an
Accord login they are not linked to, a join link of the same life (its holder signs in with
its password to join); for someone whose login is also another organization's, or when
people sign in with single sign-on only, the address of the organization to sign in to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accord.org import queries
from accord.org.models import Organization, Person, PersonKind
from accord.web.templatetags.dates import weekday_moment

KIND = "invitation"  # the notice kind: not one people mute (they have not signed in yet)
# How someone is invited, as the person's events record it: an invitation e-mail, or a
# sign-in link an admin made on their page to send it themselves (an invitation by hand).
INVITED = "invited"
LINK_MADE = "sign_in_link_made"
INVITING_VERBS = (INVITED, LINK_MADE)
# Lines one bulk invitation takes: each is a person, a membership and an e-mail, in one
# transaction.
MAX_LINES = 200
# "Send again" twice in this window (a double click) queues one e-mail.
RESEND_AFTER = dt.timedelta(minutes=1)
# How the invitation lets them in.
NEW_PASSWORD = "new_password"  # a one-time link to choose their password
OWN_PASSWORD = "own_password"  # their login is also another organization's: they use its password
SINGLE_SIGN_ON = "single_sign_on"  # password sign-in is off: the provider signs them in
# Their address is already an Accord login they are not linked to: a join link, with which
# its holder signs in with its password to join (`services.join_with_login`). Never recorded
# nor told to the admin in an invitation's result, which says NEW_PASSWORD.
JOIN = "join"
# ... as a person's history reads it ("Signs in with: a password they choose").
SIGNS_IN_WITH = {
    NEW_PASSWORD: "a password they choose with the invitation's link",
    OWN_PASSWORD: "the password of their Accord login",
    SINGLE_SIGN_ON: "single sign-on",
}

DISCARDING_BACKENDS = ("django.core.mail.backends.dummy.EmailBackend",)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def email_configured() -> bool:
    """Whether Accord's e-mail goes anywhere: `EMAIL_HOST` or `EMAIL_BACKEND` was set (an
    SMTP server other than the default localhost, or another backend), and not one that
    drops every message (`accord demo` without `EMAIL_HOST`)."""
    backend = settings.EMAIL_BACKEND
    if backend in DISCARDING_BACKENDS:
        return False
    if backend != SMTP_BACKEND:
        return True
    return bool(
        os.environ.get("EMAIL_HOST")
        or os.environ.get("EMAIL_BACKEND")
        or settings.EMAIL_HOST != "localhost"
    )


def topic(person: Person) -> str:
    """The delivery path's key of a person's invitations (every one they were sent)."""
    return f"{KIND}:{person.pk}"


# --- who has not signed in ----------------------------------------------------------------


def never_signed_in() -> Q:
    """People (not agents) who have not signed in to this organization since they were
    added: no login, or no sign-in that landed here (`Person.last_signed_in`; a sign-in to
    another of their login's organizations is that one's)."""
    return Q(kind=PersonKind.PERSON) & (Q(user__isnull=True) | Q(last_signed_in__isnull=True))


def last_sign_in(person: Person) -> dt.datetime | None:
    """When `person` last signed in to this organization (the first page of it a new
    session opened: `activity.signins.landed`), or None; never their login's last sign-in,
    which another organization's use counts."""
    return person.last_signed_in if person.user_id else None


def invited_on(org: Organization, person_ids) -> dict[int, dict]:
    """person id -> {"at", "by", "by_link"} of their latest invitation (an e-mail, or a
    sign-in link made by hand: `by_link`), for a page of people, in one query on the
    events' (org, target) index."""
    from accord.activity.models import Event

    ids = [str(i) for i in person_ids]
    if not ids:
        return {}
    found: dict[int, dict] = {}
    # Sorted here, not by the database: asked for them in order, SQLite walked every event
    # of every person of the organization in order (50 ms at 100,000 people) rather than
    # seek the page's few people in the (org, target) index and sort their handful of rows.
    events = sorted(
        Event.objects.for_org(org)
        .filter(target_type="org.person", target_id__in=ids, verb__in=INVITING_VERBS)
        .order_by()
        .values_list("created_at", "id", "target_id", "actor_name", "verb")
    )
    for at, _id, target_id, by, verb in events:  # the latest wins
        found[int(target_id)] = {"at": at, "by": by, "by_link": verb == LINK_MADE}
    return found


@dataclass
class InvitationState:
    """What a person's page says of their invitation (admins only)."""

    signed_in_at: dt.datetime | None  # since they were added here
    invited_at: dt.datetime | None = None
    invited_by: str = ""
    by_link: bool = False  # a sign-in link an admin made to send themselves, not an e-mail
    how: str = ""
    delivery: str = ""  # pending | sending | sent | given_up
    sent_at: dt.datetime | None = None
    error: str = ""
    expires_at: dt.datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.signed_in_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at < timezone.now()


def state_of(org: Organization, person: Person) -> InvitationState:
    """Their last sign-in; else their latest invitation: an e-mail (who sent it, when, how
    its delivery went and when its link expires) or a sign-in link an admin made (who, when
    and when it expires), in two queries on indexes (one for a link)."""
    from accord.activity.models import Event, Notification

    state = InvitationState(signed_in_at=last_sign_in(person))
    if state.accepted:
        return state
    event = (
        Event.objects.for_org(org)
        .for_target("org.person", person.pk)
        .filter(verb__in=INVITING_VERBS)
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return state
    state.invited_at, state.invited_by = event.created_at, event.actor_name or "Accord"
    state.expires_at = link_expires_at(event)
    if event.verb == LINK_MADE:
        state.by_link, state.how = True, NEW_PASSWORD
        return state
    state.how = event.after.get("signs_in_with", "")
    sent = (
        Notification.objects.filter(topic=topic(person), person=person)
        .order_by("-created_at", "-id")
        .values_list("status", "sent_at", "last_error")
        .first()
    )
    if sent is not None:
        state.delivery, state.sent_at, state.error = sent
    return state


def link_expires_at(event) -> dt.datetime | None:
    """When the link to choose a password that an invitation event (e-mail or sign-in
    link) gave stops working: as the event records it, else (a sign-in link recorded
    before it said so) its validity from when it was made; None for an e-mail without
    one (they sign in with their own password, or with single sign-on)."""
    expires = event.after.get("link_expires_at")
    if expires:
        return dt.datetime.fromisoformat(expires)
    return event.created_at + expiry() if event.verb == LINK_MADE else None


# --- the e-mail ----------------------------------------------------------------------------


def expiry() -> dt.timedelta:
    """How long a link to choose a password works (`PASSWORD_RESET_TIMEOUT`)."""
    return dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def message(
    org: Organization,
    actor: Person | None,
    person: Person,
    *,
    how: str,
    expires_at: dt.datetime | None,
) -> tuple[str, str, str]:
    """(subject, text, link label) of the invitation e-mail: the organization, who invited
    them, the address they sign in with and, for a link to choose a password, when it
    stops working (in their own time zone)."""
    who = actor.name if actor is not None else f"The administrators of {org.name}"
    subject = f"{who} invited you to {org.name} on Accord"
    lines = [
        f"{who}{f' ({actor.email})' if actor is not None and actor.email else ''} invited you "
        f"to {org.name} on Accord, where its teams keep their objectives, cross-team "
        "requests, meetings and decisions.",
    ]
    if how == NEW_PASSWORD:
        lines.append(
            f"Choose your password with the link below; then sign in as {person.email}. "
            f"The link works once, within {_days(expiry())}: until "
            f"{_in_zone(expires_at, person.timezone)}. After that, ask "
            f"{who if actor else 'them'} to send a new invitation."
        )
        label = "Choose your password"
    elif how == JOIN:
        lines.append(
            f"{person.email} already has an Accord login: sign in with your existing Accord "
            f"password through the link below to join {org.name}. The link works once, within "
            f"{_days(expiry())}: until {_in_zone(expires_at, person.timezone)}. After that, "
            f"ask {who if actor else 'them'} to send a new invitation."
        )
        label = f"Join {org.name}"
    elif how == OWN_PASSWORD:
        lines.append(
            f"You already have an Accord login: sign in as {person.email} with your own "
            f"password, and you will find {org.name} among your organizations."
        )
        label = f"Open {org.name}"
    else:
        provider = settings.ACCORD_OIDC_PROVIDER_NAME
        lines.append(
            f"Sign in with {provider} as {person.email}; you will find {org.name} among your "
            "organizations."
        )
        label = f"Open {org.name}"
    return subject, "\n\n".join(lines), label


def org_link(org: Organization) -> str:
    from accord.activity.delivery import site_link

    return site_link(reverse("web:home", kwargs={"org_slug": org.slug}))


def password_link(uid: str, token: str) -> str:
    from accord.activity.delivery import site_link

    return site_link(reverse("set_password", kwargs={"uidb64": uid, "token": token}))


def join_link(token: str) -> str:
    from accord.activity.delivery import site_link

    return site_link(reverse("join", kwargs={"token": token}))


def _in_zone(moment: dt.datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        tz, zone = dt.UTC, "UTC"
    return f"{weekday_moment(moment.astimezone(tz))}, {zone} time"


def _days(span: dt.timedelta) -> str:
    days = span.total_seconds() / 86400
    if days >= 1 and days == int(days):
        return f"{int(days)} day{'s' if days != 1 else ''}"
    hours = max(1, round(span.total_seconds() / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


# --- a pasted list of people -----------------------------------------------------------------


@dataclass
class Line:
    """One person of a pasted list: its line number, the name (given, or made from the
    address) and the address; `existing`, who of the organization has that address."""

    number: int
    name: str
    email: str
    named: bool = True  # False: the name was made from the address
    existing: Person | None = None


@dataclass
class Plan:
    """What inviting a pasted list would do: who is added, who is already in the
    organization (skipped) and the lines that cannot be read (then nothing is done)."""

    new: list[Line] = field(default_factory=list)
    existing: list[Line] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def error_messages(self) -> list[str]:
        return [f"Line {n}: {why}" for n, why in self.errors]


ANGLE = re.compile(r'^\s*"?(?P<name>[^"<>]*?)"?\s*<(?P<email>[^<>]*)>\s*[,;]?\s*$')
SEPARATORS = re.compile(r"[,;\t]")


def parse(text: str) -> tuple[list[Line], list[tuple[int, str]]]:
    """The people of a pasted list, one a line: "Name <email>", "email", "Name, email"
    (or "email, Name"; a tab or a semicolon, as a spreadsheet pastes, does for the comma).
    Blank lines and lines starting with # are passed over. Returns the lines read and the
    problems, each with its line number; a name left out is made from the address."""
    lines: list[Line] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        row = raw.strip()
        if not row or row.startswith("#"):
            continue
        if len(lines) + len(errors) >= MAX_LINES:
            errors.append((number, f"at most {MAX_LINES} people at a time; invite the rest next."))
            break
        found = _read(row)
        if isinstance(found, str):
            errors.append((number, found))
            continue
        name, email = found
        named = bool(name)
        try:
            validate_email(email)
        except ValidationError:
            errors.append((number, f"{email!r} is not an e-mail address."))
            continue
        if len(name) > 200:
            errors.append((number, "the name is longer than 200 characters."))
            continue
        lines.append(Line(number, name or name_from(email), email, named=named))
    return lines, errors


def _read(row: str) -> tuple[str, str] | str:
    """(name, address) of one line, or what is wrong with it."""
    if "<" in row or ">" in row:
        match = ANGLE.match(row)
        if match is None:
            return 'write it as "Name <address>".'
        return " ".join(match["name"].split()), match["email"].strip()
    parts = [p.strip() for p in SEPARATORS.split(row)]
    parts = [p for p in parts if p]
    if len(parts) == 1:
        if " " in parts[0]:
            return 'no e-mail address: write "Name <address>" or "Name, address".'
        return "", parts[0]
    if len(parts) != 2:
        return 'one person a line: "Name <address>", "Name, address" or the address alone.'
    addresses = [p for p in parts if "@" in p]
    if len(addresses) != 1:
        return 'one e-mail address a line: "Name <address>" or "Name, address".'
    email = addresses[0]
    name = next(p for p in parts if p is not email)
    return " ".join(name.split()), email


def name_from(email: str) -> str:
    """A name from an address, until they change it: ada.lovelace@… reads "Ada Lovelace"."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    words = [w for w in re.split(r"[._\-]+", local) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or email


def plan(org: Organization, text: str) -> Plan:
    """What inviting `text` (see `parse`) into `org` would do, in three queries: an address
    given twice is a problem of its later line; someone of the organization with that
    address (primary or another of theirs, active or not) is skipped."""
    lines, errors = parse(text)
    first: dict[str, int] = {}
    kept: list[Line] = []
    for line in lines:
        key = line.email.lower()
        if key in first:
            errors.append((line.number, f"{line.email} is on line {first[key]} too."))
        else:
            first[key] = line.number
            kept.append(line)
    errors.sort()
    out = Plan(errors=errors)
    found = queries.people_by_identity(org, emails=[line.email for line in kept])
    # Whether an address is already an Accord login is not said here (such a person gets a
    # join link: `services.sign_in_link`).
    for line in kept:
        line.existing = found.get(("email", line.email.lower()))
        (out.existing if line.existing is not None else out.new).append(line)
    return out


def digest(*parts: object) -> str:
    """A short fingerprint of what was previewed, so that a confirmation adds only what its
    page showed."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]
