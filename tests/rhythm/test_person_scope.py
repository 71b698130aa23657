"""The reads that start from one person or one cadence agree with the whole-organization
roster they replace on pages: who takes part in a cadence and who owes its check-ins."""

from __future__ import annotations

from collections import defaultdict

from accord.org.models import Person
from accord.rhythm import queries


def people_of_every_kind(people, cadences, roster: queries.Roster, each: int = 3) -> list:
    """The first `each` people of every kind the organization has, a kind being how many
    teams a person is in and how they stand to each kind of cadence (its owner, a member or
    lead of a team in its scope, an extra participant): every path through `PersonScope`
    that any of its people takes, at a fraction of the cost of checking them all."""
    ties: dict[int, set] = defaultdict(set)
    for c in cadences:
        teams = roster.scope_team_ids(c)
        members = set().union(*(roster.members.get(t, set()) for t in teams))
        leads = set().union(*(roster.leads.get(t, set()) for t in teams))
        extras = {p.pk for p in c.extra_participants.all()}
        for pid in members | extras | {c.owner_id}:
            tie = (pid == c.owner_id, pid in members, pid in leads, pid in extras)
            ties[pid].add((c.scope, c.kind, c.checkin_owed_by, tie))
    chosen: dict[tuple, list] = defaultdict(list)
    for person in people:
        teams = min(len(roster.teams_of.get(person.pk, ())), 3)
        kind = chosen[(person.is_active, teams, frozenset(ties[person.pk]))]
        if len(kind) < each:
            kind.append(person)
    assert len(chosen) > 5, "the organization has people of many kinds"
    return [person for kind in chosen.values() for person in kind]


def test_a_persons_cadences_and_check_ins_owed_match_the_roster(generated, db):
    org = generated["large"]
    roster = queries.Roster.load(org)
    everything = list(queries.cadences(org))
    taking_part = {c.pk: roster.participant_ids(c) for c in everything}
    owing = {c.pk: roster.ower_ids(c) for c in everything}
    people = list(Person.objects.for_org(org).order_by("id"))
    assert len(people) > 100
    for person in people_of_every_kind(people, everything, roster):
        scope = queries.PersonScope.load(org, person)
        mine = {c.pk for c in queries.person_cadences(org, person, scope)}
        assert mine == {pk for pk, ids in taking_part.items() if person.pk in ids}, person
        owes = {c.pk for c in everything if scope.owes(c)}
        assert owes == {pk for pk, ids in owing.items() if person.pk in ids}, person


def test_a_cadences_participants_and_owers_match_the_roster(generated, db):
    org = generated["large"]
    roster = queries.Roster.load(org)
    for cadence in queries.cadences(org, active_only=False):
        ids = set(queries.participants_query(org, cadence).values_list("id", flat=True))
        assert ids == roster.participant_ids(cadence), cadence
        assert queries.ower_ids(org, cadence) == roster.ower_ids(cadence), cadence
        assert queries.scope_team_ids(org, cadence) == roster.scope_team_ids(cadence)


def test_a_teams_cadences_match_the_roster(generated, db):
    from accord.org.models import Team
    from accord.rhythm.models import Scope

    org = generated["large"]
    roster = queries.Roster.load(org)
    everything = list(queries.cadences(org))
    teams = list(Team.objects.for_org(org).order_by("id"))
    assert {c.scope for c in everything} >= {Scope.ORG, Scope.TEAM}
    for team in teams[::5]:
        found = [c.pk for c in queries.team_cadences(org, team)]
        assert len(found) == len(set(found)), team
        assert set(found) == {c.pk for c in everything if team.pk in roster.scope_team_ids(c)}


def test_an_organization_wide_cadences_owner_and_guests_outside_every_team_take_part(generated, db):
    """Everyone in a team takes part in an organization-wide cadence, and so do its owner
    and its extra participants, in a team or not."""
    from accord.org.models import Membership
    from accord.rhythm.models import Cadence

    org = generated["large"]
    cadence = Cadence.objects.for_org(org).filter(scope="org").exclude(kind="checkin").get()
    loner = Person.objects.create(org=org, name="Lone Facilitator")
    guest = Person.objects.create(org=org, name="Guest Speaker")
    member = Membership.objects.for_org(org).order_by("id").first().person
    cadence.owner = loner
    cadence.save()
    cadence.extra_participants.add(guest, member)
    ids = set(queries.participants_query(org, cadence).values_list("id", flat=True))
    assert {loner.pk, guest.pk, member.pk} <= ids
    assert ids == queries.Roster.load(org).participant_ids(cadence)
