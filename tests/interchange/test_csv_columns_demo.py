"""The reviewer's short CSVs against the demo organization: each changes only what its columns
say, from the command line and from the import page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accord import demo
from accord.alignment.models import Initiative
from accord.org.models import Membership, Person, Team
from tests.conftest import login

OLIVER = "oliver.moreau@northwind.example"
OMAR = "omar.larsen@northwind.example"
CSVS = {
    "people.csv": f"email,name\n{OLIVER},Oliver Moreau\n",
    "memberships.csv": f"team,person\nsupport,{OMAR}\n",
    # Its id is the initiative's key in the organization file (`initiative-<pk>`), which
    # differs between databases (PostgreSQL's sequences are not rolled back between tests).
    "initiatives.csv": "id,team,title\n{win_back},support,Win-back journeys\n",
    "teams.csv": "slug,name,parent\naccessibility-guild,Accessibility Guild,design\n",
}


def _import(path, *flags) -> str:
    out = io.StringIO()
    call_command("import", "csv", str(path), "--org", "northwind", *flags, stdout=out)
    return out.getvalue()


@pytest.mark.urls("tests.interchange.urls")
def test_short_csvs_change_only_their_columns_in_the_demo(db, tmp_path):
    org = demo.load()
    paths = {}
    for name, text in CSVS.items():
        paths[name] = tmp_path / name
        paths[name].write_text(text)
    oliver = Person.objects.get(org=org, email=OLIVER)
    omar_support = Membership.objects.get(team__slug="support", person__email=OMAR)
    win_back = Initiative.objects.get(org=org, title="Win-back journeys")
    key = f"initiative-{win_back.pk}"
    csvs = {**CSVS, "initiatives.csv": CSVS["initiatives.csv"].format(win_back=key)}
    paths["initiatives.csv"].write_text(csvs["initiatives.csv"])
    guild = Team.objects.get(org=org, slug="accessibility-guild")
    assert oliver.title and oliver.role == "leader" and oliver.timezone != "UTC"
    assert omar_support.role == "lead" and omar_support.allocation not in (None, 100)
    assert win_back.status == "active" and win_back.owner_id and win_back.progress
    assert guild.mission and guild.chat

    # The command line plans only what the columns change.
    assert "No changes." in _import(paths["people.csv"], "--dry-run")
    assert "No changes." in _import(paths["memberships.csv"], "--dry-run")
    planned = _import(paths["initiatives.csv"], "--dry-run")
    assert f"~ initiatives {key} (team: '{win_back.team.slug}' → 'support')\n" in planned
    assert "1 to change" in planned
    planned = _import(paths["teams.csv"], "--dry-run")
    assert f"(parent: '{guild.parent.slug}' → 'design')\n" in planned

    # Applied from the command line, a memberships CSV leaves the lead's role and share.
    assert "No changes." in _import(paths["memberships.csv"])
    again = Membership.objects.get(pk=omar_support.pk)
    assert (again.role, again.allocation) == ("lead", omar_support.allocation)

    # On the import page: the plan shows only the move, and applying it keeps the rest.
    admin = login(Person.objects.get(org=org, email="maya.chen@northwind.example"))
    base = "/o/northwind/interchange/"
    for name in ("people.csv", "memberships.csv"):
        upload = {"file": SimpleUploadedFile(name, CSVS[name].encode())}
        page = admin.post(f"{base}plan/", upload).content.decode()
        assert "No changes: the organization already matches the file." in page
    upload = {"file": SimpleUploadedFile("initiatives.csv", csvs["initiatives.csv"].encode())}
    page = admin.post(f"{base}plan/", upload).content.decode()
    assert f"team: {win_back.team.slug} → support</span>" in page
    assert "Check before applying" not in page
    upload = {"file": SimpleUploadedFile("teams.csv", CSVS["teams.csv"].encode())}
    page = admin.post(f"{base}plan/", upload).content.decode()
    assert f"parent: {guild.parent.slug} → design</span>" in page
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    assert admin.post(f"{base}apply/", fields).status_code == 200
    moved = Team.objects.get(pk=guild.pk)
    assert (moved.parent.slug, moved.mission, moved.chat) == ("design", guild.mission, guild.chat)
    oliver_after = Person.objects.get(pk=oliver.pk)
    assert (oliver_after.title, oliver_after.role) == (oliver.title, oliver.role)
