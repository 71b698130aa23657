"""The one delivery path: everything Accord tells someone goes through here.

A pillar that has something to say (a reminder, a decision notice, a signal, a briefing)
calls `notify(...)` inside the transaction of the write it is about. This module owns the
rest, once for every caller:

- channels: an e-mail to each person, a post to each active chat webhook of each team
  (Slack, Microsoft Teams or Mattermost format). An organization's e-mail is from
  "<its name> via Accord" (at `DEFAULT_FROM_EMAIL`'s address) and names it in `List-Id`
  (`sender`, `list_id`); a login's own message is from `DEFAULT_FROM_EMAIL` as it is.
  While e-mail is not set up (`email_configured()`: neither `EMAIL_HOST` nor
  `EMAIL_BACKEND` set), no e-mail is queued or sent, and none counts as failing; chat
  posts go as ever;
- preferences: a person who turned e-mail off, or muted this kind of notice, gets no
  e-mail of it. A message about a person's own login (`ACCOUNT_KINDS`: a link to choose a
  new password they asked for) is no notice: it goes whatever their preferences, to the
  login's own address (never the address an organization keeps for the person), and its
  text, which carries the link, is forgotten once it is sent or given up (so is an
  invitation's: `SECRET_LINK_KINDS`);
- de-duplication: `key` names what the message is about. Each recipient's row is keyed by
  it, so telling the same thing twice queues nothing new. With `once_per`, a recipient
  gets the same key at most once in that window instead of once ever;
- delivery: the worker's periodic task (`deliver`) claims each due row by moving it from
  pending to sending in one UPDATE, so of two workers only one sends it and a worker that
  dies mid-send never sends that row again; a failed send is retried with back-off and
  given up after MAX_ATTEMPTS, recording an event;
- retention: a sent (or given up) message keeps its text (body and link) for
  `NOTIFICATION_TEXT_DAYS` (`ACCORD_NOTIFICATION_TEXT_DAYS`), then only that it was sent,
  to whom, when and its subject (`forget_old_text`, from the worker's housekeeping).

Each app declares the kinds of notice it sends in `KINDS` (kind -> label) of its
`notifications` module; those are the kinds a person can mute.

The path's own writes (a person's preferences, a team's chat webhooks) are here too, and
behave like any services module's: validate, change and record the event in one
transaction. They are not in activity/services.py because accord.core.services, which
they use, itself imports that module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from email.charset import Charset
from email.utils import formataddr, parseaddr
from http import HTTPStatus
from importlib import import_module
from importlib.util import find_spec
from itertools import repeat
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accord.activity import services as activity
from accord.activity.models import (
    AgendaEmails,
    ChatFlavor,
    ChatWebhook,
    DeliveryPreferences,
    DeliveryStatus,
    Notification,
)
from accord.core import outbound
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import require_same_org, update_and_record
from accord.org.invitations import KIND as INVITATION
from accord.org.invitations import email_configured
from accord.org.models import Organization, Person, Team
from accord.org.permissions import require_team_admin

log = logging.getLogger("accord.activity.delivery")

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 60  # 1 min, 4 min, 16 min between attempts
MAX_KEY_LENGTH = 150  # leaves room for the recipient's suffix and a window number
# Messages about a person's own login, not notices: nobody mutes them, they go to the
# login's address, and their text (a secret link) is forgotten once sent or given up.
PASSWORD_RESET = "password_reset"
ACCOUNT_KINDS = frozenset({PASSWORD_RESET})
# Messages whose text carries a one-time link (to choose a password, to join): forgotten
# once sent or given up, as nobody needs the link afterwards and it must not lie around.
SECRET_LINK_KINDS = ACCOUNT_KINDS | {INVITATION}


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_SECONDS * 4 ** max(0, attempts - 1))


def site_link(path: str) -> str:
    """An absolute address of a page of Accord, for messages read outside it."""
    return f"{settings.SITE_URL}{path}"


# --- kinds of notice ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    group: str  # the app that sends it, e.g. "Operating rhythm"


def kinds(for_person: Person | None = None) -> list[Kind]:
    """Every kind of notice an app declares in its `notifications.KINDS`, in app order;
    `for_person`: only those the person can receive (an app names in `notifications.ROLES`
    the role a kind is sent to, e.g. admins only)."""
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.notifications"
        if not config.name.startswith("accord.") or find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        roles = getattr(module, "ROLES", {})
        for kind, label in getattr(module, "KINDS", {}).items():
            if for_person is not None and kind in roles and not for_person.has_role(roles[kind]):
                continue
            found.append(Kind(kind, label, str(config.verbose_name)))
    return found


# --- preferences ---------------------------------------------------------------------------


def preferences_of(org: Organization, person: Person) -> DeliveryPreferences:
    """A person's preferences; the defaults (unsaved) if they never changed them."""
    found = DeliveryPreferences.objects.filter(org=org, person=person).first()
    return found or DeliveryPreferences(org=org, person=person)


