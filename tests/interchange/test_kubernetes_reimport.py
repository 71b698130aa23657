"""`accord import kubernetes` run again and again on an organization people also work in:
it never demotes an admin, and it does not silently revert what was changed in Accord."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from accord.alignment import services as alignment
from accord.alignment.models import Initiative
from accord.interchange.kubernetes_import import import_directory
from accord.org import services as org_services
from accord.org.models import Organization, Person, Role, Team

TODAY = dt.date(2026, 11, 30)
SIGS = (
    "sigs:\n"
    "  - dir: sig-node\n    name: Node\n    mission_statement: Run pods.\n"
    "    leadership:\n      chairs:\n"
    "        - {github: nodechair, name: Nora Node, email: nora@example.com}\n"
    "  - dir: sig-apps\n    name: Apps\n    mission_statement: Run apps.\n"
    "committees:\n"
    "  - dir: committee-steering\n    name: Steering\n"
    "    leadership:\n      chairs:\n"
    "        - {github: steer, name: Sam Steer, email: sam@example.com}\n"
)


def kep(tmp_path, owner, slug, number, status, milestone, participating=(), **extra):
    folder = tmp_path / "keps" / owner / f"{number}-{slug}"
    folder.mkdir(parents=True)
    lines = [
        f"title: {slug}",
        f"kep-number: {number}",
        f"owning-sig: {owner}",
        f"status: {status}",
        "creation-date: 2025-01-10",
    ]
    if milestone:
        lines.append(f"latest-milestone: {milestone}")
    if participating:
        lines.append("participating-sigs: [" + ", ".join(participating) + "]")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    (folder / "kep.yaml").write_text("\n".join(lines) + "\n")


def community(tmp_path):
    (tmp_path / "sigs.yaml").write_text(SIGS)
    (tmp_path / "keps").mkdir(exist_ok=True)
    kep(tmp_path, "sig-node", "one", 1, "implementable", "v1.38")
    kep(tmp_path, "sig-node", "two", 2, "implementable", "v1.38")
    kep(tmp_path, "sig-node", "three", 3, "implementable", "v1.38")
    return tmp_path


def test_a_steering_member_who_made_the_organization_stays_its_admin(db, tmp_path):
    community(tmp_path)
    out = io.StringIO()
    call_command(
        "createadmin", "--create-org", "Kubernetes", "--org", "kubernetes",
        "--email", "sam@example.com", "--password", "a-Long-pass-123", stdout=out,
    )  # fmt: skip
    outcome = import_directory(tmp_path, today=TODAY)
    assert outcome.applied, outcome.as_text()
    org = Organization.objects.get(slug="kubernetes")
    sam = Person.objects.get(org=org, email="sam@example.com")
    assert sam.role == Role.ADMIN
    assert [n for n in outcome.notes if n.startswith("kept 1 admin as admin")]
    # A second admin (not in the data) does not make the first one expendable.
    org_services.add_person(org, None, name="Other Admin", email="oa@example.com", role="admin")
    again = import_directory(tmp_path, today=TODAY)
    assert again.ok and not [c for c in again.changes if c.section == "people"]
    sam.refresh_from_db()
    assert sam.role == Role.ADMIN


def _initiative(org, key):
    from accord.interchange.models import ExternalKey

    pk = ExternalKey.objects.get(org=org, section="initiatives", key=key).object_id
    return Initiative.objects.get(pk=pk)


def test_what_was_changed_in_accord_is_kept_unless_the_data_changed_it_too(db, tmp_path):
    community(tmp_path)
    assert import_directory(tmp_path, today=TODAY).applied
    org = Organization.objects.get(slug="kubernetes")
    node = Team.objects.get(org=org, slug="sig-node")
    org_services.update_team(org, None, node, mission="Edited in Accord.")
    ranks = {k: _initiative(org, k).rank for k in ("kep-1", "kep-2", "kep-3")}
    assert ranks == {"kep-1": 1, "kep-2": 2, "kep-3": 3}
    alignment.set_initiative_status(org, None, _initiative(org, "kep-2"), "done", "Shipped.")

    plan = import_directory(tmp_path, today=TODAY, dry_run=True)
    text = plan.as_text()
    assert "kept, changed in Accord since the last import: teams sig-node mission" in text
    assert "kept, changed in Accord since the last import: initiatives kep-2 status" in text
    again = import_directory(tmp_path, today=TODAY)
    assert again.applied and again.changes == []
    node.refresh_from_db()
    assert node.mission == "Edited in Accord."
    # Done stays done, out of the ranking: it does not come back at the bottom of it.
    ranks = {k: _initiative(org, k).rank for k in ("kep-1", "kep-2", "kep-3")}
    assert ranks == {"kep-1": 1, "kep-2": None, "kep-3": 2}
    assert _initiative(org, "kep-2").status == "done"

    # The data changes the mission too: the data wins, and the plan says what it overwrites.
    (tmp_path / "sigs.yaml").write_text(SIGS.replace("Run pods.", "Run pods well."))
    third = import_directory(tmp_path, today=TODAY)
    node.refresh_from_db()
    assert node.mission == "Run pods well."
    assert any(
        n.startswith("overwrites a change made in Accord since the last import")
        and "sig-node mission 'Edited in Accord.' → 'Run pods well.'" in n
        for n in third.notes
    ), third.notes


def test_only_a_current_or_coming_release_dates_what_a_proposal_asks(db, tmp_path):
    community(tmp_path)
    kep(tmp_path, "sig-node", "stale", 10, "implementable", "v1.33", ["sig-apps"])
    kep(tmp_path, "sig-node", "undated", 11, "provisional", "", ["sig-apps"])
    kep(tmp_path, "sig-node", "coming", 12, "implementable", "v1.38", ["sig-apps"])
    kep(tmp_path, "sig-node", "shipped", 13, "implemented", "v1.33", ["sig-apps"])
    outcome = import_directory(tmp_path, today=TODAY)  # v1.38 is the current release
    assert outcome.applied, outcome.as_text()
    org = Organization.objects.get(slug="kubernetes")
    from accord.coordination.models import Dependency

    deps = {d.title.split(":")[0]: d for d in Dependency.objects.for_org(org)}
    assert set(deps) == {"KEP-12", "KEP-13"}  # nothing invented for KEP-10 nor KEP-11
    assert (deps["KEP-12"].state, deps["KEP-12"].need_by.isoformat()) == (
        "accepted",
        "2026-12-18",
    )
    assert deps["KEP-13"].state == "delivered"
    stale = _initiative(org, "kep-10")
    assert (stale.status, stale.target_date) == ("active", None)
    kinds = {p.kind: p for p in outcome.report.problems}
    assert "stale: 1 proposals" in kinds["stale_proposals"].why
    assert "KEP-10 targeted v1.33" in kinds["stale_proposals"].why
    assert kinds["no_release"].why.startswith("1 proposals have no release date to go by")
    assert [p for p in outcome.report.problems if p.kind == "stale_proposals"] == [
        kinds["stale_proposals"]
    ]  # one line, not one per proposal


def test_superseded_removed_see_also_and_feature_gates(db, tmp_path):
    community(tmp_path)
    kep(tmp_path, "sig-node", "old", 20, "superseded", "v1.20")
    kep(tmp_path, "sig-node", "gone", 21, "removed", "v1.20")
    kep(
        tmp_path, "sig-node", "gated", 22, "implementable", "v1.38",
        see_also='["/keps/sig-node/20-old", "https://example.com/doc"]',
        feature_gates="[{name: CoordinatedLeaderElection, components: [kube-apiserver]}]",
    )  # fmt: skip
    outcome = import_directory(tmp_path, today=TODAY)
    org = Organization.objects.get(slug="kubernetes")
    assert _initiative(org, "kep-20").status == "dropped"
    assert _initiative(org, "kep-21").status == "dropped"
    gated = _initiative(org, "kep-22")
    assert "See also: KEP-20." in gated.description
    assert "Feature gates: CoordinatedLeaderElection." in gated.description
    assert "unknown_status" not in outcome.report.kinds()
    assert outcome.report.kinds()["see_also_elsewhere"] == 1


def test_the_datas_oddities_do_not_exit_3_and_certain_corrections_pass_strict(db, tmp_path):
    (tmp_path / "keps").mkdir()  # no release to come: its date would be an estimate
    kep(tmp_path, "sig-node", "alias", 30, "implemented", "1.33", ["sig-arch", "sig-apps"])
    (tmp_path / "sigs.yaml").write_text(
        SIGS + "  - dir: sig-architecture\n    name: Architecture\n"
    )
    out = io.StringIO()
    call_command("import", "kubernetes", str(tmp_path), "--strict", "--quiet", stdout=out)
    assert "Applied." in out.getvalue()  # corrections only (1.33 -> v1.33, sig-arch)
    kep(tmp_path, "sig-node", "odd", 31, "implementable", "v1.38", ["sig-nowhere"])
    out = io.StringIO()
    call_command("import", "kubernetes", str(tmp_path), "--quiet", stdout=out)  # exit 0
    text = out.getvalue()
    assert "Partly applied" not in text
    assert "Not taken from the data, by design (its oddities, listed above): 1 item" in text
    out = io.StringIO()
    call_command("import", "kubernetes", str(tmp_path), "--quiet", stdout=out)
    assert "Up to date: the organization already holds this data" in out.getvalue()
    assert "Nothing was applied" not in out.getvalue()


def test_a_meeting_repeated_by_subprojects_is_one_cadence(db, tmp_path):
    meeting = (
        "      - {description: Regular SIG Meeting, day: Wednesday, time: '8:30', tz: PT,"
        " frequency: biweekly, url: 'https://zoom.example/j/1'}\n"
    )
    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n  - dir: sig-k8s-infra\n    name: K8s Infra\n    meetings:\n"
        + meeting
        + "    subprojects:\n"
        + "".join(f"      - name: sub{n}\n        meetings:\n  " + meeting for n in range(3))
    )
    outcome = import_directory(tmp_path, today=TODAY)
    assert outcome.applied, outcome.as_text()
    from accord.rhythm.models import Cadence

    assert Cadence.objects.count() == 1
    kinds = outcome.report.kinds()
    assert kinds["duplicate_meeting"] == 1
    infra = Team.objects.get(slug="sig-k8s-infra")
    assert infra.description == "Meetings:\n- Regular SIG Meeting: https://zoom.example/j/1"
    anchored = next(p for p in outcome.report.problems if p.kind == "assumed_start_week")
    assert anchored.why.startswith("1 meetings held every two (or more) weeks")


def test_without_a_record_of_the_last_import_it_says_it_overwrites(db, tmp_path):
    from accord.interchange.models import ImportBaseline

    community(tmp_path)
    assert import_directory(tmp_path, today=TODAY).applied
    ImportBaseline.objects.all().delete()  # as an organization imported by an older Accord
    org = Organization.objects.get(slug="kubernetes")
    node = Team.objects.get(org=org, slug="sig-node")
    org_services.update_team(org, None, node, mission="Edited in Accord.")
    again = import_directory(tmp_path, today=TODAY)
    assert any(n.startswith("No record of what the last import wrote") for n in again.notes)
    node.refresh_from_db()
    assert node.mission == "Run pods."
    assert ImportBaseline.objects.filter(org=org, source="kubernetes").exists()


def test_items_accord_refuses_make_the_import_exit_3(db, tmp_path):
    import pytest

    from accord.interchange.management.commands._common import SKIPPED_EXIT, Said

    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n  - dir: sig-docs\n    name: Docs\n    leadership:\n      chairs:\n"
        "        - {github: one, name: One, email: one@example.com}\n"
        "        - {github: two, name: Two, email: two@example.com}\n"
    )
    org = org_services.create_organization("Kubernetes", "kubernetes")
    # Someone in Accord is both: their address is One's, their GitHub handle Two's.
    org_services.add_person(org, None, name="Both", email="one@example.com", handles=["github:two"])
    out = io.StringIO()
    with pytest.raises(Said) as raised:
        call_command("import", "kubernetes", str(tmp_path), "--quiet", stdout=out)
    assert raised.value.returncode == SKIPPED_EXIT
    assert "identity_taken" in out.getvalue() and "Partly applied" in out.getvalue()


def test_a_dependency_an_earlier_import_made_and_this_one_does_not_is_said(db, tmp_path):
    community(tmp_path)
    kep(tmp_path, "sig-node", "asks", 40, "implementable", "v1.38", ["sig-apps"])
    first = import_directory(tmp_path, today=TODAY)
    assert first.counts()["dependencies"]["create"] == 1
    later = import_directory(tmp_path, today=dt.date(2027, 6, 1))  # v1.38 is out: stale
    said = [p for p in later.report.problems if p.kind == "earlier_dependencies"]
    assert len(said) == 1 and said[0].why.startswith("1 open dependencies an earlier import")
