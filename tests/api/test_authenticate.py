"""Every API call starts by finding its token in one statement written once per connection
(`accord.api.services._TokenLookup`): it must give exactly what the ORM gives, and refuse
what the ORM would not find."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.api import services
from accord.api.models import ApiToken
from accord.api.scopes import TokenRevoked
from accord.org import services as org_services
from accord.org.models import Person


def fields_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def by_the_orm(raw: str) -> ApiToken:
    return ApiToken.objects.select_related("person", "person__owner", "org").get(
        digest=services._digest(raw), revoked_at__isnull=True, person__is_active=True
    )


def test_a_persons_token_is_the_rows_the_orm_reads_with_nothing_left_to_load(cast):
    _, raw = services.create_token(cast.org, cast.leader, "laptop")
    services.authenticate(raw)  # the first use records when it was used
    with CaptureQueriesContext(connection) as queries:
        token = services.authenticate(raw)
        person, org, owner = token.person, token.org, token.person.owner
    assert len(queries) == 1, [q["sql"] for q in queries]
    expected = by_the_orm(raw)
    assert fields_of(token) == fields_of(expected)
    assert fields_of(person) == fields_of(expected.person)
    assert fields_of(org) == fields_of(expected.org)
    assert owner is None
    assert isinstance(token.last_used_at, dt.datetime) and timezone.is_aware(token.last_used_at)
    assert token._state.adding is False and token._state.db == "default"


def test_an_agents_token_brings_its_accountable_owner(cast):
    agent = org_services.add_agent(cast.org, cast.admin, name="Release bot", owner=cast.leader)
    _, raw = services.create_token(cast.org, agent, "ci", actor=cast.leader)
    services.authenticate(raw)
    with CaptureQueriesContext(connection) as queries:
        token = services.authenticate(raw)
        owner = token.person.owner
    assert len(queries) == 1
    expected = by_the_orm(raw)
    assert fields_of(token.person) == fields_of(expected.person)
    assert fields_of(owner) == fields_of(expected.person.owner) == fields_of(cast.leader)
    assert token.scope == expected.scope == "report"


@pytest.mark.parametrize("spoil", ["unknown", "no prefix", "empty"])
def test_what_the_orm_would_not_find_is_refused(cast, spoil):
    _, raw = services.create_token(cast.org, cast.member, "phone")
    if spoil == "unknown":
        raw = raw[:-4] + ("aaaa" if not raw.endswith("aaaa") else "bbbb")
    elif spoil == "no prefix":
        raw = raw.removeprefix(services.TOKEN_PREFIX)
    else:
        raw = ""
    assert services.authenticate(raw) is None


@pytest.mark.parametrize("spoil", ["revoked", "deactivated"])
def test_a_token_no_longer_valid_is_refused_as_revoked_by_the_same_statement(cast, spoil):
    token, raw = services.create_token(cast.org, cast.member, "phone")
    if spoil == "revoked":
        services.revoke_token(cast.org, cast.member, token)
    else:
        Person.objects.filter(pk=cast.member.pk).update(is_active=False)
    with CaptureQueriesContext(connection) as queries, pytest.raises(TokenRevoked) as refused:
        services.authenticate(raw)
    # The token's own statement first (as for any token), then what its refusal says.
    assert services._digest(raw) in queries[0]["sql"]
    assert refused.value.status == 401 and refused.value.code == "token_revoked"
    assert f"({token.prefix}…)" in refused.value.message
    assert "phone" not in refused.value.message  # its name is for the token pages
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


def test_a_token_is_touched_at_most_once_a_minute(cast):
    token, raw = services.create_token(cast.org, cast.member, "phone")
    assert token.last_used_at is None
    first = services.authenticate(raw)
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    services.authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used - dt.timedelta(minutes=2))
    services.authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > used - dt.timedelta(minutes=2)
    assert first.pk == token.pk