def preferences(org: Organization, person_ids: Iterable[int]) -> dict[int, DeliveryPreferences]:
    """Preferences of many people in one query; every id gets an answer (defaults if none)."""
    ids = set(person_ids)
    found = {
        p.person_id: p for p in DeliveryPreferences.objects.for_org(org).filter(person_id__in=ids)
    }
    return {pid: found.get(pid) or DeliveryPreferences(org=org, person_id=pid) for pid in ids}


@transaction.atomic
def set_preferences(
    org: Organization,
    actor: Person | None,
    person: Person,
    *,
    email: bool | None = None,
    chat: bool | None = None,
    muted_kinds: Iterable[str] | None = None,
    agenda_emails: str | None = None,
    expected_version: int | None = None,
) -> DeliveryPreferences:
    """Change what `person` is told and how. Only the person themselves may (or the system).
    `agenda_emails`: which meetings' agendas they get by e-mail (`AgendaEmails`)."""
    require_same_org(org, person, "person")
    if actor is not None and actor.pk != person.pk:
        raise PermissionDenied("You can only change your own notifications.")
    prefs, _ = DeliveryPreferences.objects.get_or_create(org=org, person=person)
    changes: dict[str, object] = {}
    if email is not None:
        changes["email"] = bool(email)
    if chat is not None:
        changes["chat"] = bool(chat)
    if muted_kinds is not None:
        wanted = sorted(set(muted_kinds))
        known = {k.kind for k in kinds()}
        unknown = [k for k in wanted if k not in known]
        if unknown:
            raise ServiceError(
                f"Unknown kind of notice: {', '.join(map(repr, unknown))}.",
                fields={"muted_kinds": [f"Unknown kind {k!r}." for k in unknown]},
            )
        changes["muted_kinds"] = wanted
    if agenda_emails is not None:
        if agenda_emails not in AgendaEmails.values:
            choices = ", ".join(AgendaEmails.values)
            raise ServiceError(
                f"Unknown choice of agenda e-mails {agenda_emails!r}; use {choices}.",
                fields={"agenda_emails": [f"Choose one of {choices}."]},
            )
        changes["agenda_emails"] = agenda_emails
    update_and_record(org, actor, prefs, changes, expected_version=expected_version)
    return prefs


# --- team chat webhooks ------------------------------------------------------------------------


@transaction.atomic
def add_chat_webhook(
    org: Organization, actor: Person | None, team: Team, *, url: str, flavor: str
) -> ChatWebhook:
    require_same_org(org, team, "team")
    require_team_admin(actor, team, "set up its chat webhook")
    if flavor not in ChatFlavor.values:
        raise ServiceError(
            f"Unknown chat {flavor!r}; use slack, teams or mattermost.",
            fields={"flavor": ["Unknown chat."]},
        )
    url = outbound.check_url(url)
    hook = ChatWebhook.objects.create(org=org, team=team, url=url, flavor=flavor)
    activity.record(org, actor, "created", hook, after={"team": team.pk, "flavor": flavor})
    return hook


