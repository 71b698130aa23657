"""Home's "Recent activity" is news of the organization: nobody's personal settings (what
they muted, how Accord reaches them), not even the reader's own, which stay on the
Activity page and in the events API for them (and for admins, who audit them). A term in
a team reads as people say it: someone added to a team, removed from it."""

from __future__ import annotations

import datetime as dt
import re

from accord.activity import delivery
from accord.activity.models import Event
from accord.org import services
from accord.rhythm import services as rhythm
from tests.conftest import api_client, login


def said(html: str) -> str:
    """A page's text, tags out and spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def recent(person) -> str:
    page = login(person).get("/o/acme/").content.decode()
    return said(page[page.index("<h2>Recent activity</h2>") :].split("</section>")[0])


def _settings_of(cast):
    """Mia mutes her team's stand-up and turns e-mail off; Leo renames Platform after."""
    standup = rhythm.create_cadence(
        cast.org, cast.leader, name="Platform stand-up", rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="UTC", time=dt.time(9, 0), team=cast.platform,
        start_date=dt.date(2027, 1, 4),
    )  # fmt: skip
    rhythm.set_muted_cadences(cast.org, cast.member, cast.member, [standup])
    delivery.set_preferences(cast.org, cast.member, cast.member, email=False)
    services.update_team(cast.org, cast.leader, cast.platform, description="Runs the platform")


def test_home_tells_no_ones_personal_settings_not_even_the_readers_own(cast):
    _settings_of(cast)
    for reader in (cast.member, cast.admin, cast.leader):
        home = recent(reader)
        assert "Platform stand-up" in home  # the cadence created: news
        assert "muted" not in home and "cadence mute" not in home, reader
        assert "delivery preferences" not in home, reader


def test_the_activity_page_and_api_keep_them_for_their_owner_and_admins(cast):
    _settings_of(cast)
    kinds = ("rhythm.cadencemute", "activity.deliverypreferences")
    for reader, sees in ((cast.member, True), (cast.admin, True), (cast.leader, False)):
        page = said(login(reader).get("/o/acme/activity/").content.decode())
        assert ("cadence mute" in page) is sees, reader
        assert ("delivery preferences" in page) is sees, reader
        api = api_client(reader).get("/api/v1/events?actor_id=" + str(cast.member.pk)).json()
        assert ({e["target_type"] for e in api["items"]} >= set(kinds)) is sees, reader
    mine = Event.objects.filter(org=cast.org, actor=cast.member, target_type__in=kinds)
    assert mine.count() == 2  # the log keeps them


def test_a_term_reads_as_someone_added_to_a_team_and_removed_from_it(cast):
    m = services.add_membership(cast.org, cast.admin, person=cast.viewer, team=cast.platform)
    home = recent(cast.member)
    assert "Ada Admin added Vic Viewer to Platform" in home
    assert "membership" not in home and "Vic Viewer in Platform" not in home
    services.end_term(cast.org, cast.admin, m)
    feed = said(login(cast.member).get("/o/acme/activity/").content.decode())
    assert "Ada Admin removed Vic Viewer from Platform" in feed
    assert "Ada Admin added Vic Viewer to Platform" in feed


def test_a_past_term_and_a_term_deleted_read_as_such(cast):
    past = services.add_membership(
        cast.org, cast.admin, person=cast.viewer, team=cast.platform,
        started_on=dt.date(2025, 1, 1), ended_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    services.remove_membership(cast.org, cast.admin, past)
    m = services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    services.remove_membership(cast.org, cast.admin, m)
    feed = said(login(cast.admin).get("/o/acme/activity/").content.decode())
    assert "Ada Admin recorded a past term of Vic Viewer in Platform" in feed
    assert "Ada Admin deleted the past term of Vic Viewer in Platform" in feed
    assert "Ada Admin deleted the term of Leo Leader in Platform" in feed


def test_a_term_whose_label_is_not_person_in_team_reads_as_any_event(cast):
    """An older label of another form is not guessed at."""
    event = Event(
        org=cast.org, verb="created", target_type="org.membership", target_id="1",
        target_label="Membership 1", before={}, after={},
    )  # fmt: skip
    assert (event.verb_phrase, event.kind_label, event.shown_label) == (
        "created", "membership", "Membership 1",
    )  # fmt: skip


def test_a_name_with_in_reads_whole_in_every_sentence_of_its_term(cast):
    """A term's events keep the names of its person and team: a name that says " in "
    does not split its label at the wrong place."""
    maria = services.update_person(cast.org, cast.admin, cast.viewer, name="Maria in der Beek")
    m = services.add_membership(
        cast.org, cast.admin, person=maria, team=cast.platform, allocation=40
    )
    services.update_membership(cast.org, cast.admin, m, allocation=50)
    services.end_term(cast.org, cast.admin, m)
    past = services.add_membership(
        cast.org, cast.admin, person=maria, team=cast.platform,
        started_on=dt.date(2025, 1, 1), ended_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    services.remove_membership(cast.org, cast.admin, past)
    events = Event.objects.filter(
        org=cast.org, target_type="org.membership", target_id__in=[str(m.pk), str(past.pk)]
    ).order_by("id")
    assert [(e.verb_phrase, e.shown_label) for e in events] == [
        ("added", "Maria in der Beek to Platform"),
        ("changed the membership of", "Maria in der Beek in Platform"),
        ("removed", "Maria in der Beek from Platform"),
        ("recorded a past term of", "Maria in der Beek in Platform"),
        ("deleted the past term of", "Maria in der Beek in Platform"),
    ]
    assert [c[0] for c in events[1].changes] == ["Allocation"]  # the names are no change
    feed = said(login(cast.admin).get("/o/acme/activity/").content.decode())
    assert "Ada Admin added Maria in der Beek to Platform" in feed


def test_a_term_recorded_before_its_names_were_kept_reads_off_its_label(cast):
    """An older event has only its label: split at its first " in ", as a team's name
    says " in " more often than a person's."""

    def older(verb, label, **data):
        return Event(
            org=cast.org, verb=verb, target_type="org.membership", target_id="1",
            target_label=label, before=data.get("before", {}), after=data.get("after", {}),
        )  # fmt: skip

    said_of = [
        older("created", "Nora Lindqvist in Platform", after={"person": 1, "team": 2}),
        older("created", "Nora Lindqvist in Sales in EMEA", after={"person": 1, "team": 3}),
        older("ended", "Nora Lindqvist in Platform", after={"ended_on": "2026-01-05"}),
        older("deleted", "Nora Lindqvist in Platform", before={"person": 1, "team": 2}),
    ]
    assert [(e.verb_phrase, e.shown_label) for e in said_of] == [
        ("added", "Nora Lindqvist to Platform"),
        ("added", "Nora Lindqvist to Sales in EMEA"),
        ("removed", "Nora Lindqvist from Platform"),
        ("deleted the term of", "Nora Lindqvist in Platform"),
    ]
