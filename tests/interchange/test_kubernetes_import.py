"""`accord import kubernetes DIR`: the real Kubernetes community as an Accord organization."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment.models import Initiative, InitiativeLink, Period
from accord.coordination.models import Dependency
from accord.coordination.queries import late_q
from accord.interchange.kubernetes_import import import_directory
from accord.org.models import Membership, Organization, Person, Team, TeamLink
from accord.rhythm.models import Cadence

from .helpers import dump


def test_it_turns_the_dataset_into_an_organization(db, k8s_source, tmp_path):
    report_file = tmp_path / "report.json"
    out = io.StringIO()
    call_command(
        "import", "kubernetes", str(k8s_source), "--quiet", "--report", str(report_file),
        stdout=out,
    )  # fmt: skip
    org = Organization.objects.get(slug="kubernetes")
    assert Team.objects.for_org(org).count() == 39
    assert Person.objects.for_org(org).count() == 129
    assert Membership.objects.for_org(org).count() == 155
    assert Cadence.objects.for_org(org).count() == 94  # K8s Infra's meeting once, not 6 times
    assert Initiative.objects.for_org(org).count() == 654
    # A participating SIG of an implemented proposal delivered its part; of one being
    # implemented, it committed to it; only provisional and deferred proposals still ask.
    # Only a release's date is a date: proposals without a release, and open ones whose
    # release is out (stale), ask nothing by a date, so no dependency is late on import.
    deps = Dependency.objects.for_org(org)
    states = Counter(deps.values_list("state", flat=True))
    assert states["delivered"] == 182 and deps.count() == sum(states.values())
    assert not deps.filter(late_q(timezone.localdate())).exists()
    assert not deps.filter(state="requested", requester_initiative__status="done").exists()
    assert not deps.filter(state="accepted").exclude(requester_initiative__status="active")
    assert not deps.filter(state="delivered").exclude(requester_initiative__status="done")
    assert not deps.filter(committed_date__isnull=True).exclude(state="requested").exists()
    assert Period.objects.for_org(org).count() == 40
    assert TeamLink.objects.for_org(org).filter(kind="stakeholder").count() == 31
    # Each group's Steering Committee liaison, a member of the committee, represents it.
    liaisons = TeamLink.objects.for_org(org).filter(kind="liaison")
    assert liaisons.count() == 34
    assert not liaisons.exclude(from_team__slug="committee-steering").exists()
    assert not liaisons.exclude(person__memberships__team__slug="committee-steering").exists()
    assert InitiativeLink.objects.for_org(org).count() == 9

    node = Team.objects.get(org=org, slug="sig-node")
    assert (node.name, node.parent.slug, node.parent.parent.slug) == (
        "SIG Node",
        "special-interest-groups",
        "kubernetes",
    )
    assert (node.kind.slug, node.state, node.chat) == ("sig", "active", "#sig-node")
    assert node.website == "https://github.com/kubernetes/community/tree/master/sig-node"
    assert node.mission.startswith("SIG Node is responsible for")
    batch = Team.objects.get(org=org, slug="wg-batch")
    assert batch.kind.slug == "working-group"
    # A cadence has no field for a meeting's links: the team's description keeps them.
    assert batch.description.startswith("Meetings:\n- Regular Meeting: https://zoom.us/j/")
    assert "agenda and notes: https://docs.google.com/" in batch.description
    assert "recordings: https://www.youtube.com/" in batch.description
    assert sorted(
        TeamLink.objects.filter(from_team=batch).values_list("to_team__slug", "kind")
    ) == [
        ("sig-apps", "stakeholder"),
        ("sig-autoscaling", "stakeholder"),
        ("sig-node", "stakeholder"),
        ("sig-scheduling", "stakeholder"),
    ]
    assert not TeamLink.objects.filter(org=org, from_team__parent__slug="special-interest-groups")
    api = Cadence.objects.get(org=org, name="API Machinery: Regular SIG Meeting")
    assert (api.rrule, api.timezone, api.time.isoformat()) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        "America/Los_Angeles",
        "11:00:00",
    )
    resize = Initiative.objects.get(org=org, title__startswith="KEP-5419:")
    assert (resize.team.slug, resize.status) == ("sig-node", "active")
    assert "Stage: beta." in resize.description and resize.stage == "beta"
    assert Initiative.objects.filter(org=org, stage="stable").count() == 351
    # KEP-4671 replaces KEP-5832, which replaces KEP-583 (one said replaces, one superseded-by)
    assert set(
        InitiativeLink.objects.filter(
            org=org, from_initiative__title__startswith="KEP-4671:"
        ).values_list("to_initiative__title", flat=True)
    ) == {
        t
        for t in Initiative.objects.filter(org=org).values_list("title", flat=True)
        if t.startswith(("KEP-5832:", "KEP-583:"))
    }
    assert Dependency.objects.filter(provider_team__slug="sig-scheduling").exists()

    text = out.getvalue()
    # What was skipped is counted: not a bare "Applied.".
    # The data's oddities are left out by design, counted on one line; nothing was refused.
    assert "impossible_date" in text and "Partly applied: " not in text
    assert "Applied.\nNot taken from the data, by design (its oddities, listed above): " in text
    import json

    report = json.loads(report_file.read_text())["report"]
    kinds = set(report["problems_by_kind"])
    expected = {
        "impossible_date", "date_format", "not_a_date", "date_order", "template_text",
        "template_file", "status_typo", "group_alias", "unknown_group", "duplicate_number",
        "quoted_number", "number_mismatch", "ambiguous_timezone", "meeting_frequency",
        "placeholder_milestone", "bad_milestone", "unknown_key", "unknown_proposal",
    }  # fmt: skip
    assert expected <= kinds and len(kinds) >= 10
    unknown = [p for p in report["problems"] if p["kind"] == "unknown_proposal"]
    assert len(unknown) == 10 and all(
        p["path"].startswith(("replaces", "superseded-by")) for p in unknown
    )
    sample = next(p for p in report["problems"] if p["kind"] == "impossible_date")
    assert sample["file"] == "keps/sig-api-machinery/4355-coordinated-leader-election/kep.yaml"
    assert (sample["line"], sample["value"], sample["path"]) == (10, "2023-14-05", "creation-date")
    assert report["summary"]["initiatives"] == 654
    # 31 stakeholder links and 34 Steering Committee liaisons.
    assert (report["summary"]["team_links"], report["summary"]["initiative_links"]) == (65, 9)

    # Importing the same data again changes nothing and records no events.
    events = Event.objects.count()
    again = import_directory(k8s_source)
    assert again.ok and again.changes == []
    assert Event.objects.count() == events
    assert "Up to date: the organization already holds this data" in again.as_text()


def test_strict_import_of_messy_data_writes_nothing(db, k8s_source):
    before = dump()
    with pytest.raises(CommandError):
        call_command("import", "kubernetes", str(k8s_source), "--strict", stdout=io.StringIO())
    assert dump() == before
    assert not Organization.objects.filter(slug="kubernetes").exists()


def test_a_directory_without_the_communitys_data_is_refused_and_makes_nothing(db, tmp_path):
    (tmp_path / "README.md").write_text("not the community repository\n")
    with pytest.raises(CommandError, match=r"holds neither sigs\.yaml nor a keps/ directory"):
        call_command("import", "kubernetes", str(tmp_path), stdout=io.StringIO())
    assert not Organization.objects.exists()


def test_a_damaged_dataset_is_reported_not_crashed_on(db, k8s_dir):
    (k8s_dir / "sigs.yaml").write_text("sigs: [\n")
    outcome = import_directory(k8s_dir)
    assert outcome.applied
    kinds = outcome.report.kinds()
    assert kinds["yaml_error"] == 1
    assert kinds["unknown_owner"] >= 600  # every proposal's group is now unknown


def test_groups_become_teams_of_their_kind_and_archived_ones_are_retired(db, tmp_path):
    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n"
        "  - dir: sig-docs\n    name: Docs\n    mission_statement: Write the docs.\n"
        "    contact:\n      slack: sig-docs\n"
        "      mailing_list: https://groups.google.com/g/kubernetes-sig-docs\n"
        "workinggroups:\n"
        "  - dir: wg-old\n    name: Old\n    archived: true\n"
        "committees:\n"
        "  - dir: steering\n    name: Steering\n"
    )
    outcome = import_directory(tmp_path, org_slug="k8s", today=dt.date(2026, 11, 30))
    assert outcome.applied, outcome.report.problems
    org = Organization.objects.get(slug="k8s")
    teams = {t.slug: t for t in Team.objects.for_org(org).select_related("kind")}
    docs, old, steering = teams["sig-docs"], teams["wg-old"], teams["steering"]
    assert (docs.kind.slug, docs.mission, docs.chat) == ("sig", "Write the docs.", "#sig-docs")
    assert docs.mailing_list == "https://groups.google.com/g/kubernetes-sig-docs"
    assert (old.kind.slug, old.state) == ("working-group", "retired")
    assert old.retired_on is not None
    assert (steering.kind.slug, steering.state) == ("committee", "active")
    again = import_directory(tmp_path, org_slug="k8s", today=dt.date(2026, 11, 30))
    assert not [c for c in again.changes if c.section == "teams"]  # nothing changes twice


def test_a_lead_already_known_by_their_github_handle_is_not_duplicated(db, tmp_path):
    from accord.org import services as org_services

    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n"
        "  - dir: sig-docs\n    name: Docs\n"
        "    leadership:\n      chairs:\n"
        "        - {github: DocsChair, name: Dee Chair, email: dee@corp.example}\n"
        "        - {github: nomail, name: No Mail}\n"
    )
    org = org_services.create_organization("Kubernetes", "k8s")
    dee = org_services.add_person(
        org, None, name="Dee Chair", email="dee@home.example", handles=["github:@docschair"]
    )
    nomail = org_services.add_person(
        org, None, name="No Mail", email="nm@home.example", handles=["github:nomail"]
    )
    outcome = import_directory(tmp_path, org_slug="k8s", today=dt.date(2026, 11, 30))
    assert outcome.applied, outcome.report.problems
    assert Person.objects.for_org(org).count() == 2
    dee.refresh_from_db()
    assert dee.email == "dee@home.example"  # the address Accord had stays the primary one
    assert sorted(dee.identities.values_list("value", flat=True)) == [
        "dee@corp.example",
        "docschair",
    ]
    assert sorted(nomail.identities.values_list("value", flat=True)) == [
        "nomail",
        "nomail@users.noreply.github.com",
    ]
    chairs = Membership.objects.for_org(org).filter(team__slug="sig-docs", role="chair")
    assert sorted(chairs.values_list("person_id", flat=True)) == sorted([dee.pk, nomail.pk])
    again = import_directory(tmp_path, org_slug="k8s", today=dt.date(2026, 11, 30))
    assert not [c for c in again.changes if c.section in ("people", "memberships")]