def teams_with_chat(org: Organization) -> set[int]:
    """Ids of the teams that have an active chat webhook."""
    return set(
        ChatWebhook.objects.for_org(org).filter(is_active=True).values_list("team_id", flat=True)
    )


def team_webhooks(org: Organization, team: Team):
    """A team's chat webhooks, oldest first."""
    return ChatWebhook.objects.for_org(org).filter(team=team).order_by("pk")


@transaction.atomic
def remove_chat_webhook(org: Organization, actor: Person | None, hook: ChatWebhook) -> None:
    require_same_org(org, hook, "webhook")
    require_team_admin(actor, hook.team, "change its chat webhook")
    activity.record(org, actor, "deleted", hook, before={"team": hook.team_id})
    hook.delete()


# --- queueing ----------------------------------------------------------------------------------


def notify(
    org: Organization,
    *,
    kind: str,
    key: str,
    subject: str,
    text: str,
    html: str | None = None,
    link: str | None = None,
    link_label: str = "Open in Accord",
    people: Iterable[Person | None] = (),
    teams: Iterable[Team | None] = (),
    once_per: dt.timedelta | None = None,
    now: dt.datetime | None = None,
    not_before: dt.datetime | None = None,
) -> int:
    """Queue a message for the worker to deliver; returns how many rows were queued.

    - `people` get an e-mail each: `text` (and `html`, a fragment, if given; else `text`
      in paragraphs) between a greeting and the `link`. People without an address, who
      are inactive, who turned e-mail off or muted `kind` are left out; everyone is while
      e-mail is not set up here (`email_configured()`). A kind of `ACCOUNT_KINDS` goes to
      each one's login (its address), whatever their preferences, and never to chat.
    - each active chat webhook of each of `teams` gets one post: subject, text and link.
    - `key` names what this is about (e.g. "decision:12:decided"): a recipient already
      queued under it is not queued again. With `once_per`, a recipient is not queued
      again within that window of their last one, and may be after it.
    - `not_before`: the worker sends it then, not sooner (a notice held until the
      recipient's working hours).

    Call it inside the transaction of the write it is about: a refused write queues
    nothing. The worker sends; nothing is sent here.
    """
    now = now or timezone.now()
    if not kind or len(kind) > 40:
        raise ValueError(f"A notice kind is 1 to 40 characters, not {kind!r}.")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"A notice key is 1 to {MAX_KEY_LENGTH} characters, not {key!r}.")
    if once_per is not None and once_per <= dt.timedelta(0):
        raise ValueError("once_per must be a positive duration.")
    persons = {p.pk: p for p in people if p is not None}
    teams = [t for t in teams if t is not None]
    account = kind in ACCOUNT_KINDS
    if account and teams:
        raise ValueError(f"A message of kind {kind!r} is for a person's login, not a chat.")
    team_ids = {t.pk for t in teams}
    for p in persons.values():
        require_same_org(org, p, "person")
    for t in teams:
        require_same_org(org, t, "team")
    recipients = []
    if persons and email_configured():
        prefs = preferences(org, persons)
        recipients = [
            p
            for pid, p in sorted(persons.items())
            if p.is_active
            and (p.user_id is not None if account else p.email)
            and (account or prefs[pid].wants(kind, "email"))
        ]
    hooks = list(
        ChatWebhook.objects.for_org(org).filter(team_id__in=team_ids, is_active=True).order_by("pk")
    )
    stem = key
    if once_per is not None:
        # One key per window number makes two workers queueing at once insert one row; the
        # look-back below makes the window slide (nothing twice within once_per).
        stem = f"{key}#{int(now.timestamp() // once_per.total_seconds())}"
        recent = Notification.objects.filter(topic=key, created_at__gt=now - once_per).filter(
            Q(person_id__in=[p.pk for p in recipients]) | Q(webhook_id__in=[h.pk for h in hooks])
        )
        told_people, told_hooks = set(), set()
        for person_id, webhook_id in recent.values_list("person_id", "webhook_id"):
            told_people.add(person_id)
            told_hooks.add(webhook_id)
        recipients = [p for p in recipients if p.pk not in told_people]
        hooks = [h for h in hooks if h.pk not in told_hooks]
    keys = [f"{stem}:p{p.pk}:email" for p in recipients] + [f"{stem}:w{h.pk}:chat" for h in hooks]
    if not keys:
        return 0
    queued = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    subject = " ".join(subject.split())[:300]
    common = {
        "org": org,
        "topic": key,
        "kind": kind,
        "subject": subject,
        "link": link or "",
        "next_attempt_at": max(now, not_before) if not_before else now,
        "created_at": now,
    }
    rows = []
    for person in recipients:
        row_key = f"{stem}:p{person.pk}:email"
        if row_key in queued:
            continue
        ctx = {
            "person": person,
            "org": org,
            "subject": subject,
            "text": text,
            "html": html,
            "link": link,
            "link_label": link_label,
            "account": account,
            "settings_link": site_link(reverse("rhythm:settings", kwargs={"org_slug": org.slug})),
        }
        rows.append(
            Notification(
                key=row_key,
                channel="email",
                person=person,
                body_text=render_to_string("activity/email/notice.txt", ctx),
                body_html=render_to_string("activity/email/notice.html", ctx),
                **common,
            )
        )
    chat_text = "\n".join(
        line for line in [subject, *text.splitlines(), link or ""] if line.strip()
    )
    for hook in hooks:
        row_key = f"{stem}:w{hook.pk}:chat"
        if row_key not in queued:
            rows.append(
                Notification(
                    key=row_key, channel="chat", webhook=hook, body_text=chat_text, **common
                )
            )
    with transaction.atomic():
        # A row planned concurrently by another worker is skipped, not an error.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- delivery ------------------------------------------------------------------------------


