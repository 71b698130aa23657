"""Among equal matches, search gives the searcher's own teams' things first (the teams they
are a member of, and the work of those teams), on the results page and in the type-ahead
alike; someone of the other team sees the reverse."""

from __future__ import annotations

from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.search import queries
from tests.conftest import login


def _team_with(cast, name, slug, person):
    team = org_services.create_team(cast.org, None, name=name, slug=slug, parent=cast.root)
    org_services.add_membership(
        cast.org, None, person=person, team=team, role=MembershipRole.MEMBER, allocation=50
    )
    return team


def test_a_decision_of_the_searchers_team_comes_before_an_equal_one_elsewhere(cast):
    payments = _team_with(cast, "Payments", "payments", cast.leader)
    # Mia is of Platform, Leo of Payments. Payments' decision is the newer: it would rank first.
    mine = decisions.create_decision(
        cast.org, None, "Adopt the Heron queue", cast.admin, teams=[cast.platform]
    )
    theirs = decisions.create_decision(
        cast.org, None, "Adopt the Heron queue", cast.admin, teams=[payments]
    )
    for person, first in ((cast.member, mine), (cast.leader, theirs)):
        hits = queries.search(cast.org, person, "heron queue", kind="decision")
        assert [h.object_id for h in hits][:1] == [first.pk]
        assert {h.object_id for h in hits} == {mine.pk, theirs.pk}
        everything = queries.search(cast.org, person, "heron queue")
        assert next(h.object_id for h in everything if h.kind == "decision") == first.pk
    # Someone of neither team gets the newest first, as before.
    hits = queries.search(cast.org, cast.viewer, "heron queue", kind="decision")
    assert [h.object_id for h in hits] == [theirs.pk, mine.pk]
    # The results page and the type-ahead say the same.
    client = login(cast.member)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get("/o/acme/search/", {"q": "heron queue"}, headers=headers)
        html = page.content.decode()
        assert html.index(f"/decisions/{mine.pk}/") < html.index(f"/decisions/{theirs.pk}/")


def test_the_searchers_own_team_comes_before_an_equal_team_elsewhere(cast):
    alpha = _team_with(cast, "Kestrel Alpha", "kestrel-alpha", cast.member)
    gamma = _team_with(cast, "Kestrel Gamma", "kestrel-gamma", cast.leader)
    mia = queries.search(cast.org, cast.member, "kestrel", kind="team")
    leo = queries.search(cast.org, cast.leader, "kestrel", kind="team")
    assert [h.object_id for h in mia] == [alpha.pk, gamma.pk]
    assert [h.object_id for h in leo] == [gamma.pk, alpha.pk]


def test_a_team_the_searcher_has_left_is_no_longer_theirs(cast):
    from accord.org.models import Membership

    alpha = _team_with(cast, "Kestrel Alpha", "kestrel-alpha", cast.viewer)
    gamma = org_services.create_team(
        cast.org, None, name="Kestrel Gamma", slug="kestrel-gamma", parent=cast.root
    )
    assert [h.object_id for h in queries.search(cast.org, cast.viewer, "kestrel", kind="team")][
        :1
    ] == [alpha.pk]
    # A past term stays on record; it makes nobody a member now.
    term = Membership.objects.get(person=cast.viewer, team=alpha)
    org_services.end_term(cast.org, None, term)
    hits = queries.search(cast.org, cast.viewer, "kestrel", kind="team")
    assert [h.object_id for h in hits] == [gamma.pk, alpha.pk]
