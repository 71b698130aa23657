"""Deleting a whole organization removes everything of it and nothing of any other."""

from __future__ import annotations

import pytest
from django.apps import apps

from accord.activity.models import Event
from accord.api.models import ApiToken
from accord.org import services
from accord.org.models import Organization
from tests.conftest import api_client


def rows_of(org) -> dict[str, int]:
    out = {}
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        if any(f.is_relation and f.related_model is Organization for f in fields):
            out[model._meta.label] = model._base_manager.filter(org=org).count()
    return out


@pytest.mark.django_db(transaction=True)  # commit, so the database checks every foreign key
def test_purging_an_organization_leaves_nothing_of_it_and_spares_the_others(cast):
    api_client(cast.admin)
    api_client(cast.outsider)
    services.create_team(cast.org, cast.admin, name="Infra", parent=cast.platform)
    globex = rows_of(cast.other_org)
    acme_events = Event.objects.filter(org=cast.org).count()
    assert globex["activity.Event"] > 0 and globex["api.ApiToken"] == 1

    deleted = services.purge_organization(cast.org)

    assert deleted["org.Team"] == 3 and deleted["org.Person"] == 4
    assert deleted["activity.Event"] == acme_events == 10
    assert not Organization.objects.filter(slug="acme").exists()
    assert all(n == 0 for n in rows_of(cast.org).values())
    assert rows_of(cast.other_org) == globex
    assert Event.objects.filter(org=cast.other_org).count() == globex["activity.Event"]
    assert ApiToken.objects.filter(person=cast.outsider).exists()
