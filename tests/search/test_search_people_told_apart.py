"""People of the same name are told apart by their teams, as the pickers tell them
(`accord.web.pickers._teams_of`), and the one named in full, then those whose name starts
with what was typed, come first; among those, the people near the searcher (themselves and
their team-mates, `pickers._near`), even when the ranking alone left them out."""

from __future__ import annotations

from accord.org import services
from accord.search import queries


def person(cast, name, *, title="", team=None, email=None):
    return services.add_person(
        cast.org,
        None,
        name=name,
        title=title,
        email=email or f"{name.lower().replace(' ', '.')}@acme.example",
        team=team,
    )


def names(cast, q, **kwargs):
    return [h.title for h in queries.search(cast.org, cast.member, q, **kwargs)]


def test_namesakes_show_their_teams_beside_their_title(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    person(cast, "Jonas Costa", title="Designer", team=cast.platform)
    twin = person(cast, "Jonas Costa", title="Designer", team=sales, email="jc2@acme.example")
    services.add_membership(cast.org, None, person=twin, team=cast.root, allocation=None)
    details = sorted(h.detail for h in queries.search(cast.org, cast.member, "jonas costa"))
    assert details == ["Acme, Sales · Designer", "Platform · Designer"]


def test_the_name_typed_in_full_then_names_starting_with_it_then_people_near_first(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    person(cast, "Bo Jonas", team=cast.platform)  # near, but the name does not start so
    person(cast, "Jonas Far", team=sales)
    person(cast, "Jonas Near", team=cast.platform)  # Mia Member's team-mate
    person(cast, "Jonas", team=sales)
    assert names(cast, "jonas") == ["Jonas", "Jonas Near", "Jonas Far", "Bo Jonas"]


def test_a_person_near_the_searcher_takes_a_place_the_ranking_alone_gave_another(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    for n in range(queries.QUICK_LIMIT + 2):
        person(cast, f"Jonas F{n}", team=sales)  # shorter names: ranked first
    person(cast, "Jonas Nearby", team=cast.platform)
    found = names(cast, "jonas")
    assert len(found) == queries.QUICK_LIMIT
    assert found[0] == "Jonas Nearby"
