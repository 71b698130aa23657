"""The demo organization, assembled from each app's `demo.py`.

Every accord app may have a `demo` module with `load(ctx: DemoContext) -> None`; they run
in INSTALLED_APPS order (org first), all in one transaction, with one seeded random
generator, so the organization is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accord.org.models import Organization, Person, Team

DEMO_SLUG = "northwind"
DEMO_NAME = "Northwind Outfitters"
DEMO_PASSWORD = "accord-demo"  # printed by `accord demo`; demo data only
DEMO_LOGIN = "maya.chen@northwind.example"
SEED = 20261124


@dataclass
class DemoContext:
    org: Organization
    rng: random.Random
    today: dt.date
    teams: dict[str, Team] = field(default_factory=dict)  # by slug
    people: list[Person] = field(default_factory=list)
    login: Person | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what one app leaves for the next


def demo_org() -> Organization | None:
    return Organization.objects.filter(slug=DEMO_SLUG).first()


@transaction.atomic
def load(*, today: dt.date | None = None) -> Organization | None:
    """Load the demo organization. Returns None (and changes nothing) if it exists already."""
    if demo_org() is not None:
        return None
    from accord.org.services import create_organization

    org = create_organization(DEMO_NAME, DEMO_SLUG)
    ctx = DemoContext(org=org, rng=random.Random(SEED), today=today or timezone.localdate())
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.startswith("accord.") and find_spec(module_name):
            import_module(module_name).load(ctx)
    return org


@transaction.atomic
def reset() -> None:
    """Delete the demo organization and everything in it."""
    org = demo_org()
    if org is not None:
        from accord.org.services import purge_organization

        purge_organization(org)
