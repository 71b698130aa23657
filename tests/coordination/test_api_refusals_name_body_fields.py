"""The API's refusals of a dependency's actions name the field as the request body names it
(`provider_initiative_id`), whichever check refuses it; the web form keeps its own names."""

from __future__ import annotations

import datetime as dt

from accord.coordination import services
from tests.conftest import api_client, login
from tests.coordination.conftest import initiative


def _post(client, dep, action, body):
    return client.post(
        f"/api/v1/dependencies/{dep.pk}/{action}", body, content_type="application/json"
    )


def test_accept_refusals_name_provider_initiative_id(world, cast):
    dep = world.request()
    giver = api_client(world.giver)
    committed = (world.today + dt.timedelta(days=25)).isoformat()
    other = initiative(world.org, world.sales, "Not theirs", target=world.today)

    missing = _post(giver, dep, "accept", {"committed_date": committed})
    foreign = _post(
        giver, dep, "accept", {"provider_initiative_id": other.pk, "committed_date": committed}
    )
    unknown = _post(
        giver, dep, "accept", {"provider_initiative_id": 999999, "committed_date": committed}
    )
    for r in (missing, foreign, unknown):
        assert r.status_code == 422, r.content
        assert list(r.json()["error"]["fields"]) == ["provider_initiative_id"], r.json()
    assert missing.json()["error"]["fields"]["provider_initiative_id"] == ["Required to accept."]
    dep.refresh_from_db()
    assert dep.state == "requested"


def test_propose_refusals_name_provider_initiative_id(world):
    dep = world.request()
    giver = api_client(world.giver)
    date = (world.today + dt.timedelta(days=40)).isoformat()
    other = initiative(world.org, world.sales, "Not theirs either", target=world.today)
    missing = _post(giver, dep, "propose", {"proposed_date": date})
    body = {"proposed_date": date, "provider_initiative_id": other.pk}
    foreign = _post(giver, dep, "propose", body)
    for r in (missing, foreign):
        assert r.status_code == 422, r.content
        assert list(r.json()["error"]["fields"]) == ["provider_initiative_id"], r.json()


def test_the_web_form_keeps_its_field_name(world):
    dep = world.request()
    other = initiative(world.org, world.sales, "Theirs", target=world.today)
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "version": dep.version,
            "provider_initiative": other.pk,
            "committed_date": (world.today + dt.timedelta(days=25)).isoformat(),
        },
    )
    assert r.status_code == 422
    assert f'id="id_{dep.pk}_accept_provider_initiative-field"' in r.content.decode()
    # The service's own name is unchanged for its other callers.
    try:
        services.transition(world.org, world.giver, dep, "accept", provider_initiative=other)
    except services.ServiceError as exc:
        assert list(exc.fields) == ["provider_initiative"]
    else:  # pragma: no cover
        raise AssertionError("accepted with another team's initiative")
