"""Damaged or hostile files in the dataset are reported, never crash the reader."""

from __future__ import annotations

from accord.interchange import kubernetes


def test_it_reports_broken_files_and_keeps_reading(k8s_dir):
    keps = k8s_dir / "keps" / "sig-node"
    (keps / "9001-broken").mkdir()
    (keps / "9001-broken" / "kep.yaml").write_text("title: [unclosed\n")
    (keps / "9002-bomb").mkdir()
    (keps / "9002-bomb" / "kep.yaml").write_text(
        'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b]\n'
    )
    (keps / "9003-list").mkdir()
    (keps / "9003-list" / "kep.yaml").write_text("- just\n- a list\n")
    (keps / "9004-dup").mkdir()
    (keps / "9004-dup" / "kep.yaml").write_text(
        "title: Twice\nkep-number: 9004\nowning-sig: sig-node\nstatus: implementable\n"
        "status: implemented\nparticipating-sigs: sig-apps\ncreation-date: 2024-02-30\n"
    )
    (keps / "9005-deep").mkdir()
    (keps / "9005-deep" / "kep.yaml").write_text("title: " + "[" * 5000 + "]" * 5000 + "\n")
    data = kubernetes.read(k8s_dir)
    report = data.report

    def of(name):
        return [p for p in report.problems if name in p.file]

    assert [p.kind for p in of("9001-broken")] == ["yaml_error"]
    assert [p.kind for p in of("9002-bomb")] == ["yaml_error"]
    assert "Aliases" in of("9002-bomb")[0].why
    assert [p.kind for p in of("9003-list")] == ["wrong_type"]
    assert [p.kind for p in of("9005-deep")] == ["yaml_error"]
    dup = {p.kind for p in of("9004-dup")}
    assert {"duplicate_key", "wrong_type", "impossible_date"} <= dup
    twice = next(k for k in data.keps if k.key == "sig-node/9004-dup")
    assert twice.status == "implemented"
    assert len(data.keps) == 655


def test_it_reports_a_missing_sigs_file_without_crashing(tmp_path):
    data = kubernetes.read(tmp_path)
    assert data.groups == [] and data.keps == []
    assert {p.kind for p in data.report.problems} == {"missing_file"}
