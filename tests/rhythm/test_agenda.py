"""Each agenda section picks exactly its items from a hand-built organization, and the
snapshot frozen at the start does not change when live data changes afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.rhythm import agenda, services
from accord.rhythm.models import Cadence
from accord.rhythm.templates_catalog import SECTION_SOURCES
from tests.conftest import at, login
from tests.rhythm.conftest import utc

# The meeting: Monday 16 Nov 2026, 10:00 Berlin (09:00 UTC); the previous one a week before.
MEETING = utc(2026, 11, 16, 9)
BEFORE = utc(2026, 11, 2, 12)  # set-up, before the previous occurrence
SINCE = utc(2026, 11, 10, 12)  # between the two occurrences
NOW = utc(2026, 11, 16, 8)


@pytest.fixture
def world(cast):
    org = cast.org
    with at(BEFORE):
        other = org_services.create_team(org, None, name="Data", slug="data", parent=cast.root)
        org_services.add_membership(org, None, person=cast.admin, team=other)
        cadence = services.create_cadence(
            org,
            None,
            name="Platform review",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
            team=cast.platform,
            start_date=dt.date(2026, 10, 1),
            agenda=[{"key": s, "title": s.title(), "source": s} for s in SECTION_SOURCES],
        )
        data_sync = services.create_cadence(
            org,
            None,
            name="Data sync",
            rrule="FREQ=WEEKLY;BYDAY=TU",
            time=dt.time(9),
            timezone_name="UTC",
            team=other,
            start_date=dt.date(2026, 10, 1),
            agenda=[{"key": "h", "title": "Headlines", "source": "headlines"}],
        )
        q4 = alignment.create_period(
            org,
            None,
            name="Q4",
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 12, 31),
            state="active",
            is_current=True,
        )

        def objective(title, team, confidence=None):
            o = alignment.create_objective(
                org, None, title=title, period=q4, team=team, owner=cast.member
            )
            if confidence:
                alignment.set_objective_confidence(org, None, o, confidence)
            return o

        o_drop = objective("Dropping", cast.platform, 8)
        o_low = objective("Low", cast.platform, 3)
        o_fine = objective("Fine", cast.platform, 9)
        o_other = objective("Elsewhere low", other, 2)

        def kr(name, obj, start, target, current=None, **extra):
            return alignment.create_key_result(
                org, None, obj, name=name, start=start, target=target, current=current, **extra
            )

        kr_moved = kr("Moved", o_fine, 0, 10, 5)
        # Added in November, measured since the quarter began: paced over all of it.
        kr_behind = kr("Behind", o_fine, 0, 10, 1, baseline_date=dt.date(2026, 10, 1))
        kr("On track", o_fine, 0, 10, 6)
        kr_other = kr("Other team moved", o_other, 0, 10, 1)

        def initiative(title, team, target, status="active"):
            return alignment.create_initiative(
                org,
                None,
                team=team,
                title=title,
                status=status,
                target_date=target,
                start_date=dt.date(2026, 10, 1),
            )

        late = initiative("Late one", cast.platform, dt.date(2026, 11, 1))
        initiative("Not yet due", cast.platform, dt.date(2026, 12, 1))
        initiative("Done late", cast.platform, dt.date(2026, 11, 1), status="done")
        initiative("Other late", other, dt.date(2026, 11, 1))
        dep_old_fine = coordination.create_dependency(
            org,
            None,
            requester_initiative=late,
            provider_team=other,
            title="Old fine",
            need_by=dt.date(2026, 12, 20),
        )
        dep_old_late = coordination.create_dependency(
            org,
            None,
            requester_initiative=late,
            provider_team=other,
            title="Old late",
            need_by=dt.date(2026, 11, 12),
        )
        issue = decisions.raise_issue(org, None, cast.platform, "Flaky builds", severity="high")
        solved = decisions.raise_issue(org, None, cast.platform, "Old issue")
        decisions.solve_issue(org, None, solved, "Fixed")
        decisions.raise_issue(org, None, other, "Not ours")
        due = decisions.create_action_item(
            org, None, "Write runbook", cast.member, due_on=dt.date(2026, 11, 13)
        )
        decisions.create_action_item(
            org, None, "Far away", cast.member, due_on=dt.date(2026, 12, 30)
        )
        done = decisions.create_action_item(
            org, None, "Finished", cast.member, due_on=dt.date(2026, 11, 12)
        )
        decisions.complete_action_item(org, None, done)
        awaiting = decisions.create_decision(org, None, "Which CI vendor?", cast.member)
        decided = decisions.create_decision(org, None, "Old question", cast.member)
        decisions.decide(org, None, decided, "Yes")
        decisions.create_decision(org, None, "Not ours", cast.admin)
    with at(SINCE):
        alignment.record_key_result_value(org, None, kr_moved, 7)
        alignment.record_key_result_value(org, None, kr_other, 8)
        alignment.set_objective_confidence(org, None, o_drop, 5)
        dep_new = coordination.create_dependency(
            org,
            None,
            requester_initiative=late,
            provider_team=other,
            title="New ask",
            need_by=dt.date(2026, 12, 24),
        )
        m = services.open_meeting(org, None, data_sync, utc(2026, 11, 10, 9))
        services.start_meeting(org, None, m)
        services.add_headline(org, None, m, "Data warehouse is live", cascade_to=[cast.platform])
        services.add_headline(org, None, m, "Kept to ourselves")
    return {
        "cadence": cadence,
        "kr_moved": kr_moved,
        "kr_behind": kr_behind,
        "o_drop": o_drop,
        "o_low": o_low,
        "late": late,
        "dep_new": dep_new,
        "dep_old_late": dep_old_late,
        "dep_old_fine": dep_old_fine,
        "issue": issue,
        "due": due,
        "awaiting": awaiting,
    }


def titles(sections, key):
    return [i["title"] for s in sections if s["key"] == key for i in s["items"]]


def test_each_section_picks_exactly_its_items(cast, world):
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    # Behind pace first, then what moved; the lowest confidence first (Low is off track).
    assert titles(built, "key_results") == ["Behind", "Moved"]
    assert titles(built, "objectives") == ["Low", "Dropping"]
    assert titles(built, "initiatives") == ["Late one"]
    assert titles(built, "dependencies") == ["Old late", "New ask"]
    assert titles(built, "issues") == ["Flaky builds"]
    assert titles(built, "action_items") == ["Write runbook"]
    assert titles(built, "decisions") == ["Which CI vendor?"]
    assert titles(built, "headlines") == ["Data warehouse is live"]
    assert titles(built, "none") == []
    tones = {i["title"]: i["tone"] for s in built for i in s["items"]}
    assert tones["Behind"] == "bad" and tones["Dropping"] == "warn" and tones["Low"] == "bad"
    # Dates are written the one way (web/templatetags/dates.py): with their year.
    details = {i["title"]: i["detail"] for s in built for i in s["items"]}
    assert details["Late one"].startswith("Platform: due 1 Nov 2026, 15 days late")
    assert "needs it from Data by 12 Nov 2026 · " in details["Old late"]
    assert "due 13 Nov 2026 · overdue" in details["Write runbook"]


def test_a_teams_weekly_sync_brings_what_crosses_teams_and_what_waits_on_it(cast, world):
    """The Level 10 sync of a team of teams: besides its own numbers and issues, the late
    and new dependencies with other teams and the decisions waiting on its people."""
    with at(BEFORE):
        sync = services.create_cadence_from_template(
            cast.org, None, "weekly-sync", team=cast.platform, timezone_name="Europe/Berlin"
        )
    meeting = services.open_meeting(cast.org, None, sync, MEETING)
    with at(NOW):
        built = agenda.build(cast.org, sync, meeting, now=NOW)
    assert titles(built, "dependencies") == ["Old late", "New ask"]
    assert titles(built, "decisions") == ["Which CI vendor?"]
    assert sum(s["minutes"] for s in sync.agenda) == sync.duration_minutes


def test_the_snapshot_does_not_change_when_live_data_changes(cast, world):
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        meeting = services.start_meeting(cast.org, cast.leader, meeting, now=NOW)
    frozen = [dict(s) for s in meeting.agenda_snapshot]
    assert titles(frozen, "issues") == ["Flaky builds"]
    with at(NOW + dt.timedelta(minutes=5)):
        decisions.solve_issue(cast.org, None, world["issue"], "Fixed in the meeting")
        decisions.raise_issue(cast.org, None, cast.platform, "Brand new")
        alignment.record_key_result_value(cast.org, None, world["kr_behind"], 9)
    meeting.refresh_from_db()
    assert meeting.agenda_snapshot == frozen
    live = agenda.build(cast.org, world["cadence"], meeting, now=NOW + dt.timedelta(minutes=6))
    assert titles(live, "issues") == ["Brand new"]


def test_a_whole_organization_agenda_lists_undecided_decisions_dated_first(cast):
    """Soonest decide-by first, undated last (oldest first), across the first screen and
    when opened further: the dated and the undated are read apart."""
    with at(BEFORE):
        cadence = services.create_cadence(
            cast.org,
            None,
            name="All hands",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="UTC",
            scope="org",
            start_date=dt.date(2026, 10, 1),
            agenda=[{"key": "d", "title": "Decisions", "source": "decisions"}],
        )
    dates = [dt.date(2026, 12, 4), None, dt.date(2026, 11, 20), None, dt.date(2026, 12, 4)]
    for n, due in enumerate(dates):
        with at(BEFORE + dt.timedelta(hours=n)):
            decisions.create_decision(cast.org, None, f"Q{n}?", cast.leader, decide_by=due)
    expected = ["Q2?", "Q0?", "Q4?", "Q1?", "Q3?"]
    for limit in (1, 2, 3, 4, 5, 10):
        with at(NOW):
            built = agenda.build(cast.org, cadence, now=NOW, limit=limit)
        assert titles(built, "d") == expected[:limit]
        assert built[0]["more"] == (limit < len(expected))


def test_a_sub_tree_cadence_of_the_only_top_team_has_the_organizations_agenda(cast, world):
    """A cadence of the top team and everything below it is the whole organization's
    meeting: the same items as an organization-wide cadence, read without listing every
    team and person (which made its page take 1.6 s at 10,000 teams)."""
    from accord.rhythm import queries
    from accord.rhythm.models import Scope

    sections = [{"key": s, "title": s.title(), "source": s} for s in SECTION_SOURCES]
    built = {}
    for scope, team in ((Scope.ORG, None), (Scope.SUBTREE, cast.root)):
        with at(BEFORE):
            cadence = services.create_cadence(
                cast.org,
                None,
                name=f"All hands ({scope})",
                rrule="FREQ=WEEKLY;BYDAY=MO",
                time=dt.time(10),
                timezone_name="Europe/Berlin",
                scope=scope,
                team=team,
                start_date=dt.date(2026, 10, 1),
                agenda=sections,
            )
        ctx = agenda.context(cast.org, cadence, None, now=NOW)
        assert ctx.team_ids is None and ctx.person_ids is None, scope
        participants = queries.participants_query(cast.org, cadence)
        built[scope] = (
            {
                s["key"]: [i["ref"] for i in s["items"]]
                for s in agenda.build(cast.org, cadence, now=NOW)
            },
            sorted(participants.values_list("pk", flat=True)),
        )
    assert built[Scope.SUBTREE] == built[Scope.ORG]
    items, people = built[Scope.ORG]
    assert items["issues"] and items["action_items"] and items["decisions"]
    assert cast.member.pk in people and cast.outsider.pk not in people

    # Below the top, a sub-tree is its own: the data team's cadence has its own agenda.
    with at(BEFORE):
        below = services.create_cadence(
            cast.org,
            None,
            name="Platform and below",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
            scope=Scope.SUBTREE,
            team=cast.platform,
            start_date=dt.date(2026, 10, 1),
            agenda=sections,
        )
    ctx = agenda.context(cast.org, below, None, now=NOW)
    assert ctx.team_ids == {cast.platform.pk} and ctx.person_ids is not None
    assert {i["title"] for s in agenda.build(cast.org, below, now=NOW) for i in s["items"]} >= {
        "Flaky builds",
        "Write runbook",
    }
    assert "Not ours" not in {
        i["title"] for s in agenda.build(cast.org, below, now=NOW) for i in s["items"]
    }


class _Rows(list):
    """A query's rows that record each slice read, as a queryset's LIMIT/OFFSET would."""

    def __init__(self, n: int):
        super().__init__(range(n))
        self.reads: list[tuple[int, int]] = []

    def __getitem__(self, key):
        if isinstance(key, slice):
            self.reads.append((key.start, key.stop))
        return super().__getitem__(key)


def test_a_source_reads_a_few_rows_for_the_first_screen_and_larger_chunks_after():
    from itertools import islice

    rows = _Rows(1000)
    # A first screen (and one more, to know there is more) of a source that keeps every
    # other row: one small read, not a chunk of the largest size.
    kept = list(islice(agenda._scan(rows, lambda chunk: [r for r in chunk if r % 2]), 11))
    assert kept == list(range(1, 23, 2))
    assert rows.reads == [(0, agenda.FIRST_CHUNK)]

    # Read to the end: each row once, in order, in chunks that double up to CHUNK.
    rows = _Rows(1000)
    assert list(agenda._rows(rows)) == list(range(1000))
    sizes = [stop - start for start, stop in rows.reads]
    assert sizes[:3] == [agenda.FIRST_CHUNK, 2 * agenda.FIRST_CHUNK, 4 * agenda.FIRST_CHUNK]
    assert max(sizes) == agenda.CHUNK
    assert all(b[0] == a[1] for a, b in zip(rows.reads, rows.reads[1:], strict=False))
    assert len(rows.reads) <= 2 + 1000 // agenda.CHUNK + 3


def test_a_meeting_whose_sections_ask_for_more_time_than_it_has_says_so(cast):
    def meeting_page(minutes: list[int]) -> str:
        cadence = services.create_cadence(
            cast.org,
            None,
            name=f"Review {sum(minutes)}",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            duration_minutes=30,
            timezone_name="UTC",
            scope="org",
            start_date=dt.date(2026, 10, 1),
            agenda=[
                {"key": f"s{n}", "title": f"Part {n}", "source": "headlines", "minutes": m}
                for n, m in enumerate(minutes)
            ],
        )
        url = f"/o/acme/rhythm/cadences/{cadence.pk}/20261221T100000Z/"
        response = login(cast.member).get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    page = meeting_page([20, 20])
    assert "The agenda's sections take 40 minutes of a 30-minute meeting" in page
    assert 'id="overbooked"' not in meeting_page([15, 15])
    # Once held, its minutes are what happened: no advice to shorten the plan.
    cadence = Cadence.objects.get(name="Review 40")
    start = dt.datetime(2026, 12, 21, 10, tzinfo=dt.UTC)
    m = services.open_meeting(cast.org, cast.admin, cadence, start)
    m = services.start_meeting(cast.org, cast.admin, m, now=start)
    services.finish_meeting(cast.org, cast.admin, m, ratings={}, now=start)
    url = f"/o/acme/rhythm/cadences/{cadence.pk}/20261221T100000Z/"
    minutes = login(cast.member).get(url).content.decode()
    assert "Minutes" in minutes and 'id="overbooked"' not in minutes


def test_every_template_of_the_catalog_fits_its_sections_in_its_meeting():
    from accord.rhythm.templates_catalog import TEMPLATES

    for t in TEMPLATES.values():
        asked = sum(s["minutes"] for s in t.sections)
        assert asked == t.duration_minutes, (t.slug, asked, t.duration_minutes)


def test_the_top_teams_meeting_sees_what_crosses_the_teams_below_it(cast, world):
    """A leadership meeting (a cadence of the top team alone) lists the late and new
    dependencies between the teams below it, as a department's meeting lists its teams'."""
    with at(BEFORE):
        leadership = services.create_cadence_from_template(
            cast.org, None, "weekly-sync", team=cast.root, timezone_name="Europe/Berlin"
        )
    meeting = services.open_meeting(cast.org, None, leadership, MEETING)
    with at(NOW):
        built = agenda.build(cast.org, leadership, meeting, now=NOW)
    assert titles(built, "dependencies") == ["Old late", "New ask"]


def test_a_dependency_committed_for_after_its_need_by_is_on_the_agenda(cast, world):
    """Promised for after it is needed: on the agenda with why, as the dependency's page
    marks it at risk, though it is neither new, late nor flagged."""
    from accord.alignment.models import Initiative

    provider = Initiative.objects.get(title="Other late")
    with at(BEFORE):
        coordination.transition(
            cast.org,
            None,
            world["dep_old_fine"],
            "accept",
            provider_initiative=provider,
            committed_date=dt.date(2027, 1, 5),
        )
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    assert titles(built, "dependencies") == ["Old late", "Old fine", "New ask"]  # need-by order
    [fine] = [
        i
        for s in built
        if s["key"] == "dependencies"
        for i in s["items"]
        if i["title"] == "Old fine"
    ]
    assert fine["detail"].endswith("committed for 5 Jan 2027, after it is needed")
    assert fine["tone"] == "warn"
