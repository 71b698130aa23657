"""An agenda section's first screen shows what matters most first, and a cut section says
of how many: objectives at risk by lowest confidence, key results behind pace first (each
naming its objective, and its team when not the meeting's), issues most severe first,
blockers from check-ins by team; "first 2 of 4 items"."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.rhythm import agenda, services
from accord.rhythm.recurrence import occurrence_key
from accord.rhythm.templates_catalog import SECTION_SOURCES
from tests.conftest import login
from tests.rhythm.test_agenda import BEFORE, MEETING, NOW, at, titles, world  # noqa: F401


def _period(org):
    from accord.alignment.models import Period

    return Period.objects.for_org(org).get(name="Q4")


def test_objectives_at_risk_lowest_confidence_first(cast, world):  # noqa: F811
    org = cast.org
    with at(BEFORE):
        for title, confidence in (("Aardvark", 6), ("Zebra", 1)):
            o = alignment.create_objective(
                org, None, title=title, period=_period(org), team=cast.platform
            )
            alignment.set_objective_confidence(org, None, o, confidence)
    meeting = services.open_meeting(org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(org, world["cadence"], meeting, now=NOW)
    # By title these read Aardvark, Dropping, Low, Zebra.
    assert titles(built, "objectives") == ["Zebra", "Low", "Dropping", "Aardvark"]


def test_key_results_behind_pace_first_each_naming_its_objective_and_team(cast, world):  # noqa: F811
    org = cast.org
    meeting = services.open_meeting(org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(org, world["cadence"], meeting, now=NOW)
    details = {i["title"]: i["detail"] for s in built for i in s["items"]}
    assert titles(built, "key_results") == ["Behind", "Moved"]
    # The meeting's own team is not repeated.
    assert details["Behind"].endswith(" · of “Fine”")
    # A meeting of the team at the top and those below it: each key result's team named.
    with at(BEFORE):
        top = services.create_cadence(
            org,
            None,
            name="Acme review",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
            team=cast.root,
            scope="subtree",
            start_date=dt.date(2026, 10, 1),
            agenda=[{"key": "key_results", "title": "Key results", "source": "key_results"}],
        )
    meeting = services.open_meeting(org, None, top, MEETING)
    with at(NOW):
        built = agenda.build(org, top, meeting, now=NOW)
    details = {i["title"]: i["detail"] for s in built for i in s["items"]}
    assert titles(built, "key_results")[0] == "Behind"
    assert details["Behind"].endswith(" · of “Fine” (Platform)")
    assert details["Other team moved"].endswith(" · of “Elsewhere low” (Data)")


def test_issues_most_severe_first_then_the_oldest(cast, world):  # noqa: F811
    org = cast.org
    with at(BEFORE):
        for title, severity in (
            ("A low one", "low"),
            ("B medium one", "medium"),
            ("C critical one", "critical"),
        ):
            decisions.raise_issue(org, None, cast.platform, title, severity=severity)
    meeting = services.open_meeting(org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(org, world["cadence"], meeting, now=NOW)
    assert titles(built, "issues") == [
        "C critical one",
        "Flaky builds",
        "B medium one",
        "A low one",
    ]


def test_a_cut_section_says_of_how_many(cast, world):  # noqa: F811
    org = cast.org
    with at(BEFORE):
        for n in range(3):
            decisions.raise_issue(org, None, cast.platform, f"Issue {n}", severity="low")
    cadence = world["cadence"]
    meeting = services.open_meeting(org, None, cadence, MEETING)
    with at(NOW):
        built = agenda.build(org, cadence, meeting, now=NOW, limits={"issues": 2})
    (issues,) = [s for s in built if s["key"] == "issues"]
    assert len(issues["items"]) == 2 and issues["more"] and issues["total"] == "4"
    # A section that is whole says nothing more.
    (initiatives,) = [s for s in built if s["key"] == "initiatives"]
    assert not initiatives["more"] and "total" not in initiatives
    # The page, opened to two issues: "first 2 of 4 items".
    url = f"/o/{org.slug}/rhythm/cadences/{cadence.pk}/{occurrence_key(MEETING)}/"
    with at(NOW):
        html = login(cast.admin).get(url + "?open=issues&n=2").content.decode()
    assert "· first 2 of 4 items</small>" in html
    assert SECTION_SOURCES  # the world's agenda has every section


def test_blockers_from_check_ins_read_by_team(cast, world):  # noqa: F811
    """Across teams, the same round's blockers are grouped by the check-in's team, each
    named, rather than by the person's first name."""
    from accord.org import services as org_services
    from accord.rhythm.models import CheckIn
    from tests.conftest import make_person

    org = cast.org
    from accord.org.models import Team

    data = Team.objects.for_org(org).get(slug="data")
    with at(BEFORE):
        checkins = {}
        for team in (cast.platform, data):
            checkins[team.pk] = services.create_cadence(
                org,
                None,
                name=f"{team.name} pulse",
                kind="checkin",
                rrule="FREQ=WEEKLY;BYDAY=FR",
                time=dt.time(9),
                timezone_name="UTC",
                team=team,
                start_date=dt.date(2026, 10, 1),
            )
        # By name, Platform's and Data's mix: Aaron (Platform), Bea (Data), Cleo (Platform).
        people = []
        for name, team in (("Aaron", cast.platform), ("Bea", data), ("Cleo", cast.platform)):
            p = make_person(org, name, "member")
            org_services.add_membership(org, None, person=p, team=team)
            people.append((p, team))
        review = services.create_cadence(
            org,
            None,
            name="Everyone's review",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
            scope="org",
            start_date=dt.date(2026, 10, 1),
            agenda=[{"key": "issues", "title": "Issues", "source": "issues"}],
        )
    round_start = dt.datetime(2026, 11, 13, 9, tzinfo=dt.UTC)
    for p, team in people:
        CheckIn.objects.create(
            org=org,
            cadence=checkins[team.pk],
            person=p,
            occurrence_start=round_start,
            due_at=round_start,
            submitted_at=round_start,
            status="on_time",
            blockers=f"{p.name} is stuck",
        )
    meeting = services.open_meeting(org, None, review, MEETING)
    with at(NOW):
        built = agenda.build(org, review, meeting, now=NOW)
    (blockers,) = [s for s in built if s["key"] == agenda.BLOCKERS_SECTION["key"]]
    assert [i["title"] for i in blockers["items"]] == ["Bea", "Aaron", "Cleo"]
    assert blockers["items"][0]["detail"].startswith("Data · Blocked")
    assert blockers["items"][1]["detail"].startswith("Platform · Blocked")


def test_objectives_opened_further_keep_the_order_past_the_first_read(cast, world):  # noqa: F811
    """More objectives at risk than the first read (agenda.FIRST_CHUNK): opened further,
    the rest follow in the same order, none twice, none left out."""
    org = cast.org
    with at(BEFORE):
        for n in range(agenda.FIRST_CHUNK + 6):
            o = alignment.create_objective(
                org, None, title=f"Goal {n:02d}", period=_period(org), team=cast.platform
            )
            alignment.set_objective_confidence(org, None, o, 1 + n % 6)
    meeting = services.open_meeting(org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(org, world["cadence"], meeting, now=NOW, limits={"objectives": 100})
    (section,) = [s for s in built if s["key"] == "objectives"]
    confidence = {f"Goal {n:02d}": 1 + n % 6 for n in range(agenda.FIRST_CHUNK + 6)}
    confidence |= {"Low": 3, "Dropping": 5}
    shown = [i["title"] for i in section["items"]]
    assert shown == sorted(confidence, key=lambda t: (confidence[t], t))
    assert not section["more"]
