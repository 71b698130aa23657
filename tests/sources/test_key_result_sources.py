"""A key result that reads its number from a JSON URL, a CSV URL or a Prometheus query."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from accord.activity.models import Event
from accord.alignment.models import KeyResult, KeyResultValue
from accord.core.errors import PermissionDenied, ServiceError
from accord.sources import services
from accord.sources.models import KeyResultSource
from accord.sources.tasks import pull_due

PROM_VECTOR = {
    "status": "success",
    "data": {
        "resultType": "vector",
        "result": [{"metric": {"job": "web"}, "value": [1764676800.0, "187.5"]}],
    },
}


def _current(kr) -> float:
    return KeyResult.objects.get(pk=kr.pk).current


def _state(kr):
    """Everything a failed pull must leave as it was."""
    fresh = KeyResult.objects.get(pk=kr.pk)
    return (
        fresh.current,
        fresh.version,
        KeyResultValue.objects.filter(key_result=kr).count(),
        Event.objects.filter(org=kr.org).count(),
    )


def test_a_json_source_updates_the_value_and_history_says_from_source(cast, kr, upstream):
    url = upstream.answer("/metrics.json", json.dumps({"data": {"signups": {"week": 120}}}))
    source = services.set_source(
        cast.org, cast.member, kr, kind="json", url=url, json_path="$.data.signups.week"
    )
    result = services.pull_source(cast.org, None, source)
    assert result.ok and result.value == 120
    assert _current(kr) == 120
    value = KeyResultValue.objects.get(key_result=kr, source="source")
    assert (value.value, value.source, value.note, value.recorded_by) == (
        120,
        "source",
        "from source",
        None,
    )
    source.refresh_from_db()
    assert source.last_value == 120 and source.failures == 0 and source.last_success_at


def test_the_same_value_is_recorded_once_a_day_and_a_new_one_each_time(cast, kr, upstream):
    url = upstream.answer("/m.json", '{"n": 5}')
    source = services.set_source(cast.org, cast.member, kr, kind="json", url=url, json_path="$.n")
    services.pull_source(cast.org, None, source)
    services.pull_source(cast.org, None, source)
    assert KeyResultValue.objects.filter(key_result=kr, source="source").count() == 1
    upstream.answer("/m.json", '{"n": 7}')
    services.pull_source(cast.org, None, source)
    assert list(
        KeyResultValue.objects.filter(key_result=kr, source="source").values_list(
            "value", flat=True
        )
    ) == [
        5,
        7,
    ]


@pytest.mark.parametrize(
    ("column", "row", "key_column", "key_value", "expected"),
    [
        ("signups", "last", "", "", 140),
        ("2", "1", "", "", 90),
        ("signups", "", "week", "2026-W02", 115),
    ],
)
def test_a_csv_source_reads_the_cell_by_column_and_row(
    cast, kr, upstream, column, row, key_column, key_value, expected
):
    csv = "week,signups\n2026-W01,90\n2026-W02,115\n2026-W03,140\n"
    url = upstream.answer("/weekly.csv", csv, content_type="text/csv")
    source = services.set_source(
        cast.org,
        cast.member,
        kr,
        kind="csv",
        url=url,
        csv_column=column,
        csv_row=row,
        key_column=key_column,
        key_value=key_value,
    )
    assert services.pull_source(cast.org, None, source).ok
    assert _current(kr) == expected


def test_a_prometheus_source_sends_the_query_and_reads_the_vector(cast, kr, upstream):
    upstream.answer(
        "/api/v1/query?query=sum%28rate%28signups_total%5B1w%5D%29%29", json.dumps(PROM_VECTOR)
    )
    source = services.set_source(
        cast.org,
        cast.member,
        kr,
        kind="prometheus",
        url=upstream.base,
        query="sum(rate(signups_total[1w]))",
    )
    assert services.pull_source(cast.org, None, source).ok
    assert _current(kr) == 187.5


def test_a_prometheus_scalar_is_read_too(cast, kr, upstream):
    body = {"status": "success", "data": {"resultType": "scalar", "result": [1.0, "42"]}}
    upstream.answer("/api/v1/query?query=scalar%28up%29", json.dumps(body))
    source = services.set_source(
        cast.org, cast.member, kr, kind="prometheus", url=upstream.base, query="scalar(up)"
    )
    assert services.pull_source(cast.org, None, source).value == 42


def test_the_header_secret_is_sent_and_stored_encrypted(cast, kr, upstream):
    url = upstream.answer("/private.json", '{"n": 3}')
    services.set_source(
        cast.org,
        cast.member,
        kr,
        kind="json",
        url=url,
        json_path="$.n",
        header_name="X-Api-Key",
        header_value="s3cret-value",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT header_secret FROM sources_keyresultsource")
        (raw,) = cursor.fetchone()
    assert raw and "s3cret-value" not in raw
    source = KeyResultSource.objects.get(key_result=kr)
    assert services.pull_source(cast.org, None, source).ok
    assert upstream.requests[-1][1]["X-Api-Key"] == "s3cret-value"
    # Saving again without a value keeps the stored one; no event ever carries it.
    services.set_source(
        cast.org, cast.member, kr, kind="json", url=url, json_path="$.n", header_name="X-Api-Key"
    )
    services.pull_source(cast.org, None, KeyResultSource.objects.get(key_result=kr))
    assert upstream.requests[-1][1]["X-Api-Key"] == "s3cret-value"
    assert not Event.objects.filter(after__icontains="s3cret").exists()


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        ({"body": b"{not json"}, "not JSON"),
        ({"body": b'{"data": {}}'}, "matches nothing"),
        ({"body": b'{"data": {"signups": "many"}}'}, "not a number"),
        ({"body": b'{"data": {"signups": null}}'}, "not a number"),
        ({"body": b'{"data": {"signups": 5}}', "delay": 1.5}, "no answer within"),
    ],
)
def test_a_failed_pull_is_recorded_and_changes_nothing_else(
    cast, kr, upstream, settings, route, message
):
    settings.SOURCES_TIMEOUT = 0.4
    url = upstream.answer("/s.json", route.pop("body"), **route)
    source = services.set_source(
        cast.org, cast.member, kr, kind="json", url=url, json_path="$.data.signups"
    )
    before = _state(kr)
    first = services.pull_source(cast.org, None, source)
    second = services.pull_source(cast.org, None, source)
    assert not first.ok and message in first.message
    assert not second.ok
    assert _state(kr) == before
    source.refresh_from_db()
    assert source.failures == 2
    assert message in source.last_error and source.last_error_at and source.last_attempt_at
    # A success afterwards clears the failure count.
    upstream.answer("/s.json", '{"data": {"signups": 9}}')
    assert services.pull_source(cast.org, None, source).ok
    source.refresh_from_db()
    assert (source.failures, source.last_error, _current(kr)) == (0, "", 9)


def test_csv_failures_name_what_is_missing(cast, kr, upstream):
    url = upstream.answer("/w.csv", "week,signups\nW1,12\n", content_type="text/csv")
    source = services.set_source(
        cast.org, cast.member, kr, kind="csv", url=url, csv_column="visits"
    )
    assert "no column 'visits'" in services.pull_source(cast.org, None, source).message
    source = services.set_source(
        cast.org, cast.member, kr, kind="csv", url=url, csv_column="signups", csv_row="5"
    )
    assert "there is no row 5" in services.pull_source(cast.org, None, source).message


def test_a_prometheus_answer_of_several_series_is_a_failure(cast, kr, upstream):
    two = json.loads(json.dumps(PROM_VECTOR))
    two["data"]["result"].append({"metric": {"job": "api"}, "value": [1, "3"]})
    upstream.answer("/api/v1/query?query=up", json.dumps(two))
    source = services.set_source(
        cast.org, cast.member, kr, kind="prometheus", url=upstream.base, query="up"
    )
    assert "2 series" in services.pull_source(cast.org, None, source).message
    assert not KeyResultValue.objects.filter(key_result=kr, source="source").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "json", "url": "ftp://example.com/x.json", "json_path": "$.n"}, "url"),
        ({"kind": "json", "url": "https://example.com/x.json", "json_path": "$..["}, "json_path"),
        ({"kind": "json", "url": "https://example.com/x.json"}, "json_path"),
        ({"kind": "csv", "url": "https://example.com/x.csv"}, "csv_column"),
        (
            {"kind": "csv", "url": "https://example.com/x.csv", "csv_column": "a", "csv_row": "x"},
            "csv_row",
        ),
        ({"kind": "prometheus", "url": "https://prom.example.com"}, "query"),
        ({"kind": "xml", "url": "https://example.com/x.xml"}, "kind"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(cast, kr, data, field):
    with pytest.raises(ServiceError) as exc:
        services.set_source(cast.org, cast.member, kr, **data)
    assert field in exc.value.fields
    assert not KeyResultSource.objects.exists()


def test_private_addresses_are_refused_unless_allowed(cast, kr, upstream, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    url = upstream.answer("/m.json", '{"n": 1}')
    with pytest.raises(ServiceError) as exc:
        services.set_source(cast.org, cast.member, kr, kind="json", url=url, json_path="$.n")
    assert exc.value.code == "address_refused"
    settings.OUTBOUND_ALLOW_PRIVATE = True
    source = services.set_source(cast.org, cast.member, kr, kind="json", url=url, json_path="$.n")
    settings.OUTBOUND_ALLOW_PRIVATE = False  # and again at each pull
    result = services.pull_source(cast.org, None, source)
    assert not result.ok and "private or local" in result.message
    assert upstream.requests == []


def test_only_the_owner_or_an_admin_sets_the_source(cast, kr):
    data = {"kind": "json", "url": "https://example.com/m.json", "json_path": "$.n"}
    with pytest.raises(PermissionDenied):
        services.set_source(cast.org, cast.viewer, kr, **data)
    services.set_source(cast.org, cast.leader, kr, **data)  # the objective's owner
    services.set_source(cast.org, cast.admin, kr, **data)
    kr.owner = cast.admin
    kr.save()
    with pytest.raises(PermissionDenied):
        services.set_source(cast.org, cast.member, kr, **data)


def test_the_schedule_pulls_what_is_due_once(cast, kr, upstream):
    url = upstream.answer("/m.json", '{"n": 11}')
    services.set_source(cast.org, cast.member, kr, kind="json", url=url, json_path="$.n")
    assert pull_due()["sources"] == 1
    assert _current(kr) == 11
    assert pull_due()["sources"] == 0  # not due again before SOURCES_PULL_MINUTES
    assert len(upstream.requests) == 1
