"""A partial organization file (a few new hires) must not empty the organization.

The reviewer's "new hires" file named two new people and one membership. From the command
line its people section was refused (no admin left) while its memberships section still
ran: every membership was deleted, nobody was added, and the command exited 0. On the page
the same file planned 272 deactivations under one blue Apply button.

* A file with a refused section is refused whole: nothing is written, the command fails.
* A membership a file leaves out ends (kept as a past term), as "End term" does.
* Removals are listed under "Check before applying"; a plan that takes away more than
  half of a kind (or more than 20) is applied only once that is confirmed: --allow-removals,
  the page's checkbox (checked by the server), the API's allow_removals=true.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.activity.models import Event
from accord.interchange import services
from accord.interchange.models import Import
from accord.org import services as org_services
from accord.org.models import Membership, Organization, Person, Team, TeamLink
from tests.conftest import api_client, login

from .helpers import dump

STAFF = 26  # people in the IT team, besides the cast's

NEW_HIRES = """\
accord: 1
organization: {name: Acme Corporation, slug: acme}
people:
  - {email: new.hire1@acme.example, name: New Hire One}
  - {email: new.hire2@acme.example, name: New Hire Two}
memberships:
  - {team: it, person: new.hire1@acme.example}
"""
# The same, keeping the admin: nothing refuses it, but it takes nearly everyone away.
NEW_HIRES_KEEPING_ADA = NEW_HIRES.replace(
    "people:\n", "people:\n  - {email: ada.admin@acme.example, name: Ada Admin, role: admin}\n"
)


@pytest.fixture
def staffed(cast):
    """Acme with an IT team of STAFF people, each a member (the first its lead)."""
    it = org_services.create_team(cast.org, None, name="IT", slug="it", parent=cast.root)
    people = org_services.add_people(
        cast.org,
        None,
        [{"name": f"Staff {n:02}", "email": f"staff{n:02}@acme.example"} for n in range(STAFF)],
    )
    org_services.add_memberships(
        cast.org,
        None,
        [
            {"team": it, "person": p, "role": "lead" if n == 0 else "member"}
            for n, p in enumerate(people)
        ],
    )
    return cast


def counts(org) -> dict[str, int]:
    """The rows a file touches, counted."""
    return {
        "people": Person.objects.filter(org=org).count(),
        "active people": Person.objects.filter(org=org, is_active=True).count(),
        "terms": Membership.terms.filter(org=org).count(),
        "current terms": Membership.objects.filter(org=org).count(),
        "teams": Team.objects.filter(org=org).count(),
        "team links": TeamLink.objects.filter(org=org).count(),
        "events": Event.objects.count(),
        "imports": Import.objects.count(),
    }


def apply_cli(tmp_path, body: str, *args: str) -> str:
    path = tmp_path / "newhires.yaml"
    path.write_text(body)
    out = io.StringIO()
    try:
        call_command("apply", str(path), "--org", "acme", *args, stdout=out)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{out.getvalue()}") from None
    return out.getvalue()


# --- finding 1: a refused section refuses the file --------------------------------------


def test_a_file_whose_people_section_is_refused_changes_nothing_and_the_command_fails(
    staffed, tmp_path
):
    before, rows = dump(), counts(staffed.org)
    with pytest.raises(CommandError) as refused:
        apply_cli(tmp_path, NEW_HIRES)
    said = str(refused.value)
    assert "without an active admin who can sign in" in said
    assert "ada.admin@acme.example" in said  # who would have to stay admin
    assert "Nothing was changed" in said and "Applied." not in said
    assert "removed" not in said  # no section ran
    assert counts(staffed.org) == rows
    assert dump() == before


def test_the_plan_of_such_a_file_says_it_cannot_be_applied(staffed, tmp_path):
    outcome = services.plan_file(NEW_HIRES, org_slug="acme")
    assert not outcome.ok and outcome.aborted and outcome.changes == []
    assert [p.kind for p in outcome.report.problems] == ["no_admin"]
    assert "cannot be applied" in outcome.stopped
    assert Membership.objects.filter(org=staffed.org).count() == STAFF + 1


def test_a_membership_left_out_ends_its_term_and_the_file_applies_once(staffed, tmp_path):
    org = staffed.org
    lead = Membership.objects.get(org=org, team__slug="it", person__email="staff00@acme.example")
    file = services.export_text(org)
    # Leave out the lead's term; no past_terms section: the history is left alone.
    file = file.split("\npast_terms:", 1)[0] + "\n"
    file = file.replace("- team: it\n  person: staff00@acme.example\n  role: lead\n", "")
    assert "staff00@acme.example\n  role: lead" not in file
    plan = services.plan_file(file, org=org)
    removals = [c for c in plan.changes if c.action == "remove"]
    assert [(c.section, c.key) for c in removals] == [("memberships", "it/staff00@acme.example")]
    today = timezone.localdate().isoformat()
    assert removals[0].fields == {"ended_on": (None, today)}
    assert "term ends" in plan.as_text()

    outcome = services.apply_file(file, org=org)
    assert outcome.applied, outcome.as_text()
    term = Membership.terms.get(pk=lead.pk)  # the row is kept, as a past term
    assert term.ended_on == timezone.localdate() and term.role == "lead"
    assert not Membership.objects.filter(pk=lead.pk).exists()
    assert Event.objects.filter(verb="ended", target_id=str(lead.pk)).exists()
    again = services.apply_file(file, org=org)
    assert again.changes == [], again.as_text()  # applying it again changes nothing


def test_past_terms_stay_and_a_file_may_give_the_end_of_a_term_itself(staffed):
    """An export has a past_terms section: a membership left out of it still ends (past
    terms are history, never removed by a file), unless the file lists the term's end in
    past_terms, which is then its record. Applying it again changes nothing."""
    org = staffed.org
    file = services.export_text(org)
    assert "\npast_terms: []\n" in file
    file = file.replace("- team: it\n  person: staff00@acme.example\n  role: lead\n", "")
    file = file.replace("- team: it\n  person: staff01@acme.example\n", "")
    file = file.replace(
        "\npast_terms: []\n",
        "\npast_terms:\n- {team: it, person: staff00@acme.example, role: lead,"
        " ended_on: 2025-01-31}\n",
    )
    outcome = services.apply_file(file, org=org)
    assert outcome.applied and not outcome.report, outcome.as_text()
    past = Membership.terms.filter(org=org).past().order_by("ended_on")
    assert [(m.person.email, m.role, m.ended_on) for m in past] == [
        ("staff00@acme.example", "lead", dt.date(2025, 1, 31)),
        ("staff01@acme.example", "member", timezone.localdate()),
    ]
    assert services.apply_file(file, org=org).changes == []


def test_a_different_organization_name_in_the_file_is_said_and_left(staffed):
    file = services.export_text(staffed.org).replace("name: Acme\n", "name: Acme Corporation\n", 1)
    assert "organization:\n  name: Acme Corporation" in file
    plan = services.plan_file(file, org=staffed.org)
    assert plan.ok and plan.changes == []
    assert any("Acme Corporation" in n and "'Acme'" in n for n in plan.notes), plan.notes
    assert "Acme Corporation" in plan.as_text()
    services.apply_file(file, org=staffed.org)
    assert Organization.objects.get(pk=staffed.org.pk).name == "Acme"


# --- finding 2: removals are checked, and a large one confirmed -------------------------


def test_the_command_line_refuses_a_large_removal_unless_allowed(staffed, tmp_path):
    org = staffed.org
    before, rows = dump(), counts(org)
    with pytest.raises(CommandError) as refused:
        apply_cli(tmp_path, NEW_HIRES_KEEPING_ADA)
    said = str(refused.value)
    # What it would take away, and how to say it is meant.
    assert "deactivate 29 of the 30 people" in said, said
    assert f"remove {STAFF + 1} of the {STAFF + 1} memberships" in said, said
    assert "--allow-removals" in said and "Nothing was changed" in said
    assert "- people staff00@acme.example" in said  # each removal listed
    assert counts(org) == rows
    assert dump() == before

    out = apply_cli(tmp_path, NEW_HIRES_KEEPING_ADA, "--allow-removals")
    assert "Applied." in out
    assert Person.objects.filter(org=org, is_active=True).count() == 3  # Ada and the new hires
    # Every term is kept as history; only the new hire's is current.
    assert Membership.terms.filter(org=org).count() == STAFF + 2
    assert list(Membership.objects.filter(org=org).values_list("person__email", flat=True)) == [
        "new.hire1@acme.example"
    ]


def test_a_small_removal_needs_no_confirmation_but_is_listed(staffed, tmp_path):
    file = services.export_text(staffed.org).replace(
        "- team: it\n  person: staff05@acme.example\n", ""
    )
    plan = services.plan_file(file, org=staffed.org)
    assert plan.large_removals() == []
    flagged = [(c.section, c.key, losses) for c, losses in plan.attention()]
    today = timezone.localdate().isoformat()
    assert flagged == [
        ("memberships", "it/staff05@acme.example", [f"term ends {today}, kept as a past term"])
    ]
    (tmp_path / "one.yaml").write_text(file)
    out = io.StringIO()
    call_command("apply", str(tmp_path / "one.yaml"), "--org", "acme", stdout=out)
    assert "Applied." in out.getvalue()


@pytest.mark.parametrize(
    ("removed", "held", "large"),
    [(1, 1, False), (2, 3, True), (2, 4, False), (20, 1000, False), (21, 1000, True)],
)
def test_the_rule_for_a_large_removal(removed, held, large):
    assert services.is_large_removal(removed, held) is large


@pytest.mark.urls("tests.interchange.urls")
def test_the_page_lists_removals_and_applies_a_large_one_only_when_ticked(staffed):
    org, client = staffed.org, login(staffed.admin)
    upload = {"file": SimpleUploadedFile("newhires.yaml", NEW_HIRES.encode())}
    page = client.post("/o/acme/interchange/plan/", upload).content.decode()
    attention = page.split("Check before applying", 1)[1].split("Every change", 1)[0]
    assert "staff00@acme.example" in attention and "deactivated" in attention
    assert "it/staff00@acme.example" in attention and "term ends" in attention
    assert "I understand this deactivates 29 of the 30 people" in page
    assert re.search(r'<input type="checkbox" name="allow_removals" value="1"[^>]* required', page)
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    before, rows = dump(), counts(org)
    refused = client.post("/o/acme/interchange/apply/", fields)  # the box not ticked
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Nothing was changed" in text and "allow_removals" in text  # offered again
    assert counts(org) == rows and dump() == before
    applied = client.post("/o/acme/interchange/apply/", {**fields, "allow_removals": "1"})
    assert applied.status_code == 200, applied.content.decode()
    assert "Applied newhires.yaml" in applied.content.decode()
    assert Person.objects.filter(org=org, is_active=True).count() == 3


def test_the_api_applies_a_large_removal_only_when_allowed(staffed):
    client = api_client(staffed.admin)
    rows = counts(staffed.org)

    def post(url):
        return client.post(url, data=NEW_HIRES, content_type="application/yaml")

    refused = post("/api/v1/interchange/apply")
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"]["code"] == "removals_unconfirmed"
    assert "allow_removals=true" in body["error"]["message"]
    assert {r["section"]: (r["removed"], r["of"]) for r in body["large_removals"]} == {
        "people": (29, 30),
        "memberships": (STAFF + 1, STAFF + 1),
    }
    rows["events"] = Event.objects.count()  # the token's use may record; the org's rows not
    assert counts(staffed.org) == rows
    plan = post("/api/v1/interchange/plan")
    assert plan.status_code == 200 and plan.json()["large_removals"]
    applied = post("/api/v1/interchange/apply?allow_removals=true")
    assert applied.status_code == 200 and applied.json()["applied"], applied.content


def test_a_team_retired_by_the_file_is_listed_under_check_before_applying(staffed):
    file = services.export_text(staffed.org)
    it = "- slug: it\n  name: IT\n  parent: acme\n  state: active\n"
    assert it in file, file[:800]
    plan = services.plan_file(file.replace(it, it.replace("active", "retired")), org=staffed.org)
    assert plan.ok, plan.as_text()
    flagged = {(c.section, c.key): losses for c, losses in plan.attention()}
    assert flagged[("teams", "it")] == ["retired"]


def test_a_section_that_cannot_be_read_refuses_the_file(staffed, tmp_path):
    """`people:` written as a mapping: the memberships after it are not applied alone."""
    body = (
        "people: {email: new.hire1@acme.example, name: New Hire One}\n"
        "memberships:\n  - {team: it, person: staff00@acme.example, role: lead}\n"
    )
    before = dump()
    with pytest.raises(CommandError) as refused:
        apply_cli(tmp_path, body)
    assert "A section must be a list of items, not dict" in str(refused.value)
    assert "The people section cannot be applied" in str(refused.value)
    assert dump() == before
