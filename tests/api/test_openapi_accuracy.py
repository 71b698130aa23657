"""The OpenAPI description says what the server does, so generated clients work."""

from __future__ import annotations

import re
from enum import Enum
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.test import Client
from ninja import Schema


def api_modules() -> list:
    """Every app's `api` module: each adds its router to the one API."""
    from django.apps import apps

    return [
        import_module(f"{c.name}.api")
        for c in apps.get_app_configs()
        if c.name.startswith("accord.") and find_spec(f"{c.name}.api")
    ]


@pytest.fixture
def document(db) -> dict:
    return Client().get("/api/v1/openapi.json").json()


def test_no_two_schemas_or_enums_of_the_api_share_a_name():
    """The document keeps one component per class name: a second schema, or a second enum
    (e.g. two `Severity` choices), would be shown as the first."""
    seen: dict[str, type] = {}
    for module in api_modules():
        for value in vars(module).values():
            if not isinstance(value, type):
                continue
            own_schema = issubclass(value, Schema) and value.__module__ == module.__name__
            if not (own_schema or (issubclass(value, Enum) and value is not Enum)):
                continue
            other = seen.setdefault(value.__name__, value)
            assert other is value, (
                f"{value.__name__}: {value.__module__} and {other.__module__} share a name"
            )


def test_key_result_values_are_not_documented_as_measurable_values(document):
    schemas = document["components"]["schemas"]
    assert "ValueOut" not in schemas
    ref = document["paths"]["/api/v1/key-results/{kr_id}/values"]["get"]["responses"]["200"]
    assert "KeyResultValueOut" in str(ref)
    assert "key_result_id" in schemas["KeyResultValueOut"]["properties"]


def test_times_of_day_are_documented_as_the_api_writes_them(document):
    prop = document["components"]["schemas"]["CadenceOut"]["properties"]["time"]
    # null for an all-day cadence, else the time as a string
    assert {"type": "null"} in prop["anyOf"]
    [cadence] = [o for o in prop["anyOf"] if o.get("type") != "null"]
    assert cadence.get("format") is None and cadence["type"] == "string"
    assert re.match(cadence["pattern"], "09:30:00") and re.match(cadence["pattern"], "09:30")
    assert "'format': 'time'" not in str(document)


def test_every_operation_documents_its_errors_with_the_error_schema(document):
    assert "Error" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("404", "422"):
                assert status in responses, (method, path, status)
            if operation.get("security"):
                assert {"401", "403", "429"} <= set(responses), (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in responses, (method, path)
            if "/interchange/" not in path:
                assert "Error" in str(responses["422"]), (method, path)


def test_a_patch_offers_null_only_where_it_clears_a_value(document):
    schemas = document["components"]["schemas"]
    assert "null" not in str(schemas["IssuePatch"]["properties"]["description"])
    assert "null" in str(schemas["TeamPatch"]["properties"]["parent_id"])


def test_ids_and_offsets_are_bounded_in_the_description(document):
    params = document["paths"]["/api/v1/teams"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in params}
    assert by_name["offset"]["maximum"] == 2**63 - 1
    assert "maximum" in str(by_name["parent_id"])
