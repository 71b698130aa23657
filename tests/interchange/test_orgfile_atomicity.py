"""Strict mode and failures mid-apply leave the database exactly as it was."""

from __future__ import annotations

import pytest

from accord.core.errors import ServiceError
from accord.interchange import services
from accord.org import services as org_services
from accord.org.models import Membership

from .helpers import ORG_FILE, dump


def test_strict_with_one_bad_row_leaves_the_database_byte_for_byte_unchanged(cast):
    services.apply_file(ORG_FILE, org_slug="initech")
    before = dump()
    bad = ORG_FILE.replace("name: Operations", "name: Ops").replace(
        "allocation: 40", "allocation: 400"
    )
    outcome = services.apply_file(bad, org_slug="initech", strict=True)
    assert outcome.aborted and not outcome.applied
    assert [p.path for p in outcome.report.problems] == ["memberships[1].allocation"]
    assert dump() == before


def test_strict_aborts_when_the_file_would_leave_no_admin(cast):
    services.apply_file(ORG_FILE, org_slug="initech")
    before = dump()
    changed = ORG_FILE.replace("role: admin", "role: member")
    outcome = services.apply_file(changed, org_slug="initech", strict=True)
    assert outcome.aborted
    assert outcome.report.problems[0].kind == "no_admin"
    assert dump() == before


def _refuse_second_membership(monkeypatch):
    """The service refuses the file's second membership: new memberships are written in
    batches, so the batch holding it is refused (after writing, so that its rollback
    shows), then each membership is written on its own and only the second is refused."""
    calls = {"n": 0}
    real, real_many = org_services.add_membership, org_services.add_memberships

    def refuse(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ServiceError("Refused for the test.")
        return real(*args, **kwargs)

    def refuse_batch(org, actor, rows):
        written = real_many(org, actor, rows)
        if len(rows) >= 2:
            raise ServiceError("Refused for the test.")
        return written

    monkeypatch.setattr(org_services, "add_membership", refuse)
    monkeypatch.setattr(org_services, "add_memberships", refuse_batch)


def test_strict_rolls_everything_back_when_a_service_refuses_one_change(db, monkeypatch):
    _refuse_second_membership(monkeypatch)
    before = dump()
    outcome = services.apply_file(ORG_FILE, org_slug="initech", strict=True)
    assert outcome.aborted and not outcome.applied
    assert "Refused for the test." in outcome.report.problems[0].why
    assert dump() == before


def test_without_strict_a_refused_change_is_reported_and_the_rest_applied(db, monkeypatch):
    _refuse_second_membership(monkeypatch)
    outcome = services.apply_file(ORG_FILE, org_slug="initech")
    assert outcome.applied
    assert [p.kind for p in outcome.report.problems] == ["refused"]
    assert Membership.objects.filter(org__slug="initech").count() == 2


def test_a_failure_in_the_middle_of_applying_writes_nothing(db, monkeypatch):
    real = org_services.add_memberships

    def crash_after_writing(org, actor, rows):
        real(org, actor, rows)
        raise SystemExit("killed")  # like a process dying mid-apply

    monkeypatch.setattr(org_services, "add_memberships", crash_after_writing)
    before = dump()
    with pytest.raises(SystemExit):
        services.apply_file(ORG_FILE, org_slug="initech")
    assert dump() == before


def test_a_large_file_with_a_bad_row_in_strict_mode_writes_nothing(cast):
    """Large files are written in several transactions, but only after all of the file is
    validated: a problem found by validation still leaves the database as it was."""
    from bench.orgfile_gen import org_file

    big = org_file(400, slug="acme", admin="ada.admin@acme.example")
    bad = big.replace("allocation: 80}", "allocation: 800}", 1)
    assert services.is_large(bad)
    before = dump()
    outcome = services.apply_file(bad, org_slug="acme", strict=True)
    assert outcome.aborted and not outcome.applied and outcome.changes == []
    assert [p.kind for p in outcome.report.problems] == ["invalid_value"]
    assert dump() == before
