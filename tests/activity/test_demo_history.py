"""On first start Northwind's event log reads like a real organization's last weeks: each
event is dated when the story has it happen (never later than now) and names the person who
did it; an object's creation comes before its changes; home's "Recent activity" and the
Activity page show a varied last few days, not a wall of what Accord did at load time."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from accord import demo
from accord.activity.models import Event
from accord.alignment.models import ConfidenceUpdate, KeyResultValue, RankChange, Replan
from accord.briefings.models import Briefing
from accord.conversation.models import Comment, InboxItem
from accord.coordination.models import Dependency
from accord.decisions.models import ActionItem, Decision, Issue, IssueEscalation
from accord.org.models import Person
from accord.org.services import add_person, create_organization, create_team
from accord.rhythm.models import CheckIn, Meeting
from tests import conftest
from tests.conftest import login

# What Accord itself did in the story: it made the organization and its first admin, sends
# the weekly briefings, records a check-in missed when its window closes and flags the
# requests an upstream slip puts at risk. Everything else was someone's doing.
ACCORD_DOES = {
    ("org.organization", "created"),
    ("org.person", "created"),
    ("briefings.briefing", "sent"),
    # Last week's, loaded before its reader's Monday hour: built, for the worker to send.
    ("briefings.briefing", "built"),
    ("rhythm.checkin", "missed"),
    ("coordination.dependency", "flagged_at_risk"),
    # The worker's marks, in the story on the day each became late, overdue or stuck.
    ("coordination.dependency", "became_late"),
    ("decisions.decision", "overdue"),
    ("decisions.issue", "stuck"),
}
CREATION = {"created", "raised"}
DAY = dt.timedelta(days=1)


def _events(org):
    return Event.objects.for_org(org)


def _at(org, target_type: str, verb: str) -> dict[int, list[dt.datetime]]:
    """{object id: the times of its `verb` events, in order}."""
    out: dict[int, list[dt.datetime]] = defaultdict(list)
    for target_id, at in (
        _events(org)
        .filter(target_type=target_type, verb=verb)
        .order_by("created_at", "id")
        .values_list("target_id", "created_at")
    ):
        out[int(target_id)].append(at)
    return out


def test_the_log_spans_the_story_and_nothing_is_later_than_now(db):
    org = demo.load()
    events = _events(org)
    assert not events.filter(created_at__gt=timezone.now()).exists()
    first = events.order_by("created_at", "id").first()
    assert (first.target_type, first.verb) == ("org.organization", "created")
    assert first.created_at >= demo.began(timezone.localdate())
    assert first.created_at <= timezone.now() - dt.timedelta(weeks=demo.STORY_WEEKS - 1)
    # Weeks of history, not one load: events on most days of the last quarter …
    days = {d for d in events.dates("created_at", "day") if d >= timezone.localdate() - 90 * DAY}
    assert len(days) >= 60, sorted(days)
    # … and what people did in the last week spread over its days and hours.
    week = events.filter(created_at__gte=timezone.now() - 7 * DAY).exclude(
        target_type="briefings.briefing"
    )
    per_minute = Counter(
        at.replace(second=0, microsecond=0) for at in week.values_list("created_at", flat=True)
    )
    assert len({m.date() for m in per_minute}) >= 5
    assert len(per_minute) >= 100
    # (Monday's meetings start together; nothing else comes in a crowd.)
    assert max(per_minute.values()) <= 20, per_minute.most_common(3)


def test_each_event_names_who_did_it(db):
    org = demo.load()
    events = _events(org)
    by_accord = Counter(events.filter(actor=None).values_list("target_type", "verb"))
    assert set(by_accord) <= ACCORD_DOES, by_accord
    assert by_accord[("org.person", "created")] == 1  # Maya, the first admin
    flagged = [
        int(i)
        for i in events.filter(actor=None, verb="flagged_at_risk").values_list(
            "target_id", flat=True
        )
    ]
    assert flagged and set(
        Dependency.objects.filter(pk__in=flagged).values_list("flag_auto", flat=True)
    ) == {True}
    # The people the objects name: a decision's driver opened it and its approver decided
    # it; a check-in is its author's; an action item was done by its owner; an issue was
    # raised by whoever the issue says.
    actor_of = {
        (t, v, int(i)): a
        for t, v, i, a in events.values_list("target_type", "verb", "target_id", "actor_id")
    }
    for d in Decision.objects.for_org(org):
        assert actor_of[("decisions.decision", "created", d.pk)] == d.driver_id
        if d.decided_at:
            assert actor_of[("decisions.decision", "decided", d.pk)] == d.approver_id
    for c in CheckIn.objects.for_org(org).exclude(status="missed"):
        assert actor_of[("rhythm.checkin", "submitted", c.pk)] == c.person_id
    for a in ActionItem.objects.for_org(org).filter(status="done"):
        assert actor_of[("decisions.actionitem", "completed", a.pk)] == a.owner_id
    for i in Issue.objects.for_org(org):
        assert actor_of[("decisions.issue", "raised", i.pk)] == i.raised_by_id
    # Linking a decision to what it serves is its driver's, not Accord's.
    linked = events.filter(target_type="decisions.decision", verb="linked")
    assert linked.exists() and not linked.filter(actor=None).exists()


def test_events_are_dated_when_their_objects_say(db):
    org = demo.load()
    for d in Decision.objects.for_org(org):
        assert _at(org, "decisions.decision", "created")[d.pk] == [d.opened_at]
        if d.decided_at:
            assert _at(org, "decisions.decision", "decided")[d.pk] == [d.decided_at], d
        if d.proposed_at and d.status == "proposed":
            assert _at(org, "decisions.decision", "proposed")[d.pk] == [d.proposed_at]
        if d.status in ("superseded", "reversed"):
            assert _at(org, "decisions.decision", d.status)[d.pk] == [d.closed_at]
    for c in CheckIn.objects.for_org(org).select_related("cadence"):
        if c.status == "missed":
            closed = c.due_at + dt.timedelta(hours=c.cadence.late_after_hours)
            assert _at(org, "rhythm.checkin", "missed")[c.pk] == [closed]
        else:
            assert _at(org, "rhythm.checkin", "submitted")[c.pk] == [c.submitted_at]
    meetings = {m.pk: m for m in Meeting.objects.for_org(org)}
    from_meetings = ActionItem.objects.for_org(org).filter(source_type="rhythm.meeting")
    assert from_meetings.exists()
    for a in from_meetings:  # recorded during the meeting, not when the demo loaded
        m = meetings[a.source_id]
        assert _at(org, "decisions.actionitem", "created")[a.pk] == [a.created_at]
        assert m.started_at < a.created_at <= (m.ended_at or timezone.now()), (a, m)
    for a in ActionItem.objects.for_org(org):
        if a.done_at:
            assert _at(org, "decisions.actionitem", "completed")[a.pk] == [a.done_at]
        if a.dropped_at:
            assert _at(org, "decisions.actionitem", "dropped")[a.pk] == [a.dropped_at]
    for i in Issue.objects.for_org(org):
        assert _at(org, "decisions.issue", "raised")[i.pk] == [i.opened_at]
        ups = list(IssueEscalation.objects.filter(issue=i).values_list("at", flat=True))
        assert _at(org, "decisions.issue", "escalated").get(i.pk, []) == ups
    for d in Dependency.objects.for_org(org):
        assert _at(org, "coordination.dependency", "created")[d.pk] == [d.created_at]
        if d.closed_at:
            verb = {"delivered": "delivered", "declined": "declined", "cancelled": "cancelled"}
            assert _at(org, "coordination.dependency", verb[d.state])[d.pk] == [d.closed_at]
    replans = sorted(Replan.objects.for_org(org).values_list("initiative_id", "at"))
    assert replans == sorted(
        (pk, at) for pk, ats in _at(org, "alignment.initiative", "replanned").items() for at in ats
    )
    # A stack changes when its work is re-ranked or leaves it (done, dropped).
    ranks = set(RankChange.objects.for_org(org).values_list("initiative_id", "at"))
    moved = {**_at(org, "alignment.initiative", "reranked")}
    for pk, ats in _at(org, "alignment.initiative", "status_changed").items():
        moved.setdefault(pk, []).extend(ats)
    assert ranks and ranks <= {(pk, at) for pk, ats in moved.items() for at in ats}
    values = set(KeyResultValue.objects.for_org(org).values_list("key_result_id", "recorded_at"))
    recorded = _at(org, "alignment.keyresult", "value_recorded")
    assert recorded and all((kr, at) in values for kr, ats in recorded.items() for at in ats)
    confidence = set(ConfidenceUpdate.objects.for_org(org).values_list("objective_id", "at"))
    set_at = _at(org, "alignment.objective", "confidence_set")
    assert set_at and all((o, at) in confidence for o, ats in set_at.items() for at in ats)
    for c in Comment.objects.for_org(org):
        assert (
            Event.objects.for_org(org)
            .get(target_type="conversation.comment", target_id=str(c.pk), verb="created")
            .created_at
            == c.created_at
        )
    # (One of last week not sent yet, its reader's hour still to come, has no "sent".)
    sent = set(Briefing.objects.filter(org=org, sent_at__isnull=False).values_list("pk", "sent_at"))
    assert sent == {
        (pk, at) for pk, ats in _at(org, "briefings.briefing", "sent").items() for at in ats
    }


def test_an_objects_creation_comes_before_its_changes(db):
    org = demo.load()
    first: dict[tuple[str, str], tuple[dt.datetime, int, str]] = {}
    created: set[tuple[str, str]] = set()
    for target_type, target_id, verb, at, pk in (
        _events(org)
        .order_by("created_at", "id")
        .values_list("target_type", "target_id", "verb", "created_at", "id")
    ):
        first.setdefault((target_type, target_id), (at, pk, verb))
        if verb in CREATION:
            created.add((target_type, target_id))
    wrong = {key: first[key] for key in created if first[key][2] not in CREATION}
    assert not wrong, wrong


def _names_in(html: str) -> list[str]:
    """The actor of each event of a feed, as the page shows it."""
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(r'<li class="event">.*?<strong>(.*?)</strong>', html, re.S)
    ]


# An ordinary moment of the week (Wednesday 15:30 in Berlin, between meetings): the story's
# last few days as the demo tells them whenever it is loaded. (Loaded just after a
# morning's meetings, their minutes' events would crowd home's few lines.)
ORDINARY = dt.datetime(2026, 12, 9, 14, 30, 7, 250000, tzinfo=dt.UTC)


def test_home_and_the_activity_page_show_a_varied_last_few_days(db):
    with conftest.at(ORDINARY):
        org = demo.load()
        maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
        client = login(maya)
        home = client.get(f"/o/{org.slug}/").content.decode()
    recent = home.split("<h2>Recent activity</h2>")[1].split("</section>")[0]
    names = _names_in(recent)
    assert len(names) == 12
    assert len(set(names)) >= 5, names
    # What people did: Accord's own marks (a round's misses, recorded together when its
    # late window closes) are on the Activity page, not home's.
    assert "Accord" not in names, names
    assert recent.count(" linked ") <= 2
    # (Phrases may have hyphens: "re-planned", "re-ranked".)
    phrases = re.findall(r"</strong>\s*(?:</a>)?\s*([a-z][a-z -]+?)\s*<span class=\"tag\">", recent)
    assert len(set(phrases)) >= 4, phrases
    # Each when it happened, not "just now" ten times over.
    times = re.findall(r'<time datetime="([^"]+)"', recent)
    # (What the story has happen later today than the load is recorded at the load,
    # `_Dates`: a few at most, with the load's fractions of a second where the story's are
    # whole.)
    # Two things done in one minute happen (a decision recorded and linked); ten alike do not.
    at_load = [t for t in times if "." in t[:26]]
    assert len(at_load) <= 3, times
    assert len({t[:16] for t in times}) >= 11 - max(0, len(at_load) - 1), times
    with conftest.at(ORDINARY):
        page = client.get(f"/o/{org.slug}/activity/").content.decode()
    shown = _names_in(page)
    assert len(set(shown)) >= 8 and shown.count("Accord") <= len(shown) // 4, Counter(shown)


def test_a_meeting_going_on_as_the_demo_loads_is_not_held_yet(db):
    # Monday 10:27 in Berlin: Platform's 10:00 Level 10 sync runs to 11:30.
    now = dt.datetime(2026, 12, 7, 9, 27, 3, 500000, tzinfo=dt.UTC)
    with conftest.at(now):
        org = demo.load()
        home = login(Person.objects.get(org=org, email=demo.DEMO_LOGIN)).get(f"/o/{org.slug}/")
    meetings = Meeting.objects.for_org(org)
    # Not held and finished by the load, nor ended later today: there to start.
    assert not meetings.filter(ended_at__gt=now).exists()
    assert not meetings.filter(started_at__isnull=False, ended_at__isnull=True).exists()
    syncs = meetings.filter(
        cadence__team__slug="platform", cadence__name__startswith="Weekly team sync"
    )
    this_morning = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    assert not syncs.filter(occurrence_start=this_morning).exists()
    # Last week's was held, its headline too.
    held = syncs.get(occurrence_start=this_morning - 7 * DAY)
    assert held.ended_at == this_morning - 7 * DAY + dt.timedelta(minutes=90)
    assert held.headlines.exists()
    # Its notes, action item and end are not recorded at the load moment on home's feed.
    recent = home.content.decode().split("<h2>Recent activity</h2>")[1].split("</section>")[0]
    times = re.findall(r'<time datetime="([^"]+)"', recent)
    assert len(times) == 12 and sum(":03.500000" in t for t in times) <= 3, times


def test_the_inbox_says_when_things_arrived(db):
    org = demo.load()
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    mine = InboxItem.objects.filter(org=org, person=maya)
    assert mine.filter(kind="decision").exists() and mine.filter(kind="mention").exists()
    opened = {d.pk: d.opened_at for d in Decision.objects.for_org(org)}
    # An approver who opened the decision is told when Accord marks it overdue.
    overdue = {
        int(pk): at
        for pk, at in _events(org)
        .filter(target_type="decisions.decision", verb="overdue")
        .values_list("target_id", "created_at")
    }
    for item in mine:
        assert item.created_at <= timezone.now()
        if item.kind == "decision":
            assert item.created_at in (opened[item.target_id], overdue.get(item.target_id)), item
    items = InboxItem.objects.filter(org=org)
    assert not [i for i in items if i.done_at and i.done_at < i.created_at]
    assert len({i.created_at.date() for i in items}) >= 20


def test_happened_dates_and_names_what_it_wraps_in_a_load(db):
    week_ago = timezone.now() - 7 * DAY
    with transaction.atomic(), demo._dating() as dates:
        org = create_organization("Acme", "acme")
        ana = add_person(org, None, name="Ana Ops", email="ana@acme.example")
        with demo.happened(week_ago, by=ana):
            ops = create_team(org, None, name="Ops", slug="ops")
            with demo.happened(week_ago + DAY):  # nested: its own moment, still Ana's
                later = create_team(org, None, name="Later", slug="later", parent=ops)
        with demo.happened(timezone.now() + DAY):  # the story's "tonight", loaded today
            tonight = create_team(org, None, name="Tonight", slug="tonight")
        untold = create_team(org, None, name="Untold", slug="untold")
        assert len(dates.pending) == 3  # dated when the app's part ends
    made = {
        int(e.target_id): e
        for e in Event.objects.filter(org=org, target_type="org.team", verb="created")
    }
    assert (made[ops.pk].created_at, made[ops.pk].actor) == (week_ago, ana)
    assert (made[later.pk].created_at, made[later.pk].actor) == (week_ago + DAY, ana)
    assert made[tonight.pk].actor is None and made[tonight.pk].created_at <= timezone.now()
    assert made[untold.pk].created_at > week_ago + DAY  # outside any block: as recorded


def test_lately_is_the_same_on_every_load_and_in_the_last_days(db):
    ctx = demo.DemoContext(org=None, rng=None, today=timezone.localdate())  # type: ignore[arg-type]
    moments = [demo.lately(ctx, "what", n) for n in range(40)]
    assert moments == [demo.lately(ctx, "what", n) for n in range(40)]
    assert len(set(moments)) == 40
    now = timezone.now()
    assert all(now - (demo.LATELY_DAYS + 1) * DAY < m <= now for m in moments)
    assert {9 <= m.hour < 18 for m in moments} == {True}
