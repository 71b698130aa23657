"""What plan, apply and export say is what happened: a strict abort skips nothing, an apply
speaks in the past tense, keys keep their case, an unknown format is not found, a deleted
team keeps its name in the feed, and team lists sort the same on every database."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accord.activity import queries as activity_queries
from accord.activity.models import Event
from accord.interchange import services as interchange
from accord.org import queries as org_queries
from accord.org import services
from accord.org.models import Team
from tests.conftest import api_client, login

from .helpers import ORG_FILE, dump


def test_a_strict_abort_says_nothing_was_skipped_and_lists_no_changes(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(ORG_FILE.replace("America/Chicago", "Mars/Olympus"))
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("apply", str(path), "--org", "initech", "--strict", stdout=out)
    text = out.getvalue()
    assert "Strict mode: aborted on the problems above; nothing was changed." in text
    assert "No changes" not in text and "skipped" not in text, text
    assert "people[1].timezone" in text and "[invalid_value, refused]" in text
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("plan", str(path), "--org", "initech", "--strict", "--json", stdout=out)
    problems = json.loads(out.getvalue())["report"]["problems"]
    assert {p["action"] for p in problems} == {"refused"}
    assert not any("skipped" in p["why"] for p in problems)
    assert dump() == before


def test_an_apply_says_what_it_created_and_a_plan_what_it_would(db, tmp_path):
    path = tmp_path / "initech.yaml"
    path.write_text(ORG_FILE.replace("slug: eng", "slug: Eng").replace("team: eng", "team: Eng"))
    out = io.StringIO()
    call_command("plan", str(path), "--org", "initech", stdout=out)
    assert "teams: 3 to create, 0 to change, 0 to remove" in out.getvalue()
    assert "+ teams Eng" in out.getvalue()  # as the file spells it
    assert "+ memberships Eng/peter@initech.example" in out.getvalue()
    out = io.StringIO()
    call_command("apply", str(path), "--org", "initech", stdout=out)
    text = out.getvalue()
    assert "teams: 3 created, 0 changed, 0 removed" in text
    assert "to create" not in text and text.rstrip().endswith("Applied.")
    # Taken out of the file: the removal names it as the organization spells it.
    ops = "  - slug: ops\n    name: Operations\n    parent: initech\n"
    Team.objects.filter(slug="ops").update(slug="Ops")
    outcome = interchange.plan_file(ORG_FILE.replace(ops, ""), org_slug="initech")
    assert "- teams Ops" in outcome.as_text()


def test_an_unknown_export_format_is_not_found(cast, as_admin):
    assert as_admin.get("/o/acme/interchange/export.xml").status_code == 404
    assert as_admin.get("/o/acme/interchange/export.yaml").status_code == 200
    api = api_client(cast.admin)
    assert api.get("/api/v1/interchange/export?format=xml").status_code == 404
    assert api.get("/api/v1/interchange/export?format=yaml").status_code == 200


def test_the_feed_names_a_deleted_team_rather_than_its_number(cast):
    org = cast.org
    old = services.create_team(org, None, name="Old Home", slug="old-home", parent=cast.root)
    moving = services.create_team(org, None, name="Moving", slug="moving", parent=old)
    services.update_team(org, None, moving, parent=cast.platform)
    services.delete_team(org, None, old)
    moved = Event.objects.for_org(org).filter(target_id=str(moving.pk), verb="moved").first()
    (event,) = activity_queries.name_references(org, [moved])
    assert dict((k, (b, a)) for k, b, a in event.changed_fields)["parent"] == (
        "Old Home (deleted)",
        "Platform",
    )
    # Another organization's deleted team of the same number is never named.
    assert f"#{old.pk}" not in str(event.changed_fields)
    page = login(cast.admin).get("/o/acme/")
    assert page.status_code == 200


def test_team_lists_sort_by_name_whatever_its_case(cast):
    org = cast.org
    for name, slug in (("beta", "beta"), ("Alpha", "alpha"), ("gamma", "gamma")):
        services.create_team(org, None, name=name, slug=slug, parent=cast.platform)
    names = [t.name for t in org_queries.sub_teams(org, cast.platform)]
    assert names == ["Alpha", "beta", "gamma"]
    assert [t.name for t in org_queries.find_teams(org, "a")][:4] == [
        "Acme",
        "Alpha",
        "beta",
        "gamma",
    ]
    assert Team.objects.filter(org=org).count() == 5
