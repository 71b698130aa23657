"""One check of the time zones given to Accord (`accord.core.services.validate_timezone`):
the zone of a place, Area/Location, or UTC. EST, Etc/GMT+5, US/Eastern… are refused with
the zone usually meant, from a CSV, an organization file, the person form, the API and a
cadence; a person or cadence that has such a zone from before keeps it."""

from __future__ import annotations

import pytest
import yaml

from accord.core.errors import ServiceError
from accord.core.services import validate_timezone
from accord.interchange import csvio, services
from accord.org.models import Person
from tests.conftest import api_client, login

from .helpers import dump

EST_HINT = "EST is a fixed offset without daylight saving; use America/New_York"


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("EST", EST_HINT),
        ("MST", "MST is a fixed offset without daylight saving; use America/Denver"),
        ("HST", "HST is a fixed offset without daylight saving; use Pacific/Honolulu"),
        ("EST5EDT", "EST5EDT is a legacy name, not the zone of a place; use America/New_York"),
        ("CST6CDT", "use America/Chicago"),
        ("US/Eastern", "use America/New_York"),
        ("Etc/GMT+5", "Etc/GMT+5 is a fixed offset (UTC-5; such names reverse the sign)"),
        ("Etc/GMT+5", "such as America/New_York"),
        ("GMT+5", "'GMT+5' is a fixed offset, not a time zone"),
        ("GMT+5", "such as Asia/Karachi"),
        ("Etc/UTC", "Etc/UTC is another name of UTC; use UTC."),
        ("Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_zone_that_is_no_place_is_refused_naming_the_usual_one(given, hint):
    with pytest.raises(ServiceError) as refused:
        validate_timezone(given)
    assert hint in refused.value.message
    assert refused.value.fields["timezone"] == [refused.value.message]


def test_the_zone_of_a_place_is_taken_in_any_case_and_a_kept_zone_stands():
    assert validate_timezone("Europe/Paris") == "Europe/Paris"
    assert validate_timezone(" europe/paris ") == "Europe/Paris"
    assert validate_timezone("utc") == "UTC"
    assert validate_timezone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
    assert validate_timezone("EST", kept="EST") == "EST"  # stored before: keeps working
    with pytest.raises(ServiceError):
        validate_timezone("EST", kept="Europe/Paris")


def test_a_csv_giving_est_is_refused_with_the_hint_and_changes_nothing(cast):
    before = dump()
    text = "email,name,timezone\r\nnia@acme.example,Nia Noor,EST\r\n"
    strict = csvio.import_csv(text.encode(), org_slug="acme", strict=True)
    assert strict.aborted and dump() == before
    relaxed = csvio.import_csv(text.encode(), org_slug="acme")
    [problem] = relaxed.report.problems
    assert (problem.path, problem.value) == ("people[0].timezone", "EST")
    assert EST_HINT in problem.why
    assert dump() == before


def test_an_organization_file_keeps_a_zone_stored_before_and_refuses_a_new_one(cast):
    Person.objects.filter(pk=cast.member.pk).update(timezone="EST")  # from before the rule
    exported = services.export_text(cast.org)
    again = services.plan_file(exported, org_slug="acme")
    assert again.ok and not again.report and again.changes == [], again.as_text()
    document = yaml.safe_load(exported)
    [leo] = [p for p in document["people"] if p["email"] == cast.leader.email]
    leo["timezone"] = "US/Eastern"
    outcome = services.plan_file(yaml.safe_dump(document), org_slug="acme")
    assert [p.value for p in outcome.report.problems] == ["US/Eastern"], outcome.as_text()
    assert "use America/New_York" in outcome.report.problems[0].why


def test_the_person_form_refuses_est_with_the_hint_and_keeps_one_stored(cast):
    admin = login(cast.admin)
    new = {"name": "Nia Noor", "email": "nia@acme.example", "role": "member"}
    page = admin.post("/o/acme/people/new/", {**new, "timezone": "EST"}).content.decode()
    # Shown selected beside the refusal, not replaced by the first zone of the list.
    assert EST_HINT in page and '<option value="EST" selected>' in page
    assert not Person.objects.filter(org=cast.org, email="nia@acme.example").exists()
    form = admin.get("/o/acme/people/new/").content.decode()
    assert '<option value="Europe/Paris"' in form and '<option value="EST"' not in form
    # Mia has EST from before: her form shows it, and saving something else keeps it.
    Person.objects.filter(pk=cast.member.pk).update(timezone="EST")
    own = login(cast.member)
    url = f"/o/acme/people/{cast.member.pk}/edit/"
    assert '<option value="EST" selected>' in own.get(url).content.decode()
    saved = own.post(url, {"name": "Mia M.", "title": "", "timezone": "EST"})
    assert saved.status_code == 302, saved.content.decode()[:500]
    cast.member.refresh_from_db()
    assert (cast.member.name, cast.member.timezone) == ("Mia M.", "EST")


def test_the_api_refuses_est_with_the_hint(cast):
    client = api_client(cast.admin)
    added = client.post(
        "/api/v1/people",
        {"name": "Nia Noor", "email": "nia@acme.example", "timezone": "EST"},
        content_type="application/json",
    )
    assert added.status_code == 422, added.content
    assert EST_HINT in added.json()["error"]["message"]
    url = f"/api/v1/people/{cast.member.pk}"
    moved = client.patch(url, {"timezone": "Etc/GMT+5"}, content_type="application/json")
    assert moved.status_code == 422 and "use the zone of a place" in moved.content.decode()
    Person.objects.filter(pk=cast.member.pk).update(timezone="EST")
    kept = client.patch(url, {"title": "Ops", "timezone": "EST"}, content_type="application/json")
    assert kept.status_code == 200, kept.content
    fixed = client.patch(url, {"timezone": "america/new_york"}, content_type="application/json")
    assert fixed.json()["timezone"] == "America/New_York"


def test_a_cadence_refuses_a_fixed_offset_and_keeps_one_stored(cast):
    from accord.rhythm import services as rhythm
    from accord.rhythm.models import Cadence

    client = api_client(cast.admin)
    body = {"template": "weekly-sync", "team_id": cast.platform.pk, "start_date": "2026-10-05"}
    refused = client.post(
        "/api/v1/rhythm/cadences", {**body, "timezone": "HST"}, content_type="application/json"
    )
    assert refused.status_code == 422 and "use Pacific/Honolulu" in refused.content.decode()
    made = client.post(
        "/api/v1/rhythm/cadences",
        {**body, "timezone": "Pacific/Honolulu"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    cadence = Cadence.objects.get(pk=made.json()["id"])
    Cadence.objects.filter(pk=cadence.pk).update(timezone="HST")  # from before the rule
    cadence.refresh_from_db()
    rhythm.update_cadence(cast.org, cast.admin, cadence, name="Sync", timezone_name="HST")
    with pytest.raises(ServiceError, match="use America/New_York"):
        rhythm.update_cadence(cast.org, cast.admin, cadence, timezone_name="EST")
