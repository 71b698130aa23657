"""The cast every test can use: one organization with a person of each role, and an outsider.

Like healthchecks' BaseTestCase: `cast.admin`, `cast.leader`, `cast.member`, `cast.viewer`
belong to Acme; `cast.outsider` is the admin of Globex, another tenant. Each has a login.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accord.api import services as token_services
from accord.org import services
from accord.org.models import MembershipRole, Organization, Person, Role, Team

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords the slow, safe way is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    org: Organization
    admin: Person
    leader: Person
    member: Person
    viewer: Person
    root: Team
    platform: Team
    other_org: Organization
    outsider: Person
    other_team: Team


def make_person(org: Organization, name: str, role: str) -> Person:
    email = f"{name.lower().replace(' ', '.')}@{org.slug}.example"
    user = services.ensure_user(email, PASSWORD, name=name)
    return services.add_person(org, None, name=name, email=email, role=role, user=user)


@pytest.fixture
def cast(db) -> Cast:
    org = services.create_organization("Acme", "acme")
    admin = make_person(org, "Ada Admin", Role.ADMIN)
    leader = make_person(org, "Leo Leader", Role.LEADER)
    member = make_person(org, "Mia Member", Role.MEMBER)
    viewer = make_person(org, "Vic Viewer", Role.VIEWER)
    root = services.create_team(org, None, name="Acme", slug="acme")
    platform = services.create_team(org, None, name="Platform", slug="platform", parent=root)
    services.add_membership(
        org, None, person=member, team=platform, role=MembershipRole.MEMBER, allocation=50
    )
    other = services.create_organization("Globex", "globex")
    outsider = make_person(other, "Otto Outsider", Role.ADMIN)
    other_team = services.create_team(other, None, name="Globex Labs", slug="labs")
    return Cast(org, admin, leader, member, viewer, root, platform, other, outsider, other_team)


def login(person: Person) -> Client:
    """A browser-like client signed in as `person`."""
    client = Client()
    client.force_login(person.user)
    return client


def api_client(person: Person) -> Client:
    """An API client holding a fresh token of `person`."""
    _, raw = token_services.create_token(person.org, person, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def as_admin(cast) -> Client:
    return login(cast.admin)


@pytest.fixture
def api_admin(cast) -> Client:
    return api_client(cast.admin)
