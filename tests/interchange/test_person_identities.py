"""Organization files and CSV know a person's other addresses and handles: they round trip,
an item written with any of them is that person (never a second one), and an address that
belongs to someone else is a problem that changes nothing."""

from __future__ import annotations

import yaml

from accord.interchange import csvio, services
from accord.org import services as org_services
from accord.org.models import Membership, Person

from .helpers import dump


def _ada_known_elsewhere(cast) -> Person:
    return org_services.update_person(
        cast.org,
        None,
        cast.admin,
        emails=["ada@home.example"],
        handles=["github:AdaCodes", "slack:@ada"],
    )


def test_addresses_and_handles_are_exported_and_a_round_trip_changes_nothing(cast):
    _ada_known_elsewhere(cast)
    text = services.export_text(cast.org)
    people = {p["email"]: p for p in yaml.safe_load(text)["people"]}
    assert people["ada.admin@acme.example"]["emails"] == ["ada@home.example"]
    assert people["ada.admin@acme.example"]["handles"] == ["github:adacodes", "slack:ada"]
    assert "emails" not in people["mia.member@acme.example"]  # none: left out of the file

    before = dump()
    again = services.apply_file(text, org=cast.org)
    assert again.ok and again.changes == [] and not again.report
    assert dump() == before


def test_a_file_sets_addresses_and_handles_and_leaving_them_out_keeps_them(cast):
    _ada_known_elsewhere(cast)
    body = (
        "people:\n"
        "  - {email: ada.admin@acme.example, name: Ada Admin, role: admin,"
        " emails: [Ada@Work.example], handles: ['irc:@ada_']}\n"
        "  - {email: leo.leader@acme.example, name: Leo Leader, role: leader}\n"
        "  - {email: mia.member@acme.example, name: Mia Member}\n"
        "  - {email: vic.viewer@acme.example, name: Vic Viewer, role: viewer}\n"
    )
    outcome = services.apply_file(body, org=cast.org)
    assert outcome.ok and not outcome.report, outcome.report.as_json()
    (change,) = outcome.changes
    assert change.fields == {
        "emails": (["ada@home.example"], ["ada@work.example"]),
        "handles": (["github:adacodes", "slack:ada"], ["irc:ada_"]),
    }
    ada = Person.objects.get(pk=cast.admin.pk)
    assert sorted(ada.identities.values_list("kind", "value")) == [
        ("email", "ada@work.example"),
        ("irc", "ada_"),
    ]
    # The same file without the lists: what the person has stays.
    plain = body.replace(", emails: [Ada@Work.example], handles: ['irc:@ada_']", "")
    assert services.apply_file(plain, org=cast.org).changes == []
    assert ada.identities.count() == 2


def test_a_person_found_by_a_second_address_or_a_handle_is_not_duplicated_by_an_import(cast):
    _ada_known_elsewhere(cast)
    people = Person.objects.filter(org=cast.org).count()
    # A CSV of people written with Ada's home address, then one naming her GitHub handle only.
    rows = "email,name,role,handles\r\nada@home.example,Ada Admin,admin,\r\n"
    first = csvio.import_csv(rows.encode(), org_slug="acme")
    assert first.ok and not first.report, first.report.as_json()
    assert any("ada@home.example" in note and "is Ada Admin" in note for note in first.notes)
    rows = "email,name,role,handles\r\nada@lab.example,Ada Admin,admin,github:adacodes\r\n"
    second = csvio.import_csv(rows.encode(), org_slug="acme")
    assert second.ok and not second.report, second.report.as_json()
    assert Person.objects.filter(org=cast.org).count() == people
    ada = Person.objects.get(pk=cast.admin.pk)
    assert ada.email == "ada.admin@acme.example"  # the primary address is kept
    assert sorted(ada.identities.filter(kind="email").values_list("value", flat=True)) == [
        "ada@home.example",
        "ada@lab.example",  # the address the import knew her by is added
    ]

    # Memberships written with the other address are hers, too.
    body = (
        "people:\n"
        "  - {email: ada@home.example, name: Ada Admin, role: admin}\n"
        "memberships:\n"
        "  - {team: platform, person: ada@home.example, role: lead, allocation: 20}\n"
    )
    outcome = services.apply_data(yaml.safe_load(body), org_slug="acme")
    assert outcome.ok and not outcome.report, outcome.report.as_json()
    assert Membership.objects.get(team=cast.platform, person=cast.admin).role == "lead"
    assert Person.objects.filter(org=cast.org).count() == people
    # And applying it again finds nothing to do.
    assert services.apply_data(yaml.safe_load(body), org_slug="acme").changes == []


def test_an_address_or_handle_of_someone_else_is_a_plan_problem_and_changes_nothing(cast):
    _ada_known_elsewhere(cast)
    before = dump()
    body = (
        "people:\n"
        "  - {email: ada.admin@acme.example, name: Ada Admin, role: admin}\n"
        "  - {email: leo.leader@acme.example, name: Leo Leader, role: leader,"
        " emails: [ada@home.example]}\n"
        "  - {email: mia.member@acme.example, name: Mia Member, handles: ['github:adacodes']}\n"
        "  - {email: vic.viewer@acme.example, name: Vic Viewer, role: viewer}\n"
        "  - {email: new@acme.example, name: New Person, handles: ['slack:ada']}\n"
        "  - {email: twin@acme.example, name: Twin, emails: [vic.viewer@acme.example]}\n"
    )
    outcome = services.plan_file(body, org=cast.org)
    problems = {p.path: p for p in outcome.report.problems}
    assert {p.kind for p in problems.values()} == {"identity_taken"}
    assert set(problems) == {"people[1]", "people[2]", "people[4]", "people[5]"}
    assert "ada@home.example belongs to Ada Admin" in problems["people[1]"].why
    assert "github:adacodes belongs to Ada Admin" in problems["people[2]"].why
    # Nobody is deactivated for having been skipped, and nobody is created.
    assert outcome.changes == []
    applied = services.apply_file(body, org=cast.org)
    assert applied.changes == []
    assert dump() == before


def test_bad_addresses_and_handles_are_refused_with_their_place(cast):
    body = (
        "people:\n"
        "  - {email: a@acme.example, name: A, emails: [not-an-address]}\n"
        "  - {email: b@acme.example, name: B, handles: ['myspace:b']}\n"
        "  - {email: c@acme.example, name: C, handles: ['github:']}\n"
    )
    outcome = services.apply_data(yaml.safe_load(body), org_slug="acme", dry_run=True)
    assert [(p.kind, p.path) for p in outcome.report.problems] == [
        ("invalid_value", "people[0].emails"),
        ("invalid_value", "people[1].handles"),
        ("invalid_value", "people[2].handles"),
    ]
    assert "Unknown kind of handle 'myspace'" in outcome.report.problems[1].why
