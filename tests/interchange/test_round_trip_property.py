"""Any valid file of teams, people and memberships round-trips and applies idempotently."""

from __future__ import annotations

import itertools

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.activity.models import Event
from accord.interchange import services
from accord.org.models import Organization

counter = itertools.count()

names = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=30
).filter(lambda s: s.strip() == s and s.strip())


@st.composite
def org_files(draw):
    n_teams = draw(st.integers(1, 8))
    # Sibling teams have different names (any case): Accord refuses two of one name.
    team_names = draw(
        st.lists(names, min_size=n_teams, max_size=n_teams, unique_by=(str.lower, str.upper))
    )
    teams = []
    for i in range(n_teams):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        teams.append(
            {
                "slug": f"t{i}",
                "name": team_names[i],
                **({"parent": f"t{parent}"} if parent is not None else {}),
                **({"description": draw(names)} if draw(st.booleans()) else {}),
            }
        )
    n_people = draw(st.integers(1, 6))
    people = [
        {
            "email": f"p{i}@example.com",
            "name": draw(names),
            "role": "admin" if i == 0 else draw(st.sampled_from(["viewer", "member", "leader"])),
            "timezone": draw(st.sampled_from(["UTC", "Europe/Paris", "Asia/Tokyo"])),
            "active": True if i == 0 else draw(st.booleans()),
        }
        for i in range(n_people)
    ]
    memberships = []
    for i in range(n_people):
        chosen = draw(st.sets(st.integers(0, n_teams - 1), max_size=3))
        for t in sorted(chosen):
            memberships.append(
                {
                    "team": f"t{t}",
                    "person": f"p{i}@example.com",
                    "role": draw(st.sampled_from(["lead", "member"])),
                    "allocation": draw(st.integers(0, 33)),
                }
            )
    return yaml.safe_dump(
        {"teams": teams, "people": people, "memberships": memberships}, allow_unicode=True
    )


def _body(text: str) -> str:
    return text.split("\nteams:", 1)[1]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=org_files())
def test_any_valid_file_round_trips_and_applies_once(db, text):
    slug = f"o{next(counter)}"
    first = services.apply_file(text, org_slug=slug)
    assert first.ok and not first.report, first.as_text()
    org = Organization.objects.get(slug=slug)
    exported = services.export_text(org)
    events = Event.objects.count()
    assert services.apply_file(text, org=org).changes == []
    assert services.apply_file(exported, org=org).changes == []
    assert Event.objects.count() == events
    copy = services.apply_file(exported, org_slug=f"{slug}-copy")
    assert copy.ok and not copy.report, copy.as_text()
    again = services.export_text(Organization.objects.get(slug=f"{slug}-copy"))
    assert _body(again) == _body(exported)
