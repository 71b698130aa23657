"""`accord plan` and `accord apply` on the command line: text, JSON report, exit status."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from accord.org.models import Team

from .helpers import ORG_FILE, dump


def test_plan_then_apply_from_the_command_line(db, tmp_path):
    path = tmp_path / "initech.yaml"
    path.write_text(ORG_FILE)
    out = io.StringIO()
    call_command("plan", str(path), "--org", "initech", stdout=out)
    assert "+ teams eng" in out.getvalue()
    assert "teams: 3 to create, 0 to change, 0 to remove" in out.getvalue()
    assert not Team.objects.exists()
    report = tmp_path / "report.json"
    call_command("apply", str(path), "--org", "initech", "--report", str(report), stdout=out)
    assert json.loads(report.read_text())["applied"] is True
    assert Team.objects.count() == 3


def test_strict_apply_of_a_bad_file_fails_and_writes_nothing(cast, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(ORG_FILE.replace("America/Chicago", "Mars/Olympus"))
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("apply", str(path), "--org", "initech", "--strict", "--json", stdout=out)
    problems = json.loads(out.getvalue())["report"]["problems"]
    assert problems[0]["path"] == "people[1].timezone"
    assert dump() == before


def test_a_large_apply_prints_its_progress(db, tmp_path, monkeypatch):
    from accord.interchange import engine, services
    from accord.org.models import Person
    from bench.orgfile_gen import org_file

    # A transaction per change, so every section's writing is reported whatever the speed.
    monkeypatch.setattr(services, "CHUNK_SECONDS", 0)
    monkeypatch.setattr(engine.Chunks, "PAUSE", 0)

    path = tmp_path / "big.yaml"
    path.write_text(org_file(400, slug="bigco"))
    assert services.is_large(path.read_bytes())
    out, err = io.StringIO(), io.StringIO()
    call_command("apply", str(path), "--quiet", stdout=out, stderr=err)
    assert "Applied." in out.getvalue()
    phases = err.getvalue()
    assert "validating" in phases and "writing people" in phases, phases
    assert re.search(r"writing memberships [\d,]+/[\d,]+", phases), phases  # done/total
    assert Person.objects.filter(org__slug="bigco").count() == 400


def test_without_org_the_file_names_its_organization_and_a_second_apply_changes_nothing(
    db, tmp_path
):
    path = tmp_path / "initech.yaml"
    path.write_text(ORG_FILE)
    out = io.StringIO()
    call_command("apply", str(path), stdout=out)  # creates initech, as the file says
    assert Team.objects.filter(org__slug="initech").count() == 3
    before = dump()
    for command in ("plan", "apply"):
        out = io.StringIO()
        call_command(command, str(path), stdout=out)
        assert "No changes." in out.getvalue(), out.getvalue()
        assert "(created)" not in out.getvalue()
    assert dump() == before


def test_a_file_whose_organization_address_is_malformed_is_refused_plainly(db, tmp_path):
    from accord.org.models import Organization

    path = tmp_path / "bad.yaml"
    path.write_text(ORG_FILE.replace("slug: initech}", 'slug: "Ini tech!"}', 1))
    assert "Ini tech!" in path.read_text()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("apply", str(path), stdout=out)
    text = out.getvalue()
    assert "'Ini tech!' cannot be an organization's address" in text, text
    assert "Aborted on the problems above; nothing was changed." in text
    assert "Strict mode" not in text
    assert not Organization.objects.exists()


def test_export_writes_where_asked_refuses_what_it_cannot_and_says_why(db, tmp_path):
    from accord.interchange import services
    from accord.org.models import Person

    services.apply_file(ORG_FILE, org_slug="initech")
    email = Person.objects.filter(org__slug="initech").order_by("pk").first().email
    target = tmp_path / "person.yaml"
    call_command("export", "--org", "initech", "--person", email, "-o", str(target))
    assert "the data of one person" in target.read_text()
    with pytest.raises(CommandError, match="exported as YAML only"):
        call_command("export", "--org", "initech", "--person", email, "--format", "csv")
    with pytest.raises(CommandError, match=r"Cannot write .*missing/x\.yaml: No such file"):
        call_command("export", "--org", "initech", "-o", str(tmp_path / "missing" / "x.yaml"))


def test_a_file_of_another_organization_or_one_persons_extract_is_refused(db, tmp_path):
    """Planned against another organization, a file would make it into the file's (delete
    what the file lacks); one person's own export would remove everyone else. Both are
    refused before anything is planned, and nothing changes."""
    from accord.interchange import services
    from accord.org.models import Person

    services.apply_file(ORG_FILE, org_slug="initech")
    services.apply_file(ORG_FILE.replace("slug: initech}", "slug: globex}", 1), org_slug="globex")
    teams, people = Team.objects.count(), Person.objects.count()
    other = tmp_path / "globex.yaml"
    call_command("export", "--org", "globex", "-o", str(other))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("apply", str(other), "--org", "initech", stdout=out)
    assert "describes the organization 'globex', not 'initech'" in out.getvalue()

    email = Person.objects.filter(org__slug="initech").order_by("pk").first().email
    mine = tmp_path / "me.yaml"
    call_command("export", "--org", "initech", "--person", email, "-o", str(mine))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("plan", str(mine), stdout=out)
    assert "This file is an extract (the data of" in out.getvalue()
    assert (Team.objects.count(), Person.objects.count()) == (teams, people)
