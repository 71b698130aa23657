"""Links between initiatives ("replaces", read backwards as "replaced by") and stages."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Initiative, InitiativeLink
from accord.core.errors import NotFound, PermissionDenied, ServiceError


def counts(org) -> tuple[int, int]:
    return InitiativeLink.objects.count(), Event.objects.filter(org=org).count()


@pytest.fixture
def pair(cast):
    old = s.create_initiative(cast.org, None, team=cast.platform, title="Old checkout")
    new = s.create_initiative(cast.org, None, team=cast.platform, title="New checkout")
    return old, new


def test_an_initiative_replaces_another_and_it_is_recorded(cast, pair):
    old, new = pair
    link = s.link_initiatives(cast.org, cast.member, new, old, "replaces")
    assert (link.from_initiative, link.to_initiative, link.kind) == (new, old, "replaces")
    event = Event.objects.filter(org=cast.org, verb="linked").get()
    assert event.target_id == str(new.pk) and event.after["to_initiative"] == old.pk
    s.unlink_initiatives(cast.org, cast.member, new, old)
    assert not InitiativeLink.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="unlinked").count() == 1


def test_it_refuses_bad_links_and_changes_nothing(cast, pair):
    old, new = pair
    s.link_initiatives(cast.org, None, new, old)
    alien = s.create_initiative(cast.other_org, None, team=cast.other_team, title="Alien")
    before = counts(cast.org)
    for actor, a, b, kind, error, words in (
        (None, new, new, "replaces", ServiceError, "itself"),
        (None, new, old, "replaces", ServiceError, "already"),
        (None, old, new, "replaces", ServiceError, "each other"),
        (None, new, alien, "replaces", ServiceError, "not an initiative of Acme"),
        (None, old, new, "blocks", ServiceError, "Unknown kind"),
        (cast.viewer, old, new, "replaces", PermissionDenied, "member"),
    ):
        with pytest.raises(error) as exc:
            s.link_initiatives(cast.org, actor, a, b, kind)
        assert words in str(exc.value)
    assert counts(cast.org) == before
    with pytest.raises(NotFound):
        s.unlink_initiatives(cast.org, None, old, new)
    assert counts(cast.org) == before


def test_deleting_an_initiative_removes_its_links_with_events(cast, pair):
    old, new = pair
    s.link_initiatives(cast.org, None, new, old)
    s.delete_initiative(cast.org, None, old)
    assert not InitiativeLink.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="unlinked").count() == 1


def test_a_stage_is_set_changed_and_checked(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="X", stage="  alpha ")
    assert i.stage == "alpha"
    s.update_initiative(cast.org, None, i, stage="beta")
    assert Initiative.objects.get(pk=i.pk).stage == "beta"
    before = Event.objects.count()
    with pytest.raises(ServiceError, match="at most 40"):
        s.update_initiative(cast.org, None, i, stage="x" * 41)
    assert Initiative.objects.get(pk=i.pk).stage == "beta" and Event.objects.count() == before
