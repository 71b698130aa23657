"""Applying a file writes in bulk what can wait for the end of a transaction (roll-ups,
events) and reads it item by item; none of that changes what is recorded or stored."""

from __future__ import annotations

import tracemalloc

from accord.activity.models import Event
from accord.alignment import rollups
from accord.alignment.models import Initiative, Objective
from accord.core.errors import ServiceError
from accord.interchange import engine, services
from accord.org import services as org_services
from accord.org.models import Membership, Organization
from bench.orgfile_gen import org_file


def test_every_change_records_its_event_and_the_roll_ups_match_a_full_recomputation(db):
    outcome = services.apply_file(org_file(40, slug="bulk"), org_slug="bulk")
    assert outcome.applied and not outcome.report
    org = Organization.objects.get(slug="bulk")
    created = Event.objects.filter(org=org, verb="created")
    for model, section in ((Membership, "memberships"), (Objective, "objectives")):
        counted = outcome.counts()[section]["create"]
        kind = f"{model._meta.app_label}.{model._meta.model_name}"
        assert created.filter(target_type=kind).count() == counted == model.objects.count()
    # Each initiative's link to its objective is an event of its own.
    linked = Event.objects.filter(org=org, verb="linked", target_type="alignment.initiative")
    assert linked.count() == Initiative.objects.filter(org=org).count() > 0
    stored = {
        o.pk: (o.rollup_progress, o.covered, o.orphaned) for o in Objective.objects.filter(org=org)
    }
    assert stored == rollups.computed(org.id)
    assert all(o.covered for o in Objective.objects.filter(org=org))
    assert all(i.aligned for i in Initiative.objects.filter(org=org))


def test_a_refused_write_keeps_no_event(db, monkeypatch):
    real = org_services.add_membership
    refused = "person3@bigco.example"

    def refuse_after_writing(org, actor, *, person, team, **kw):
        membership = real(org, actor, person=person, team=team, **kw)  # records its event
        if person.email == refused:
            raise ServiceError("Refused for the test.")
        return membership

    real_many = org_services.add_memberships

    def refuse_batch_after_writing(org, actor, rows):
        written = real_many(org, actor, rows)  # records their events
        if any(row["person"].email == refused for row in rows):
            raise ServiceError("Refused for the test.")
        return written

    monkeypatch.setattr(org_services, "add_membership", refuse_after_writing)
    monkeypatch.setattr(org_services, "add_memberships", refuse_batch_after_writing)
    outcome = services.apply_file(org_file(10, slug="bulk"), org_slug="bulk")
    assert [p.kind for p in outcome.report.problems] == ["refused"]
    assert not Membership.objects.filter(person__email=refused).exists()
    events = Event.objects.filter(verb="created", target_type="org.membership")
    assert events.count() == Membership.objects.count() == 9


def _peak(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_is_read_item_by_item_not_as_a_whole_tree(db):
    source = org_file(2000, slug="bulk").encode()
    kinds = services.all_kinds()
    whole = _peak(lambda: engine.read(engine.Context(None, kinds), engine.parse(source)))
    streamed = _peak(lambda: engine.read_source(engine.Context(None, kinds), source))
    assert streamed < whole * 0.6, (streamed, whole)
