"""Northwind's people are known by more than one address and handle, and their pages tell
their history in teams."""

from __future__ import annotations

import datetime as dt
import random

from accord import demo
from accord.org import demo as org_demo
from accord.org.models import Membership, Person, PersonIdentity
from accord.org.services import create_organization
from tests.conftest import login


def test_the_demo_people_have_addresses_handles_and_past_terms(db):
    # Only the organization's loader: the people, teams and terms.
    org = create_organization(demo.DEMO_NAME, demo.DEMO_SLUG)
    ctx = demo.DemoContext(org=org, rng=random.Random(demo.SEED), today=dt.date(2026, 11, 24))
    org_demo.load(ctx)
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    assert set(maya.identities.values_list("kind", "value")) >= {
        ("email", "maya@northwind.example"),
        ("slack", "maya"),
    }
    known = PersonIdentity.objects.for_org(org)
    assert known.values("person").distinct().count() >= 5
    assert {"email", "slack", "github"} <= set(known.values_list("kind", flat=True))
    coder = known.filter(kind="github").select_related("person").first()

    client = login(maya)
    card = client.get(f"/o/northwind/people/{maya.pk}/").content.decode()
    assert "Addresses and handles" in card and "maya@northwind.example" in card
    for q in ("@maya", "maya@northwind.example"):
        found = client.get("/o/northwind/people/", {"q": q}).content.decode()
        assert f"/o/northwind/people/{maya.pk}/" in found.split('id="people-rows"')[1], q
    found = client.get("/o/northwind/people/", {"q": f"github:{coder.value}"}).content.decode()
    assert coder.person.name in found.split('id="people-rows"')[1]

    # Who led the retired catalogue team shows it among their past terms, marked.
    former = Membership.terms.get(team__slug="print-catalogue", role="lead").person
    page = client.get(f"/o/northwind/people/{former.pk}/").content.decode()
    past = page.split("Past terms")[1]
    assert "Print Catalogue" in past and '<span class="tag">retired</span>' in past
