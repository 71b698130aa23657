"""`accord import csv --org` names an organization that exists: a typo creates nothing.

The reviewer's `accord import csv memberships.csv --org lumen-lab` (the address is
lumen-labs) created an empty organization "lumen-lab", skipped every row and said "Applied."
with exit 0; left out with one organization, --org was refused though the README shows it
as optional.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accord.org.models import Membership, Organization

ROWS = "team,person,role\r\nplatform,leo.leader@acme.example,lead\r\n"


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "memberships.csv"
    path.write_text(ROWS)
    return path


def test_an_unknown_organization_is_refused_and_nothing_is_created(cast, csv_file):
    orgs = Organization.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("import", "csv", str(csv_file), "--org", "acm", stdout=io.StringIO())
    said = str(refused.value)
    assert "No organization at address 'acm'" in said
    assert "'acme'" in said  # the address meant, offered
    assert "Nothing was changed" in said
    assert Organization.objects.count() == orgs
    assert not Membership.objects.filter(person=cast.leader).exists()


def test_without_org_the_only_organization_is_used(cast, csv_file):
    cast.other_org.delete()
    out = io.StringIO()
    call_command("import", "csv", str(csv_file), stdout=out)
    assert "Applied." in out.getvalue()
    assert Membership.objects.get(person=cast.leader).role == "lead"


def test_without_org_among_several_the_choice_is_asked(cast, csv_file):
    with pytest.raises(CommandError, match=r"Say which organization with --org SLUG \(one of"):
        call_command("import", "csv", str(csv_file), stdout=io.StringIO())


def test_the_help_no_longer_promises_to_create_the_organization():
    from django.core.management import load_command_class

    command = load_command_class("accord.interchange", "import")
    parser = command.create_parser("accord", "import")
    text = parser.format_help()
    assert "created if missing" not in text.replace("\n", " ").split("kubernetes:")[0]
    assert "must exist" in " ".join(text.split())
