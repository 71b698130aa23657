"""Reading the real Kubernetes community data: what is taken, and every oddity reported."""

from __future__ import annotations

from accord.interchange import kubernetes


def test_it_reads_groups_leads_meetings_and_proposals(k8s_source):
    data = kubernetes.read(k8s_source)
    kinds = {g.kind for g in data.groups}
    assert kinds == {"sig", "wg", "committee"}
    assert len(data.groups) == 35
    node = data.group("sig-node")
    assert node.name == "Node" and node.kind == "sig"
    assert {lead.role for lead in node.leads} >= {"chair", "tech_lead"}
    batch = data.group("wg-batch")
    assert batch.stakeholders == ["sig-apps", "sig-autoscaling", "sig-node", "sig-scheduling"]
    # keps/sig-node/5978-cluster-resource-claim-template is a proposal, not the template.
    assert len(data.keps) == 654
    assert any(k.key == "sig-node/5978-cluster-resource-claim-template" for k in data.keps)
    # K8s Infra's "Regular SIG Meeting", listed by the group and five subprojects, is one.
    assert sum(len(g.meetings) for g in data.groups) == 94
    infra = [
        m for m in data.group("sig-k8s-infra").meetings if m.description == "Regular SIG Meeting"
    ]
    assert len(infra) == 1 and infra[0].listed == 6
    assert sum(p.active for p in data.people.values()) == 129
    assert all(p.email for p in data.people.values())
    assert {r.name for r in data.releases} >= {"v1.19", "v1.30", "v1.36"}


def test_it_parses_meetings_into_rules_times_and_zones(k8s_source):
    data = kubernetes.read(k8s_source)
    api = data.group("sig-api-machinery")
    regular = next(m for m in api.meetings if m.description == "Regular SIG Meeting")
    assert (regular.rrule, regular.time, regular.timezone) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        "11:00",
        "America/Los_Angeles",
    )


def test_it_links_proposals_to_owner_participants_and_replacements(k8s_source):
    data = kubernetes.read(k8s_source)
    keps = {k.key: k for k in data.keps}
    resize = keps["sig-node/5419-pod-level-resources-in-place-resize"]
    assert resize.owning == "sig-node"
    assert resize.participating == []  # the owner is not its own participant
    assert resize.status == "implementable" and resize.stage == "beta"
    assert resize.milestones == {"alpha": "v1.35", "beta": "v1.36"}
    # + sig-arch, sig-apimachinery, sig-machinery, sig-scheduler, sig-contribex (7 references)
    assert sum(len(k.participating) for k in data.keps) == 451
    assert keps["sig-node/753-sidecar-containers"].participating == ["sig-scheduling", "sig-apps"]
    assert sum(len(k.replaces) + len(k.superseded_by) for k in data.keps) == 9


def _find(report, kind, file_part="", value=""):
    return [
        p
        for p in report.problems
        if p.kind == kind and file_part in p.file and (not value or p.value == value)
    ]


def test_it_reports_each_known_oddity_of_the_data(k8s_source):
    report = kubernetes.read(k8s_source).report
    impossible = _find(report, "impossible_date", "4355-coordinated-leader-election")
    assert impossible and impossible[0].line == 10 and impossible[0].value == "2023-14-05"
    assert _find(report, "status_typo", "2625-cpumanager", "imlpemented")[0].action == "corrected"
    assert _find(report, "template_text", "5000-api-linting", value="alpha|beta|stable")
    assert not _find(report, "unknown_group", value="sig-arch")
    arch = _find(report, "group_alias", value="sig-arch")
    assert arch and arch[0].action == "corrected" and "read as sig-architecture" in arch[0].why
    for alias in ("sig-apimachinery", "sig-machinery", "sig-scheduler", "sig-contribex"):
        assert _find(report, "group_alias", value=alias)[0].action == "corrected"
    # A retired group is not taken for another one of a similar name.
    usability = _find(report, "retired_group", value="sig-usability")
    assert usability and all("did you mean" not in p.why for p in usability)
    assert "not a current group" in usability[0].why
    assert _find(report, "ambiguous_timezone", "sigs.yaml", "IST")
    assert _find(report, "meeting_frequency", "sigs.yaml", "monthly")
    assert _find(report, "date_format", "5647-stale", "2025-10-9")
    assert _find(report, "not_a_date", "4080-generic", "v1.27")
    assert _find(report, "duplicate_number", "2133-kubelet")
    assert _find(report, "quoted_number", "563-dual-stack", "563")
    assert _find(report, "number_mismatch", "2043-pod-resource")
    assert not _find(report, "unknown_status", "4153-declarative")
    assert _find(report, "date_order", "3107-csi-nodeexpandsecret")
    assert _find(report, "template_file", "NNNN-kep-template")
    assert _find(report, "template_file", "0000-cloud-provider-template")
    assert not _find(report, "template_file", "5978-cluster-resource-claim-template")
    assert _find(report, "bad_milestone", "1432-volume-health", "v1.21, v1.37")
    assert _find(report, "unknown_key", "3515-kubectl-explain", "3515")
    assert len(report.kinds()) >= 20
    assert all(p.why and (p.file or p.path) for p in report.problems)


def test_the_report_is_json_and_text(k8s_source):
    report = kubernetes.read(k8s_source).report
    as_json = report.as_json()
    assert as_json["problem_count"] == len(report.problems)
    first = as_json["problems"][0]
    assert set(first) == {"kind", "why", "file", "path", "line", "value", "action"}
    assert "impossible_date" in report.as_text()