# "@channel", "@here", "@all" in what someone wrote would ping a whole Mattermost channel:
# a zero-width space after the @ keeps the words and drops the ping.
_MASS_MENTION = re.compile(r"@(?=(channel|here|all)\b)", re.IGNORECASE)


def chat_payload(flavor: str, subject: str, text: str) -> dict:
    """The JSON an incoming webhook of this chat accepts, with what people wrote shown as
    written: never markup (Teams reads HTML, Slack `<!channel>` and `<url|label>`) and
    never a mention of everyone."""
    if flavor == ChatFlavor.TEAMS:
        # The card's title is the subject, so its text does not say it again (a post's
        # text starts with its subject, for the chats that show text alone); a test
        # message is its title alone (a card with a summary needs no text).
        first, _, rest = text.partition("\n")
        body = rest if first == subject else text
        card = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": subject,
            "title": html.escape(subject, quote=False),
        }
        if body:
            card["text"] = html.escape(body, quote=False).replace("\n", "<br>")
        return card
    if flavor == ChatFlavor.MATTERMOST:
        return {"username": "Accord", "text": _MASS_MENTION.sub("@\u200b", text)}
    # Slack: its three control characters, as its docs ask.
    return {"text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}


def _post(url: str, payload: dict) -> outbound.Response:
    answer = outbound.request(
        "POST",
        url,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    if not answer.ok:
        raise OSError(f"HTTP {answer.status}")
    return answer


def send_test_message(org: Organization, actor: Person | None, hook: ChatWebhook) -> str:
    """Post "Accord test message from <team>" to a team's chat webhook now, as every post is
    sent, and say how it went: "Sent: 200 OK", or a ServiceError with the error. Only who
    may change the webhook may; nothing is queued or recorded."""
    require_same_org(org, hook, "webhook")
    require_team_admin(actor, hook.team, "test its chat webhook")
    text = f"Accord test message from {hook.team.name}"
    try:
        answer = _post(hook.url, chat_payload(hook.flavor, text, text))
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ServiceError(f"Not sent: {exc}", code="chat_test_failed") from None
    with contextlib.suppress(ValueError):
        return f"Sent: {answer.status} {HTTPStatus(answer.status).phrase}"
    return f"Sent: {answer.status}"


# A word a header's display name carries as it is (RFC 5322's atom, less "=", "?" and "_",
# which would read as part of an encoded word).
PLAIN_WORD = re.compile(r"[A-Za-z0-9!#$%&'*+/^`{|}~-]+")
ENCODED_WORD_MAX = 75  # RFC 2047's longest encoded word
UTF8 = Charset("utf-8")


def named_address(name: str, address: str) -> str:
    """`"name" <address>` as a header holds it, in ASCII: a name in ASCII quoted when it
    needs it (`formataddr`); one beyond it with each run of words that is not plain ASCII
    as RFC 2047 encoded words of at most 75 characters, separated by spaces, where the
    message folds the header's lines, and its plain words as they are. (Django leaves an
    ASCII address header as given; `formataddr` encodes a whole name as one word, however
    long, which no line can hold.) Raises UnicodeError for an address beyond ASCII."""
    address.encode("ascii")
    name = " ".join(name.split())
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        pass
    else:
        return formataddr((name, address))
    parts: list[str] = []
    run: list[str] = []  # words to encode, together (the spaces between them encoded too)
    for word in [*name.split(" "), None]:
        if word is not None and not PLAIN_WORD.fullmatch(word):
            run.append(word)
            continue
        if run:
            parts += UTF8.header_encode_lines(" ".join(run), repeat(ENCODED_WORD_MAX))
            run = []
        if word is not None:
            parts.append(word)
    return f"{' '.join(parts)} <{address}>"


def sender(org: Organization) -> str:
    """Who an organization's e-mail is from: `"<its name> via Accord"` at the address of
    `DEFAULT_FROM_EMAIL` (the configured address kept), so that someone in two
    organizations tells their mail apart at a glance (`named_address`: quoted, or encoded
    in words a header's lines hold)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    try:
        if address:
            return named_address(f"{org.name} via Accord", address)
    except UnicodeError:  # an address beyond ASCII: kept as configured
        pass
    return settings.DEFAULT_FROM_EMAIL


def list_id(org: Organization) -> str:
    """The `List-Id` of an organization's e-mail (RFC 2919), for mail filters: its name
    and `<its address.the host of SITE_URL>`, e.g. `Acme <acme.accord.example.com>`;
    `<acme.localhost>` while SITE_URL is localhost (or an address that is no host name),
    the namespace RFC 2919 keeps for lists of no registered domain."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*", host):
        host = "localhost"
    return named_address(org.name, f"{org.slug}.{host}")


def _send(n: Notification, connection) -> None:
    if n.channel == "email":
        to = n.person.email
        if n.kind in ACCOUNT_KINDS:  # the login's own address, whatever the person's is now
            if n.person.user is None:
                raise ValueError("The person no longer has a login.")
            to = n.person.user.get_username()
        message = EmailMultiAlternatives(
            subject=n.subject,
            body=n.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            connection=connection,
        )
        if n.kind not in ACCOUNT_KINDS:  # a login's own message is about no organization
            message.from_email = sender(n.org)
            message.extra_headers["List-Id"] = list_id(n.org)
        if n.body_html:
            message.attach_alternative(n.body_html, "text/html")
        message.send()
    else:
        hook = n.webhook
        _post(hook.url, chat_payload(hook.flavor, n.subject, n.body_text))


def deliver(now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send pending notifications whose time has come. Returns counts by outcome."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "given_up": 0}
    due = Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if not email_configured():
        # E-mails queued before e-mail was unset wait (sent once it is set up again); none
        # is tried on Django's default of an SMTP server on localhost:25.
        due = due.exclude(channel="email")
    ids = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    if not ids:
        return counts
    connection = get_connection(fail_silently=False)
    for nid in ids:
        claimed = Notification.objects.filter(id=nid, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING
        )
        if not claimed:
            continue  # another worker has it
        n = Notification.objects.select_related("person__user", "webhook", "org").get(id=nid)
        try:
            _send(n, connection)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            outcome = _failed(n, exc, now)
            counts[outcome] += 1
            continue
        Notification.objects.filter(id=nid).update(
            status=DeliveryStatus.SENT,
            sent_at=now,
            attempts=n.attempts + 1,
            last_error="",
            **_forgotten(n),
        )
        counts["sent"] += 1
    with contextlib.suppress(Exception):  # closing a broken connection
        connection.close()
    return counts


FORGOTTEN_TEXT = {"body_text": "", "body_html": "", "link": ""}


def _forgotten(n: Notification) -> dict[str, str]:
    """What a row keeps of its text once done with: nothing of a message with a one-time
    link (`SECRET_LINK_KINDS`: a link to choose a password, an invitation), all of any
    other until `forget_old_text` takes it."""
    return FORGOTTEN_TEXT if n.kind in SECRET_LINK_KINDS else {}


def forget_old_text(now: dt.datetime | None = None) -> int:
    """Clear the text (body and link) of messages sent or given up more than
    `NOTIFICATION_TEXT_DAYS` ago; the rows stay (status, recipient, subject, when), so
    nothing is sent twice and a person's page still says how their invitation went.
    Returns how many were cleared. Reads the rows off the index of due messages (a sent
    row's last due time is when it went out), in one UPDATE per state."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.NOTIFICATION_TEXT_DAYS)
    cleared = 0
    for status in (DeliveryStatus.SENT, DeliveryStatus.GIVEN_UP):
        cleared += (
            Notification.objects.filter(status=status, next_attempt_at__lt=cutoff)
            .exclude(body_text="", body_html="", link="")
            .update(**FORGOTTEN_TEXT)
        )
    return cleared


def _failed(n: Notification, exc: Exception, now: dt.datetime) -> str:
    attempts = n.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    log.warning("notification %s failed (attempt %s): %s", n.key, attempts, error)
    if attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            Notification.objects.filter(id=n.pk).update(
                status=DeliveryStatus.GIVEN_UP, attempts=attempts, last_error=error, **_forgotten(n)
            )
            n.attempts, n.status = attempts, DeliveryStatus.GIVEN_UP
            activity.record(
                n.org,
                None,
                "given_up",
                n,
                after={"channel": n.channel, "attempts": attempts, "error": error},
                label=n.subject,
            )
        return "given_up"
    Notification.objects.filter(id=n.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        last_error=error,
        next_attempt_at=now + backoff(attempts),
    )
    return "retry"


# --- trouble, for the admins' notice (accord/core/background.py) ---------------------------

FAILING_WINDOW = dt.timedelta(days=1)  # a message given up this recently still counts
OVERDUE_AFTER = dt.timedelta(minutes=10)  # due this long and unsent: nobody is sending


def trouble(org: Organization, now: dt.datetime | None = None) -> dict:
    """What an admin should hear of this organization's deliveries, in one read (two when
    something fails): {"email": n, "chat": n} messages whose last attempt failed and that
    wait to be tried again or were given up in the last day, "error": the newest such
    failure's error, "overdue": messages due more than 10 minutes ago and still unsent.
    While e-mail is not set up, e-mails (which `deliver` leaves waiting) count for none."""
    now = now or timezone.now()
    rows = Notification.objects.for_org(org).filter(
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.GIVEN_UP, next_attempt_at__gte=now - FAILING_WINDOW)
    )
    if not email_configured():
        rows = rows.exclude(channel="email")
    failed = Q(status=DeliveryStatus.GIVEN_UP) | Q(attempts__gt=0)
    found = rows.aggregate(
        email=Count("pk", filter=failed & Q(channel="email")),
        chat=Count("pk", filter=failed & Q(channel="chat")),
        overdue=Count(
            "pk",
            filter=Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - OVERDUE_AFTER),
        ),
    )
    found["error"] = ""
    if found["email"] or found["chat"]:
        newest = rows.filter(failed).order_by("-pk").values_list("last_error", flat=True)
        found["error"] = newest.first() or ""
    return found
