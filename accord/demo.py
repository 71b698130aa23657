"""The demo organization, assembled from each app's `demo.py`.

Every accord app may have a `demo` module with `load(ctx: DemoContext) -> None`; they run
in INSTALLED_APPS order (org first), all in one transaction, with one seeded random
generator, so the organization is the same on every machine.

The demo tells a story of the weeks before `today`, loaded in one go: each write a part
makes through the services is wrapped in `happened(when, by)`, so its events are dated when
the story has it happen and name the person who did it, as a real organization's event log
would (a decision decided on its decided day by its approver, a check-in when it was
submitted by its author). The services still run as Accord (`actor` None): no permission
is asked and no notice is sent for what happened weeks ago.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.activity.models import Event
from accord.org.models import Organization, Person, Team

DEMO_SLUG = "northwind"
DEMO_NAME = "Northwind Outfitters"
DEMO_PASSWORD = "accord-demo"  # printed by `accord demo`; demo data only
DEMO_LOGIN = "maya.chen@northwind.example"
SEED = 20261124
# Northwind began using Accord this long before `today`: its teams, people and cadences
# were set up then, before anything else the story tells.
STORY_WEEKS = 26


@dataclass
class DemoContext:
    org: Organization
    rng: random.Random
    today: dt.date
    teams: dict[str, Team] = field(default_factory=dict)  # by slug
    people: list[Person] = field(default_factory=list)
    login: Person | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what one app leaves for the next
    # When each event of the load was recorded -> when the story has it happen (`happened`):
    # what other rows copied of an event's time (an inbox item) is moved with it.
    moments: dict[dt.datetime, dt.datetime] = field(default_factory=dict)

    @property
    def began(self) -> dt.datetime:
        """When Northwind began using Accord (STORY_WEEKS before today, at midnight UTC)."""
        return began(self.today)


def began(today: dt.date) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(weeks=STORY_WEEKS), dt.time(), dt.UTC)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """`day` at `hour`:`minute`, in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


LATELY_DAYS = 4


def spread(last_day: dt.date, *key: object, days: int) -> dt.datetime:
    """A moment of the `days` days up to `last_day` (included), at a working hour, picked
    by `key` (what happened, which one): what people did in those days interleaves, the
    same on every load. Never later than now (a day earlier then)."""
    h = zlib.crc32(repr(key).encode())
    moment = at(last_day - dt.timedelta(days=h % days), 9 + (h >> 8) % 9, (h >> 16) % 60)
    now = timezone.now()
    while moment > now:
        moment -= dt.timedelta(days=1)
    return moment


def lately(ctx: DemoContext, *key: object, days: int = LATELY_DAYS) -> dt.datetime:
    """A moment of the story's last days (today included; all after the last weekly
    evaluation Insights stores, a week ago), picked by `key` (see `spread`)."""
    return spread(ctx.today, *key, days=days)


# --- dating the story's events -------------------------------------------------------------

When = dt.datetime | Callable[[Event], dt.datetime]


class _Dates:
    """The dates a load gives the events recorded in `happened` blocks: the events are
    inserted as every event is (now), kept here with the date they get, and given it by
    `apply` (one statement per few hundred events) before the next app's part reads them."""

    def __init__(self) -> None:
        self.when: When | None = None
        self.pending: list[Event] = []
        self.moved: dict[dt.datetime, dt.datetime] = {}

    def hear(self, event: Event) -> None:
        when = self.when(event) if callable(self.when) else self.when
        if when is not None:
            # Never later than it was recorded: a story's "this afternoon" loaded this morning.
            recorded, event.created_at = event.created_at, min(when, timezone.now())
            self.moved[recorded] = event.created_at
            self.pending.append(event)

    def apply(self) -> int:
        # The log is append-only for the product (`EventQuerySet.update` refuses); the demo
        # dates its own story's events inside the transaction that records them.
        done = Event._base_manager.bulk_update(self.pending, ["created_at"], batch_size=500)
        self.pending.clear()
        return done


def _dates() -> _Dates | None:
    return getattr(transaction.get_connection(), "_accord_demo_dates", None)


def dated_so_far() -> None:
    """Store the dates of the events recorded so far in this load (the load does so after
    each part): for a part that reads its own story's events while it loads."""
    dates = _dates()
    if dates is not None:
        dates.apply()


def loading() -> bool:
    """Whether a demo load is under way (on this connection): what it records is the
    story's history, not news, so notices derived from its events send no e-mail."""
    return _dates() is not None


def _hear(event: Event) -> None:
    dates = _dates()
    if dates is not None:
        dates.hear(event)


@contextmanager
def _dating() -> Iterator[_Dates]:
    """Within this block (a load), `happened` dates the events it wraps."""
    conn = transaction.get_connection()
    dates = conn._accord_demo_dates = _Dates()
    activity.LISTENERS.append(_hear)
    try:
        yield dates
        dates.apply()
    finally:
        activity.LISTENERS.remove(_hear)
        conn._accord_demo_dates = None


@contextmanager
def happened(when: When, by: Person | None = None) -> Iterator[None]:
    """The writes in this block happened at `when` (a moment, or a function of each event
    giving its moment), never later than now, and were `by`'s: the events the services
    record as Accord's (`actor` None) name `by` (`activity.services.recorded_as`); None
    leaves them as the enclosing block has them, Accord's outside any (what Accord itself
    did: a missed check-in, an automatic flag). Inside a load; elsewhere (an app's loader
    run alone) the events keep their time."""
    dates = _dates()
    previous = dates.when if dates is not None else None
    if dates is not None:
        dates.when = when
    try:
        with activity.recorded_as(by):
            yield
    finally:
        if dates is not None:
            dates.when = previous


def demo_org() -> Organization | None:
    return Organization.objects.filter(slug=DEMO_SLUG).first()


@transaction.atomic
def load(*, today: dt.date | None = None) -> Organization | None:
    """Load the demo organization. Returns None (and changes nothing) if it exists already."""
    if demo_org() is not None:
        return None
    from accord.org.services import create_organization

    today = today or timezone.localdate()
    with _dating() as dates:
        with happened(began(today) + dt.timedelta(hours=8)):
            org = create_organization(DEMO_NAME, DEMO_SLUG)
        # Created when its story began, as its first event says, not on the day it loads.
        org.created_at = min(began(today) + dt.timedelta(hours=8), org.created_at)
        Organization.objects.filter(pk=org.pk).update(created_at=org.created_at)
        ctx = DemoContext(org=org, rng=random.Random(SEED), today=today, moments=dates.moved)
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("accord.") and find_spec(module_name):
                import_module(module_name).load(ctx)
                dates.apply()  # the next part reads the events dated (Insights does)
    return org


@transaction.atomic
def reset() -> None:
    """Delete the demo organization and everything in it."""
    org = demo_org()
    if org is not None:
        from accord.org.services import purge_organization

        purge_organization(org)
