"""CSV and Markdown (ADR-like, one file per decision, zipped) exports of the decision log."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.http import StreamingHttpResponse

from accord.decisions import services
from tests.conftest import login


@pytest.fixture
def log(cast):
    d = services.create_decision(
        cast.org,
        None,
        "Adopt Kafka?",
        approver=cast.leader,
        teams=[cast.platform],
        context="Three queues today.",
    )
    services.add_option(cast.org, None, d, "Kafka", pros="Replay", cons="Operations")
    services.add_option(cast.org, None, d, "RabbitMQ", pros="Simple", cons="No replay")
    services.decide(cast.org, None, d, outcome="Kafka", rationale="Replay matters")
    other = services.create_decision(cast.org, None, "=HYPERLINK(1)", approver=cast.admin)
    services.create_decision(cast.other_org, None, "Globex secret?", approver=cast.outsider)
    return d, other


def _body(resp) -> bytes:
    assert isinstance(resp, StreamingHttpResponse)
    return b"".join(resp.streaming_content)


def test_the_csv_export_streams_one_row_per_decision_of_this_organization(cast, log):
    resp = login(cast.member).get("/o/acme/decisions/export.csv")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_body(resp).decode())))
    assert [r["question"] for r in rows] == ["Adopt Kafka?", "'=HYPERLINK(1)"]
    kafka = rows[0]
    assert kafka["status"] == "decided" and kafka["approver"] == "Leo Leader"
    assert kafka["options"] == "Kafka; RabbitMQ" and kafka["teams"] == "Platform"
    assert "Globex" not in _body(login(cast.member).get("/o/acme/decisions/export.csv")).decode()


def test_the_csv_export_honours_the_log_filters(cast, log):
    resp = login(cast.member).get("/o/acme/decisions/export.csv", {"status": "decided"})
    rows = list(csv.DictReader(io.StringIO(_body(resp).decode())))
    assert [r["question"] for r in rows] == ["Adopt Kafka?"]


def test_the_markdown_export_is_a_zip_with_one_record_per_decision(cast, log):
    d, other = log
    resp = login(cast.member).get("/o/acme/decisions/export-markdown.zip")
    assert resp.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(_body(resp)))
    names = zf.namelist()
    assert names == [f"{d.pk:04d}-adopt-kafka.md", f"{other.pk:04d}-hyperlink1.md"]
    text = zf.read(names[0]).decode()
    assert text.startswith(f"# {d.pk}. Adopt Kafka?")
    for part in (
        "**Status:** Decided",
        "## Context",
        "### Kafka",
        "**Pros:** Replay",
        "### RabbitMQ",
        "## Decision\n\nKafka",
        "## Rationale",
        "**Approver:** Leo Leader",
    ):
        assert part in text


def test_an_outsider_cannot_export_our_log(cast, log):
    resp = login(cast.outsider).get("/o/acme/decisions/export.csv")
    assert resp.status_code in (403, 404)


def test_exports_read_in_chunks_so_queries_do_not_grow_with_the_log(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.decisions.models import Decision

    client = login(cast.member)

    def queries_for(url):
        with CaptureQueriesContext(connection) as ctx:
            _body(client.get(url))
        return len(ctx)

    services.create_decision(cast.org, None, "First?", approver=cast.leader)
    small = {
        u: queries_for(u)
        for u in ("/o/acme/decisions/export.csv", "/o/acme/decisions/export-markdown.zip")
    }
    Decision.objects.bulk_create(
        Decision(org=cast.org, question=f"Bulk {n}?", approver=cast.leader) for n in range(450)
    )
    for url, n in small.items():
        # 451 decisions are three chunks: a handful more queries, not hundreds.
        assert queries_for(url) <= n + 15, url
