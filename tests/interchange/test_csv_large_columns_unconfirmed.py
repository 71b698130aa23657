"""A CSV large enough to be planned or imported in the background is refused as a small
one is when a column looks misspelt and that is not confirmed: 422 `columns_unconfirmed`
at once (its columns are in its header), dry run or import, with no job queued; confirmed,
it is queued and its dry run's result is a plan."""

from __future__ import annotations

import pytest

from accord.interchange import services
from accord.interchange.models import ImportJob
from accord.org.models import Person
from tests.conftest import api_client

from .helpers import dump

URL = "/api/v1/interchange/csv"


def _large(header: str) -> str:
    rows = "".join(f"person{n}@acme.example,Person {n},Engineer,tea\r\n" for n in range(6000))
    text = header + "\r\n" + rows
    assert len(text.encode()) > services.JOB_BYTES  # planned in the background
    return text


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_a_large_file_with_a_misspelt_column_is_refused_before_it_is_queued(cast, dry_run):
    client = api_client(cast.admin)
    before = dump()
    r = client.post(
        f"{URL}?dry_run={dry_run}",
        data=_large("email,name,Titel,Notes"),
        content_type="text/csv",
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["error"]["code"] == "columns_unconfirmed"
    assert "allow_ignored_columns=true" in body["error"]["message"]
    assert "Titel" in body["error"]["message"]
    assert body["near_misses"] == {"Titel": "title"}
    assert body["ignored_columns"] == ["Titel", "Notes"]
    assert body["csv_section"] == "people" and not body["applied"]
    assert not ImportJob.objects.exists()
    assert dump() == before


def test_confirmed_a_large_dry_run_is_queued_and_plans(cast):
    client = api_client(cast.admin)
    queued = client.post(
        f"{URL}?dry_run=true&allow_ignored_columns=true",
        data=_large("email,name,Titel,Notes"),
        content_type="text/csv",
    )
    assert queued.status_code == 202, queued.content
    assert services.run_job(queued.json()["id"]) == "done"
    result = client.get(queued.json()["url"]).json()["result"]
    assert result["ignored_columns"] == ["Titel", "Notes"]
    assert result["counts"]["people"]["create"] == 6000
    assert not Person.objects.filter(email="person1@acme.example").exists()


def test_a_large_file_without_misspelt_columns_is_queued(cast):
    r = api_client(cast.admin).post(
        f"{URL}?dry_run=true", data=_large("email,name,title,Notes"), content_type="text/csv"
    )
    assert r.status_code == 202, r.content
    assert ImportJob.objects.count() == 1
