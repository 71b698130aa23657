"""A field a write's body does not take is a 422 naming it, and changes nothing: a misspelt
field must not "succeed" with nothing changed."""

from __future__ import annotations

import inspect
import typing

from pydantic import BaseModel

from accord.activity.models import Event
from accord.api.main import UNKNOWN_FIELD, api
from accord.decisions.models import ActionItem
from accord.org.models import Person
from tests.api.conftest import send
from tests.conftest import api_client


def test_a_misspelt_field_in_a_patch_is_a_422_naming_it_and_changes_nothing(cast):
    client = api_client(cast.admin)
    before = (Person.objects.get(pk=cast.member.pk).title, Event.objects.count())
    response = send(client, "patch", f"/api/v1/people/{cast.member.pk}", {"titel": "Boss"})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["titel"]
    assert error["fields"]["titel"][0].startswith(UNKNOWN_FIELD)
    assert "titel" in error["message"]
    assert (Person.objects.get(pk=cast.member.pk).title, Event.objects.count()) == before


def test_a_misspelt_field_in_a_post_is_a_422_and_creates_nothing(cast):
    body = {"title": "typo test", "owner_id": cast.member.pk, "due": "2026-12-31"}
    response = send(api_client(cast.admin), "post", "/api/v1/action-items", body)
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["due"]
    assert not ActionItem.objects.filter(title="typo test").exists()


def test_an_unknown_field_inside_a_nested_part_of_a_body_is_named_by_its_path(cast):
    body = {
        "name": "Weekly sync",
        "team_id": cast.platform.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "time": "09:30",
        "agenda": [{"title": "News", "minuts": 10}],
    }
    response = send(api_client(cast.admin), "post", "/api/v1/rhythm/cadences", body)
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["agenda.0.minuts"]


def test_an_unknown_field_is_told_the_fields_the_operation_takes(cast):
    from accord.decisions import services as decisions

    item = decisions.create_action_item(cast.org, cast.admin, "Ship it", cast.member)
    response = send(
        api_client(cast.admin), "patch", f"/api/v1/action-items/{item.pk}", {"due": "2026-12-31"}
    )
    assert response.status_code == 422, response.content
    (message,) = response.json()["error"]["fields"]["due"]
    assert message.startswith(UNKNOWN_FIELD + " It takes: ")
    assert "due_on" in message and "title" in message
    assert "due_on" in response.json()["error"]["message"]
    item.refresh_from_db()
    assert item.due_on is None


def test_an_unknown_field_inside_a_nested_part_is_told_that_parts_fields(cast):
    body = {
        "name": "Weekly sync",
        "team_id": cast.platform.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "time": "09:30",
        "agenda": [{"title": "News", "minuts": 10}],
    }
    response = send(api_client(cast.admin), "post", "/api/v1/rhythm/cadences", body)
    (message,) = response.json()["error"]["fields"]["agenda.0.minuts"]
    takes = message.removeprefix(UNKNOWN_FIELD + " It takes: ").rstrip(".").split(", ")
    assert "title" in takes and "rrule" not in takes and "minutes" in takes


def test_the_right_fields_still_work(cast):
    response = send(
        api_client(cast.admin), "patch", f"/api/v1/people/{cast.member.pk}", {"title": "Boss"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Boss"


def _models_in(annotation, found: set[type[BaseModel]]) -> None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def test_every_request_body_of_the_api_refuses_unknown_fields():
    bodies: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) == "body":
                        for field in model.model_fields.values():
                            _models_in(field.annotation, bodies)
    assert len(bodies) > 50  # the walk found the API's bodies
    lax = sorted(m.__name__ for m in bodies if m.model_config.get("extra") != "forbid")
    assert lax == [], "declare these on accord.api.common.InputSchema"
