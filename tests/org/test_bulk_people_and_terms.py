"""Adding many people or terms at once (as an organization file does) checks each of them as
adding one does, records one event each, and refuses the whole batch, changing nothing,
when one of them is refused; an apply then reports the refused item alone."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import Conflict, PermissionDenied, ServiceError
from accord.interchange import services as interchange
from accord.org import services
from accord.org.models import Membership, Person, PersonIdentity, TeamVacancy


def _state() -> tuple:
    return (
        list(Person.objects.order_by("id").values_list("id", "email")),
        list(PersonIdentity.objects.order_by("id").values_list("id", "value")),
        list(Membership.terms.order_by("id").values_list("id", "team_id", "allocation")),
        Event.objects.count(),
    )


def test_new_people_are_written_with_their_addresses_and_one_event_each(cast):
    ada, bo = services.add_people(
        cast.org,
        cast.admin,
        [
            {"name": "Ada", "email": "Ada@Acme.example", "emails": ["ada@home.example"]},
            {"name": "Bo", "email": "bo@acme.example", "handles": ["GitHub:@Bo"], "title": "SRE"},
        ],
    )
    assert (ada.email, bo.title, bo.role, bo.timezone) == (
        "Ada@Acme.example",
        "SRE",
        "member",
        "UTC",
    )
    assert list(ada.identities.values_list("kind", "value")) == [("email", "ada@home.example")]
    assert list(bo.identities.values_list("kind", "value")) == [("github", "bo")]
    events = Event.objects.filter(verb="created", target_type="org.person")
    assert events.get(target_id=str(ada.pk)).after["emails"] == ["ada@home.example"]
    assert events.get(target_id=str(bo.pk)).after["handles"] == ["github:bo"]
    assert events.get(target_id=str(bo.pk)).actor_id == cast.admin.pk


@pytest.mark.parametrize(
    "rows, error, match",
    [
        ([{"name": "", "email": "x@acme.example"}], ServiceError, "Name is required"),
        ([{"name": "X", "email": "not an address"}], ServiceError, "not an e-mail address"),
        ([{"name": "X", "role": "owner"}], ServiceError, "Unknown role"),
        ([{"name": "X", "user": 1}], ServiceError, "Cannot set user"),
        # someone's extra address, as a new primary address or a new extra one
        ([{"name": "X", "email": "mia@home.example"}], Conflict, "is an address of Mia"),
        ([{"name": "X", "emails": ["mia@home.example"]}], Conflict, "belongs to Mia"),
        ([{"name": "X", "handles": ["github:mia"]}], Conflict, "belongs to Mia"),
        # another person's primary address, given as an extra one
        ([{"name": "X", "emails": ["ada.admin@acme.example"]}], Conflict, "belongs to Ada"),
        # two new people claiming one address or handle
        (
            [{"name": "X", "email": "x@acme.example"}, {"name": "Y", "emails": ["x@acme.example"]}],
            Conflict,
            "given for two new people",
        ),
        (
            [{"name": "X", "handles": ["slack:xy"]}, {"name": "Y", "handles": ["slack:@xy"]}],
            Conflict,
            "given for two new people",
        ),
    ],
)
def test_one_refused_person_refuses_the_batch_and_changes_nothing(cast, rows, error, match):
    services.update_person(
        cast.org, None, cast.member, emails=["mia@home.example"], handles=["github:mia"]
    )
    rows = [{"name": "Fine", "email": "fine@acme.example"}, *rows]
    before = _state()
    with pytest.raises(error, match=match):
        services.add_people(cast.org, cast.admin, rows)
    assert _state() == before


def test_only_an_admin_adds_people(cast):
    with pytest.raises(PermissionDenied):
        services.add_people(cast.org, cast.leader, [{"name": "X"}])


def test_new_terms_are_checked_together_with_the_ones_before_them(cast):
    # Mia is 50% in Platform already: 30% more in Acme is fine, 30% more again is not.
    docs = services.create_team(cast.org, None, name="Docs", slug="docs", parent=cast.root)
    before = _state()
    with pytest.raises(ServiceError, match="would be allocated 110%"):
        services.add_memberships(
            cast.org,
            None,
            [
                {"person": cast.member, "team": cast.root, "allocation": 30},
                {"person": cast.leader, "team": cast.root},
                {"person": cast.member, "team": docs, "allocation": 30},
            ],
        )
    assert _state()[2] == before[2]
    with pytest.raises(ServiceError, match="already in Platform"):
        services.add_memberships(cast.org, None, [{"person": cast.member, "team": cast.platform}])
    with pytest.raises(ServiceError, match="already in Acme"):
        services.add_memberships(
            cast.org,
            None,
            [
                {"person": cast.leader, "team": cast.root},
                {"person": cast.leader, "team": cast.root},
            ],
        )
    with pytest.raises(ServiceError, match="Unknown team role 'wizard'"):
        services.add_memberships(
            cast.org, None, [{"person": cast.leader, "team": cast.root, "role": "wizard"}]
        )
    with pytest.raises(ServiceError, match=r"cannot start in the future \(1 Jan 2999\)"):
        services.add_memberships(
            cast.org, None, [{"person": cast.leader, "team": cast.root, "started_on": "2999-01-01"}]
        )
    with pytest.raises(PermissionDenied):
        services.add_memberships(
            cast.org, cast.member, [{"person": cast.leader, "team": cast.root}]
        )
    assert _state()[2] == before[2]


def test_new_terms_fill_open_positions_and_record_one_event_each(cast):
    services.open_vacancy(cast.org, None, cast.root, role="lead")
    added = services.add_memberships(
        cast.org,
        None,
        [
            {"person": cast.leader, "team": cast.root, "role": "lead", "allocation": None},
            {"person": cast.admin, "team": cast.root, "allocation": 20, "started_on": "2026-01-05"},
        ],
    )
    assert [(m.role, m.allocation, str(m.started_on)) for m in added] == [
        ("lead", None, "None"),
        ("member", 20, "2026-01-05"),
    ]
    assert not TeamVacancy.objects.filter(team=cast.root).exists()
    assert Event.objects.filter(verb="filled", target_type="org.teamvacancy").count() == 1
    events = Event.objects.filter(verb="created", target_type="org.membership")
    assert {e.target_id for e in events} >= {str(m.pk) for m in added}
    assert events.get(target_id=str(added[1].pk)).after == {
        "person": cast.admin.pk,
        "team": cast.root.pk,
        "role": "member",
        "allocation": 20,
        "started_on": "2026-01-05",
        "person_name": cast.admin.name,
        "team_name": cast.root.name,
    }


def test_an_apply_reports_the_one_refused_item_of_a_batch_and_writes_the_others(db):
    body = "\n".join(
        [
            "accord: 1",
            "organization: {name: Q Co, slug: qco}",
            "teams:",
            "  - {slug: root, name: Root}",
            "people:",
            *(f"  - {{email: p{i}@q.example, name: P{i}}}" for i in range(5)),
            "memberships:",
            *(
                f"  - {{team: root, person: p{i}@q.example{', role: wizard' if i == 3 else ''}}}"
                for i in range(5)
            ),
        ]
    )
    outcome = interchange.apply_file(body + "\n", org_slug="qco")
    assert outcome.applied
    assert [(p.path, p.kind) for p in outcome.report.problems] == [("memberships[3]", "refused")]
    assert "Unknown team role 'wizard'" in outcome.report.problems[0].why
    emails = Membership.objects.order_by("person__email").values_list("person__email", flat=True)
    assert list(emails) == ["p0@q.example", "p1@q.example", "p2@q.example", "p4@q.example"]
    created = Event.objects.filter(verb="created", target_type="org.membership")
    assert created.count() == 4
    assert outcome.counts()["memberships"]["create"] == 4
