"""A company's own spreadsheets: values written in any case ("Active", "LEAD", "Member "),
columns Accord does not have (notes, cost centre) and a column misspelt ("Titel")."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.interchange import csvio, services
from accord.org.models import Membership, Person, Team
from tests.conftest import api_client, login

from .helpers import dump


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def _why(outcome) -> str:
    return " | ".join(p.why for p in outcome.report.problems)


def test_enumerated_values_are_read_in_any_case_and_stored_as_accord_writes_them(cast):
    people = (
        "Email,Name,Role,Active,Time zone\r\n"
        "nia@acme.example,Nia Noor,  Leader ,YES,europe/paris\r\n"
        "oz@acme.example,Oz Ortiz,VIEWER,False,utc\r\n"
    )
    outcome = _csv(people)
    assert outcome.applied and not outcome.report, outcome.as_text()
    nia = Person.objects.get(org=cast.org, email="nia@acme.example")
    oz = Person.objects.get(org=cast.org, email="oz@acme.example")
    assert (nia.role, nia.is_active, nia.timezone) == ("leader", True, "Europe/Paris")
    assert (oz.role, oz.is_active, oz.timezone) == ("viewer", False, "UTC")

    terms = (
        f"Team,Person,Role\r\nplatform,{cast.member.email},LEAD\r\n"
        "acme,nia@acme.example,Co-Lead\r\n"
    )
    assert _csv(terms).applied
    roles = dict(Membership.objects.filter(org=cast.org).values_list("person__email", "role"))
    assert roles[cast.member.email] == "lead" and roles["nia@acme.example"] == "co-lead"
    # Written another way again, the same values change nothing.
    again = _csv(terms.replace("LEAD", "Lead").replace("Co-Lead", "CO-LEAD"), dry_run=True)
    assert again.changes == [], again.as_text()

    teams = "slug,name,state,kind\r\nguild-a,Guild A, Forming ,Guild\r\n"
    assert _csv(teams).applied
    guild = Team.objects.select_related("kind").get(org=cast.org, slug="guild-a")
    assert (guild.state, guild.kind.slug) == ("forming", "guild")


def test_an_unknown_value_names_the_values_accepted_and_changes_nothing(cast):
    before = dump()
    outcome = _csv(
        "email,name,role,active\r\n"
        "nia@acme.example,Nia Noor,Boss,yes\r\n"
        "oz@acme.example,Oz Ortiz,member,maybe\r\n"
    )
    why = _why(outcome)
    assert "role must be one of viewer, member, leader, admin" in why
    assert "active must be true or false (also yes/no, y/n, 1/0, x for yes), not 'maybe'" in why
    terms = _csv(f"team,person,role\r\nplatform,{cast.member.email},Captain\r\n")
    assert "Acme has: chair, co-lead, lead, liaison, member" in _why(terms), terms.as_text()
    assert dump() == before


def test_columns_accord_does_not_have_are_ignored_and_named(cast):
    outcome = _csv(
        "Email,Name,Notes,Cost centre,,\r\nnia@acme.example,Nia Noor,likes tea,CC-7,,\r\n"
    )
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert outcome.ignored_columns == ["Notes", "Cost centre"] and not outcome.near_misses
    assert "Ignored columns: Notes, Cost centre" in outcome.as_text()
    assert outcome.as_json()["ignored_columns"] == ["Notes", "Cost centre"]
    assert Person.objects.filter(org=cast.org, email="nia@acme.example").exists()
    # A known column in other words ("Started on", "Time-zone") is that column.
    terms = _csv(f"Team,Person,Started on\r\nplatform,{cast.member.email},2026-01-05\r\n")
    assert terms.applied and not terms.ignored_columns, terms.as_text()
    term = Membership.objects.get(team=cast.platform, person=cast.member)
    assert term.started_on.isoformat() == "2026-01-05"


MISSPELT = "email,name,Titel,Notes\r\nnia@acme.example,Nia Noor,Engineer,tea\r\n"


def test_a_column_that_looks_misspelt_is_imported_only_once_confirmed(cast):
    before = dump()
    refused = _csv(MISSPELT)
    assert not refused.ok and refused.unconfirmed and dump() == before
    assert refused.near_misses == {"Titel": "title"}
    assert "Ignored columns: Titel (did you mean title?), Notes" in refused.as_text()
    assert "'Titel' looks like title misspelt" in refused.stopped
    assert "Nothing was changed" in refused.stopped
    plan = _csv(MISSPELT, dry_run=True)
    assert plan.ok and [c.action for c in plan.changes] == ["create"], plan.as_text()
    assert plan.columns_confirm_text == "the column Titel is ignored, not read as title"
    confirmed = _csv(MISSPELT, allow_ignored_columns=True)
    assert confirmed.applied, confirmed.as_text()
    assert Person.objects.get(org=cast.org, email="nia@acme.example").title == ""


def test_a_required_column_missing_is_refused_naming_it(cast):
    before = dump()
    outcome = _csv(f"team_slug,person,role\r\nplatform,{cast.member.email},lead\r\n")
    assert outcome.fatal.kind == "unknown_columns"
    assert "Column 'team_slug' is not one Accord reads; did you mean 'team'?" in outcome.fatal.why
    given = _csv("Emial,name\r\nnia@acme.example,Nia\r\n", section="people")
    assert given.fatal.kind == "missing_columns"
    assert given.fatal.why.startswith(
        "A people CSV needs the column email. Column 'Emial' is not a column of a people CSV; "
        "did you mean 'email'?"
    )
    assert dump() == before


def test_the_command_asks_for_allow_ignored_columns(cast, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(MISSPELT)
    before = dump()
    with pytest.raises(CommandError, match="--allow-ignored-columns"):
        call_command("import", "csv", str(path), "--org", "acme")
    assert dump() == before
    with pytest.raises(CommandError, match="--allow-ignored-columns"):  # exits as the import
        call_command("import", "csv", str(path), "--org", "acme", "--dry-run")
    assert "Importing this file needs --allow-ignored-columns" in capsys.readouterr().out
    call_command("import", "csv", str(path), "--org", "acme", "--allow-ignored-columns")
    assert "Applied." in capsys.readouterr().out
    assert Person.objects.filter(org=cast.org, email="nia@acme.example").exists()


def test_the_api_asks_for_allow_ignored_columns(cast, monkeypatch):
    client = api_client(cast.admin)
    before = dump()
    url = "/api/v1/interchange/csv"
    refused = client.post(url, data=MISSPELT, content_type="text/csv")
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["error"]["code"] == "columns_unconfirmed"
    assert "allow_ignored_columns=true" in body["error"]["message"]
    assert body["near_misses"] == {"Titel": "title"} and dump() == before
    # A dry run answers as the import would (as the command's dry run exits), its plan
    # beside the error; confirmed, it is the plan alone.
    plan = client.post(f"{url}?dry_run=true", data=MISSPELT, content_type="text/csv")
    assert plan.status_code == 422 and plan.json()["error"]["code"] == "columns_unconfirmed"
    assert plan.json()["ignored_columns"] == ["Titel", "Notes"] and plan.json()["changes"]
    plan = client.post(
        f"{url}?dry_run=true&allow_ignored_columns=true", data=MISSPELT, content_type="text/csv"
    )
    assert plan.status_code == 200 and plan.json()["ignored_columns"] == ["Titel", "Notes"]
    assert dump() == before
    # A large file is a job: the confirmation goes with it.
    monkeypatch.setattr(services, "JOB_BYTES", 10)
    queued = client.post(
        f"{url}?allow_ignored_columns=true", data=MISSPELT, content_type="text/csv"
    )
    assert queued.status_code == 202, queued.content
    assert services.run_job(queued.json()["id"]) == "done"
    assert Person.objects.filter(org=cast.org, email="nia@acme.example").exists()


@pytest.mark.urls("tests.interchange.urls")
def test_the_page_shows_the_near_miss_and_applies_it_only_with_the_box_ticked(cast):
    admin = login(cast.admin)
    upload = SimpleUploadedFile("people.csv", MISSPELT.encode())
    response = admin.post("/o/acme/interchange/plan/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ignored columns: Titel (did you mean title?), Notes" in page
    assert "Check the columns: 2 columns of this file are not imported." in page
    assert (
        "Column &#x27;Titel&#x27; is not a column of a people CSV; did you mean &#x27;title" in page
    )
    assert 'name="allow_ignored_columns" value="1" required' in page
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    before = dump()
    refused = admin.post("/o/acme/interchange/apply/", fields)
    assert refused.status_code == 422 and dump() == before
    assert 'name="allow_ignored_columns"' in refused.content.decode()  # offered again
    applied = admin.post("/o/acme/interchange/apply/", {**fields, "allow_ignored_columns": "1"})
    assert applied.status_code == 200 and "Applied people.csv" in applied.content.decode()
    assert Person.objects.filter(org=cast.org, email="nia@acme.example").exists()
