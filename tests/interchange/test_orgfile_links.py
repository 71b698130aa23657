"""Team links, initiative links and stages in the organization file: applied once, exported
back the same, and refused clearly when they cannot be."""

from __future__ import annotations

from accord.activity.models import Event
from accord.alignment.models import Initiative, InitiativeLink
from accord.interchange import services
from accord.org.models import Organization, TeamLink

from .helpers import ORG_FILE, dump
from .test_schema import DOCS

LINKS = (
    ORG_FILE
    + """\
team_links:
  - {from: eng, to: ops}
  - {from: ops, to: initech, kind: stakeholder}
initiatives:
  - {id: tps-v1, team: eng, title: TPS reports v1, status: done, progress: 100, stage: stable}
  - {id: tps-v2, team: eng, title: TPS reports v2, stage: alpha}
initiative_links:
  - {from: tps-v2, to: tps-v1}
"""
)


def _links(org):
    teams = {
        (link.from_team.slug, link.to_team.slug, link.kind)
        for link in TeamLink.objects.filter(org=org)
    }
    initiatives = {
        (link.from_initiative.title, link.to_initiative.title, link.kind)
        for link in InitiativeLink.objects.filter(org=org)
    }
    return teams, initiatives


def test_links_and_stages_are_applied_once_and_exported_back(db):
    outcome = services.apply_file(LINKS, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    assert _links(org) == (
        {("eng", "ops", "stakeholder"), ("ops", "initech", "stakeholder")},
        {("TPS reports v2", "TPS reports v1", "replaces")},
    )
    assert Initiative.objects.get(org=org, title="TPS reports v2").stage == "alpha"
    assert outcome.counts()["team_links"] == {"create": 2, "update": 0, "remove": 0}
    assert outcome.counts()["initiative_links"] == {"create": 1, "update": 0, "remove": 0}
    events = Event.objects.count()
    assert services.apply_file(LINKS, org=org).changes == []
    assert Event.objects.count() == events

    text = services.export_text(org)
    assert "team_links:" in text and "initiative_links:" in text and "stage: alpha" in text
    copy = services.apply_file(text, org_slug="initech-copy")
    assert copy.ok and not copy.report, copy.report.as_text()
    copy_org = Organization.objects.get(slug="initech-copy")
    assert _links(copy_org) == _links(org)
    body = services.export_text(copy_org).split("\nteams:", 1)[1]
    assert body == text.split("\nteams:", 1)[1]


def test_links_missing_from_a_present_section_are_removed_with_events(db):
    services.apply_file(LINKS, org_slug="initech")
    org = Organization.objects.get(slug="initech")
    fewer = LINKS.replace("  - {from: eng, to: ops}\n", "").replace(
        "initiative_links:\n  - {from: tps-v2, to: tps-v1}\n", "initiative_links: []\n"
    )
    outcome = services.apply_file(fewer, org=org)
    assert outcome.ok, outcome.as_text()
    assert _links(org) == ({("ops", "initech", "stakeholder")}, set())
    assert Event.objects.filter(org=org, verb="unlinked").count() == 2


def test_turning_a_replacement_around_applies_in_one_go(db):
    services.apply_file(LINKS, org_slug="initech")
    org = Organization.objects.get(slug="initech")
    turned = LINKS.replace("{from: tps-v2, to: tps-v1}", "{from: tps-v1, to: tps-v2}")
    outcome = services.apply_file(turned, org=org)
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    assert _links(org)[1] == {("TPS reports v1", "TPS reports v2", "replaces")}


def test_bad_links_are_reported_and_the_rest_applied(db):
    bad = LINKS.replace(
        "  - {from: ops, to: initech, kind: stakeholder}\n",
        "  - {from: ops, to: ops}\n  - {from: ops, to: gone}\n"
        "  - {from: ops, to: eng, kind: owns}\n",
    ).replace(
        "  - {from: tps-v2, to: tps-v1}\n",
        "  - {from: tps-v2, to: tps-v1}\n  - {from: tps-v1, to: tps-v2}\n"
        "  - {from: tps-v2, to: tps-v3}\n",
    )
    outcome = services.apply_file(bad, org_slug="initech")
    assert outcome.ok and outcome.applied
    kinds = outcome.report.kinds()
    assert kinds["self_link"] == 1 and kinds["cycle"] == 1 and kinds["invalid_value"] == 1
    assert kinds["missing_reference"] == 2, outcome.report.as_text()
    assert "'gone'" in outcome.report.as_text() and "'tps-v3'" in outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    assert _links(org) == (
        {("eng", "ops", "stakeholder")},
        {("TPS reports v2", "TPS reports v1", "replaces")},
    )


def test_a_bad_link_in_strict_mode_writes_nothing(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    before = dump()
    outcome = services.apply_file(
        LINKS.replace("{from: eng, to: ops}", "{from: eng, to: eng}"),
        org_slug="initech",
        strict=True,
    )
    assert not outcome.ok and not outcome.applied
    assert dump() == before


def test_a_stage_longer_than_40_characters_is_refused(db):
    outcome = services.apply_file(LINKS.replace("stage: alpha", "stage: " + "a" * 41), org_slug="x")
    assert outcome.report.kinds()["invalid_value"] == 1
    assert "stage" in outcome.report.as_text()


def test_the_documented_example_applies_without_problems(db):
    docs = DOCS.read_text()
    example = docs.split("## Example", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    outcome = services.apply_file(example, org_slug="initech")
    assert outcome.ok and outcome.applied and not outcome.report, outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    assert _links(org) == (
        {("eng", "ops", "stakeholder")},
        {("New cover sheet", "Old cover sheet", "replaces")},
    )
