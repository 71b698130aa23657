"""Replacements between proposals become one link per pair; contradictions and proposals
that name themselves are reported, not taken."""

from __future__ import annotations

from accord.interchange import kubernetes
from accord.interchange.kubernetes_import import build

OLD = "keps/sig-api-machinery/1872-manifest-based-admission-webhooks/kep.yaml"
NEW = "keps/sig-api-machinery/5793-manifest-based-admission-control-config/kep.yaml"


def test_two_proposals_replacing_each_other_are_reported_and_neither_link_taken(k8s_dir):
    old = k8s_dir / OLD
    old.write_text(
        old.read_text()
        + "replaces:\n  - keps/sig-api-machinery/5793-manifest-based-admission-control-config\n"
        + "superseded-by:\n  - kep-1872\n"
    )
    document, report = build(kubernetes.read(k8s_dir))
    pairs = {(link["from"], link["to"]) for link in document["initiative_links"]}
    assert ("kep-5793", "kep-1872") not in pairs and ("kep-1872", "kep-5793") not in pairs
    assert len(pairs) == 8
    contradictions = [p for p in report.problems if p.kind == "contradictory_links"]
    assert len(contradictions) == 1
    assert "1872-manifest" in contradictions[0].why and "5793-manifest" in contradictions[0].why
    itself = [p for p in report.problems if p.kind == "self_reference"]
    assert [(p.file, p.path, p.value) for p in itself] == [(OLD, "superseded-by[0]", "kep-1872")]


def test_a_stakeholder_named_by_a_committee_becomes_a_team_link(k8s_dir):
    sigs = k8s_dir / "sigs.yaml"
    text = sigs.read_text()
    marker = "  - dir: committee-steering\n"
    assert marker in text
    sigs.write_text(text.replace(marker, marker + "    stakeholder_sigs: [Architecture]\n", 1))
    document, _report = build(kubernetes.read(k8s_dir))
    assert {"from": "committee-steering", "to": "sig-architecture", "kind": "stakeholder"} in (
        document["team_links"]
    )
    stakeholders = [link for link in document["team_links"] if link["kind"] == "stakeholder"]
    assert len(stakeholders) == 32


def test_chairs_tech_leads_and_steering_liaisons_keep_their_roles(k8s_dir):
    data = kubernetes.read(k8s_dir)
    document, report = build(data)
    people = {p.handle.lower(): p.email for p in data.people.values()}
    node = next(g for g in data.groups if g.slug == "sig-node")
    chairs = {lead.handle.lower() for lead in node.leads if lead.role == "chair"}
    tls = {lead.handle.lower() for lead in node.leads if lead.role == "tech_lead"}
    roles = {m["person"]: m["role"] for m in document["memberships"] if m["team"] == "sig-node"}
    for handle in chairs - tls:
        assert roles[people[handle]] == "chair"
    for handle in tls:
        assert roles[people[handle]] == "lead"
    # Volunteers: nobody's share of time is known.
    assert {m["allocation"] for m in document["memberships"]} == {None}
    # The dataset names the Steering Committee's liaison of each SIG.
    liaisons = [link for link in document["team_links"] if link["kind"] == "liaison"]
    assert liaisons and all(link["from"] == "committee-steering" for link in liaisons)
    steering = {m["person"] for m in document["memberships"] if m["team"] == "committee-steering"}
    assert all(link["person"] in steering for link in liaisons)
    skipped = [p for p in report.problems if p.kind == "unknown_liaison"]
    assert len(liaisons) + len(skipped) == sum(
        1 for g in data.groups if g.liaison and g.slug != "committee-steering"
    )
