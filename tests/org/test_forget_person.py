"""Forgetting a person (`accord forget`, `org.services.forget_person`): after it, nothing
of Accord names them (their row, the event log, what Accord wrote for others), their own
data is gone, and what they did stays, under "Former member #<id>"; refused for someone
still active, for anyone but an admin, across organizations and a second time; the
command refuses without --yes and changes nothing then."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import DeliveryPreferences, Event, Notification
from accord.alignment import services as alignment
from accord.alignment.models import ConfidenceUpdate, KeyResultValue
from accord.api import services as tokens
from accord.api.models import ApiToken
from accord.briefings.models import Briefing
from accord.conversation import services as conversation
from accord.conversation.models import Comment, InboxItem
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.interchange import services as interchange
from accord.interchange.models import OrganizationExport, PersonalDataExport
from accord.org import services
from accord.org.models import Person, PersonIdentity
from accord.rhythm import services as rhythm_services
from accord.rhythm.models import Away, CalendarFeed, CheckIn, Headline, Meeting
from accord.web import services as web
from accord.web.models import SavedView
from tests.conftest import api_client, login
from tests.rhythm.conftest import DUE, rhythm  # noqa: F401 (fixture)
from tests.rhythm.servers import smtp  # noqa: F401 (fixture)

MIA = "Mia Member"
ADDRESS = "mia.member@acme.example"
OTHER_ADDRESS = "mia@home.example"
HANDLE = "github:mia-codes"
SAID = ("Mia Member", "mia.member@acme.example", "mia@home.example", "mia-codes", "Mia Membe")
HIGHLIGHTS = "Shipped the pipeline; my divorce hearing is on Tuesday"
BLOCKERS = "Waiting on my doctor's note"


def names_mia(text: str) -> list[str]:
    return [s for s in SAID if s.lower() in text.lower()]


def event_text(event: Event) -> str:
    return json.dumps(
        [event.actor_name, event.on_behalf_of_name, event.target_label, event.before, event.after]
    )


@pytest.fixture
def mias_trail(cast, rhythm, smtp):  # noqa: F811
    """Mia Member, as someone who worked in Acme a while leaves it: addresses and a handle,
    a renamed title, comments (one edited) and a check-in, time off, an inbox, e-mail, a
    briefing, a token, a calendar feed, settings, a saved view and a signed-in browser."""
    org, mia = cast.org, cast.member
    services.update_person(
        org, cast.admin, mia, title="Pipeline engineer", emails=[OTHER_ADDRESS], handles=[HANDLE]
    )
    initiative = alignment.create_initiative(
        org, None, team=cast.platform, title="Build the pipeline", owner=mia
    )
    said = conversation.post_comment(org, mia, initiative, "Over to @leo.leader, I'm off")
    conversation.edit_comment(org, mia, said, "Over to @leo.leader, I'm off sick")
    conversation.post_comment(org, cast.leader, initiative, "Thanks @mia.member, get well")
    rhythm_services.submit_checkin(
        org,
        mia,
        rhythm.checkin,
        DUE,
        highlights=HIGHLIGHTS,
        blockers=BLOCKERS,
        now=DUE - dt.timedelta(hours=47),
    )
    (checkin,) = CheckIn.objects.filter(person=mia)
    Meeting.objects.create(  # the weekly sync's agenda, as it was held
        org=org,
        cadence=rhythm.sync,
        occurrence_start=DUE,
        scheduled_start=DUE,
        agenda_snapshot=[
            {
                "key": "checkin_blockers",
                "items": [
                    {"ref": f"checkin:{checkin.pk}", "title": MIA, "detail": BLOCKERS},
                    {"ref": "checkin:0", "title": "Leo Leader", "detail": "Waiting on Mia Member"},
                ],
            }
        ],
    )
    rhythm_services.set_away(
        org, mia, mia, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 4), reason="Sick"
    )
    rhythm_services.create_feed(org, mia, person=mia)
    delivery.set_preferences(org, mia, mia, chat=False)
    web.save_view(org, mia, name="My work", path="/o/acme/alignment/initiatives/", query="x=1")
    tokens.create_token(org, mia, "laptop")
    # Her downloads of her own data, one by an admin for her; the organization's file.
    interchange.record_export(org, mia, fmt="yaml", via="page", person=mia)
    interchange.record_export(org, cast.admin, fmt="yaml", via="api", person=mia)
    interchange.record_export(org, cast.admin, fmt="yaml", via="page")
    now = timezone.now()
    for person, headline in ((mia, "Your week"), (cast.leader, f"{MIA} finished 2 items")):
        Briefing.objects.create(
            org=org,
            person=person,
            week="2026-W45",
            starts_at=now,
            ends_at=now,
            built_at=now,
            content={"title": headline, "sections": [{"lines": [{"text": headline}]}]},
        )
    browser = login(mia)
    assert browser.get("/o/acme/").status_code == 200  # a session in the database
    services.update_person(org, cast.admin, mia, is_active=False)
    return initiative


def test_forgetting_leaves_nothing_that_names_them_and_keeps_what_they_did(cast, mias_trail):
    org, mia = cast.org, cast.member
    user_id = mia.user_id
    comments = list(Comment.objects.filter(author=mia).values_list("pk", flat=True))
    assert len(comments) == 1 and InboxItem.objects.filter(person=mia).exists()
    assert Notification.objects.filter(person=mia).exists()
    assert any(names_mia(event_text(e)) for e in Event.objects.filter(org=org))
    (signed_in,) = [
        s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]

    counts = services.forget_person(org, cast.admin, mia)

    mia = Person.objects.get(pk=mia.pk)
    label = f"Former member #{mia.pk}"
    assert (mia.name, mia.email, mia.title, mia.user_id, mia.is_active) == (
        label,
        "",
        "",
        None,
        False,
    )
    assert mia.first_name == label  # pages that say a first name say it whole
    assert not PersonIdentity.objects.filter(person=mia).exists()
    # Their login (no other organization's) is gone: its session signs nobody in.
    assert not get_user_model().objects.filter(pk=user_id).exists()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = signed_in
    assert browser.get("/o/acme/").status_code == 302
    # No event of the organization names them any more: who, what, before, after.
    for event in Event.objects.filter(org=org):
        assert not names_mia(event_text(event)), (event.kind, event_text(event))
        assert HIGHLIGHTS not in event_text(event) and BLOCKERS not in event_text(event)
    assert Event.objects.filter(actor=mia).exclude(actor_name=label).count() == 0
    # What Accord wrote for others names them no more: Leo's inbox, his briefing.
    (item,) = InboxItem.objects.filter(person=cast.leader, kind="mention")
    assert item.title.startswith(f"{label} mentioned you on")
    (meeting,) = Meeting.objects.filter(org=org)
    (line, other) = meeting.agenda_snapshot[0]["items"]
    assert (line["title"], line["detail"]) == (label, "")  # their blockers, quoted: gone
    assert other == {"ref": "checkin:0", "title": "Leo Leader", "detail": f"Waiting on {label}"}
    leos = Briefing.objects.get(person=cast.leader)
    assert not names_mia(json.dumps(leos.content)) and label in json.dumps(leos.content)
    # Their own data is gone.
    for model, mine in (
        (Away, {"person": mia}),
        (InboxItem, {"person": mia}),
        (Notification, {"person": mia}),
        (Briefing, {"person": mia}),
        (ApiToken, {"person": mia}),
        (CalendarFeed, {"person": mia}),
        (DeliveryPreferences, {"person": mia}),
        (SavedView, {"owner": mia}),
        (PersonalDataExport, {"person": mia}),
    ):
        assert not model.objects.filter(**mine).exists(), model
    assert counts["exports_removed"] == 2
    # The events of her downloads stay, about "Former member #<id>"; the organization's
    # export (everyone's data, an admin's audit) stays as it was.
    downloads = Event.objects.filter(org=org, target_type="interchange.personaldataexport")
    assert [e.target_label for e in downloads] == [f"of {label}"] * 2
    assert OrganizationExport.objects.filter(org=org).count() == 1
    # What they did stays: their comment (without its text), their check-in (without its
    # highlights and blockers), the initiative they own, their past term in Platform.
    (comment,) = Comment.objects.filter(pk__in=comments)
    assert (comment.author_id, comment.body, comment.body_html) == (mia.pk, "", "")
    (checkin,) = CheckIn.objects.filter(person=mia)
    assert (checkin.highlights, checkin.blockers, checkin.status) == ("", "", "on_time")
    mias_trail.refresh_from_db()
    assert mias_trail.owner_id == mia.pk
    assert mia.memberships.model.terms.filter(person=mia, team=cast.platform).exists()
    page = login(cast.admin).get(f"/o/acme/alignment/initiatives/{mias_trail.pk}/")
    assert "Its text was removed when its author was forgotten." in page.content.decode()
    # Leo's own words stay as he wrote them.
    assert Comment.objects.get(author=cast.leader).body == "Thanks @mia.member, get well"
    # One event says it was done, naming nobody but the neutral name.
    (done,) = Event.objects.filter(verb="forgotten")
    assert (done.actor, done.target_id, done.target_label) == (cast.admin, str(mia.pk), label)
    assert done.after == {key: n for key, n in counts.items() if n}
    assert not names_mia(event_text(done))
    assert counts["comments_emptied"] == 1 and counts["checkins_emptied"] == 1
    assert counts["login_removed"] == 1 and counts["events_rewritten"] > 5
    # The events API, as an admin reads it whole, names them nowhere.
    answer = api_client(cast.admin).get("/api/v1/events", {"limit": 100})
    assert answer.status_code == 200 and answer.json()["count"] <= 100
    assert not names_mia(answer.content.decode())


def test_it_is_refused_for_someone_active_for_non_admins_across_organizations_and_twice(
    cast,
):
    org, mia = cast.org, cast.member
    with pytest.raises(ServiceError) as refused:
        services.forget_person(org, cast.admin, mia)
    assert refused.value.code == "still_active"
    assert Person.objects.get(pk=mia.pk).name == MIA  # nothing changed
    services.update_person(org, cast.admin, mia, is_active=False)
    with pytest.raises(PermissionDenied):
        services.forget_person(org, cast.leader, mia)
    with pytest.raises(NotFound):
        services.forget_person(cast.other_org, cast.outsider, mia)
    assert Person.objects.get(pk=mia.pk).name == MIA
    assert not Event.objects.filter(verb="forgotten").exists()
    services.forget_person(org, cast.admin, mia)
    with pytest.raises(ServiceError) as again:
        services.forget_person(org, cast.admin, mia)
    assert again.value.code == "already_forgotten"


def test_a_login_another_organization_uses_is_kept(cast):
    org, mia = cast.org, cast.member
    elsewhere = services.add_person(
        cast.other_org, None, name="Mia at Globex", email=ADDRESS, user=mia.user
    )
    services.update_person(org, cast.admin, mia, is_active=False)
    counts = services.forget_person(org, cast.admin, mia)
    assert counts["login_removed"] == 0
    elsewhere.refresh_from_db()
    assert elsewhere.user is not None and elsewhere.name == "Mia at Globex"
    assert Person.objects.get(pk=mia.pk).user_id is None


def test_the_command_says_what_it_would_do_and_does_it_only_with_yes(cast, capsys):
    org, mia = cast.org, cast.member
    with pytest.raises(CommandError, match="still active: deactivate them first"):
        call_command("forget", org="acme", person=ADDRESS, yes=True)
    with pytest.raises(CommandError, match="No one in Acme has the address nobody@"):
        call_command("forget", org="acme", person="nobody@acme.example", yes=True)
    services.update_person(org, cast.admin, mia, is_active=False)
    events = Event.objects.count()

    with pytest.raises(CommandError, match="Not confirmed: pass --yes"):
        call_command("forget", org="acme", person=ADDRESS)
    said = capsys.readouterr().out
    assert f"Forgetting {MIA} ({ADDRESS}) in Acme would leave them as “Former member #" in said
    assert "  Login removed, with its sessions: 1" in said and "Nothing was changed" in said
    assert Person.objects.get(pk=mia.pk).name == MIA and Event.objects.count() == events

    call_command("forget", org="acme", person=ADDRESS, yes=True)
    assert f"{MIA} is forgotten in Acme: now “Former member #{mia.pk}”." in capsys.readouterr().out
    assert Person.objects.get(pk=mia.pk).name == f"Former member #{mia.pk}"
    with pytest.raises(CommandError, match="No one in Acme has the address"):
        call_command("forget", org="acme", person=ADDRESS, yes=True)  # no address any more


def test_an_admin_forgets_someone_on_their_forget_page_after_ticking_the_box(cast):
    org, mia = cast.org, cast.member
    url = f"/o/acme/people/{mia.pk}/forget/"
    admin = login(cast.admin)
    active = admin.get(url).content.decode()
    assert "is still active. Deactivate them first" in active and "confirm" not in active
    services.update_person(org, cast.admin, mia, is_active=False)
    assert login(cast.leader).get(url).status_code == 403
    assert login(cast.outsider).get(f"/o/globex/people/{mia.pk}/forget/").status_code == 404

    page = admin.get(url).content.decode()
    assert f"Forget {MIA}?" in page and f"“Former member #{mia.pk}”" in page
    unticked = admin.post(url, follow=True).content.decode()
    assert "Tick the box to confirm" in unticked
    assert Person.objects.get(pk=mia.pk).name == MIA  # nothing changed

    done = admin.post(url, {"confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/o/acme/people/{mia.pk}/"
    assert f"{MIA} is forgotten" in done.content.decode()
    assert Person.objects.get(pk=mia.pk).name == f"Former member #{mia.pk}"
    assert "is forgotten" in admin.get(url).content.decode()
    again = admin.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "was forgotten already" in again


def test_a_namesake_keeps_their_name_where_it_may_be_theirs(cast):
    """Two Mia Members: forgetting one rewrites what is tied to her (her own events, what
    she did, her terms) and leaves the name where it may be the other's."""
    org, mia = cast.org, cast.member
    namesake = services.add_person(org, cast.admin, name=MIA, email="mia.2@acme.example")
    services.add_membership(org, cast.admin, person=namesake, team=cast.platform)
    services.update_person(org, cast.admin, mia, is_active=False)

    services.forget_person(org, cast.admin, mia)

    label = f"Former member #{mia.pk}"
    hers = Event.objects.filter(org=org, target_type="org.membership", after__person=mia.pk)
    assert hers.exists() and all(e.target_label.startswith(label) for e in hers)
    theirs = Event.objects.filter(
        org=org, target_type="org.membership", after__person=namesake.pk
    ).get()
    assert theirs.target_label == f"{MIA} in Platform"
    assert theirs.after["person_name"] == MIA
    (created,) = Event.objects.filter(
        org=org, target_type="org.person", target_id=str(namesake.pk), verb="created"
    )
    assert (created.target_label, created.after["email"]) == (MIA, "mia.2@acme.example")
    assert Person.objects.get(pk=namesake.pk).name == MIA


def test_an_admin_finds_the_forget_page_on_a_deactivated_persons_edit_page(cast):
    org, mia = cast.org, cast.member
    edit, forget = f"/o/acme/people/{mia.pk}/edit/", f'href="/o/acme/people/{mia.pk}/forget/"'
    admin = login(cast.admin)
    assert forget not in admin.get(edit).content.decode()  # active: deactivate first
    own = login(cast.leader).get(f"/o/acme/people/{cast.leader.pk}/edit/").content.decode()
    assert "/forget/" not in own
    services.update_person(org, cast.admin, mia, is_active=False)

    page = admin.get(edit).content.decode()
    assert forget in page and f"Forget {MIA}…" in page
    assert login(cast.leader).get(edit).status_code == 403
    services.forget_person(org, cast.admin, mia)
    assert forget not in admin.get(edit).content.decode()  # forgotten already


def test_a_one_word_name_stays_in_what_others_wrote_and_did(cast):
    """An agent called Planner: forgetting it renames the agent and what it did, not the
    word "Planner" in a title it created or in Leo's inbox."""
    org = cast.org
    # Owned by a member of Platform: an agent sets the teams its owner is in.
    planner = services.add_agent(org, cast.admin, name="Planner", owner=cast.member)
    review = alignment.create_initiative(
        org, planner, team=cast.platform, title="Q3 Planner review"
    )
    conversation.post_comment(org, cast.admin, review, "@leo.leader over to you")
    services.update_person(org, cast.admin, planner, is_active=False)

    services.forget_person(org, cast.admin, planner)

    label = f"Former agent #{planner.pk}"
    assert Person.objects.get(pk=planner.pk).name == label
    created = Event.objects.get(
        org=org, target_type="org.person", target_id=planner.pk, verb="created"
    )
    assert (created.target_label, created.after["name"]) == (label, label)
    about = Event.objects.filter(org=org, target_type="alignment.initiative", target_id=review.pk)
    assert {e.target_label for e in about} == {"Q3 Planner review"}
    assert about.get(verb="created").actor_name == label
    (item,) = InboxItem.objects.filter(person=cast.leader, kind="mention")
    assert item.title == "Ada Admin mentioned you on initiative “Q3 Planner review”"


def test_a_login_name_that_is_not_an_address_stays_a_word(cast):
    """Mia's login is "admin": "the admin team" stays; her full name, two words, is still
    replaced in what Accord wrote for Leo."""
    org, mia = cast.org, cast.member
    mia.user.username = "admin"
    mia.user.save(update_fields=["username"])
    handover = alignment.create_initiative(
        org, cast.leader, team=cast.platform, title="Handover to the admin team"
    )
    conversation.post_comment(org, mia, handover, "@leo.leader yours now")
    services.update_person(org, cast.admin, mia, is_active=False)

    services.forget_person(org, cast.admin, mia)

    label = f"Former member #{mia.pk}"
    about = Event.objects.filter(org=org, target_type="alignment.initiative", target_id=handover.pk)
    assert {e.target_label for e in about} == {"Handover to the admin team"}
    (item,) = InboxItem.objects.filter(person=cast.leader, kind="mention")
    assert item.title == f"{label} mentioned you on initiative “Handover to the admin team”"


def test_their_notes_and_headlines_lose_their_words_and_keep_their_numbers(cast, rhythm):  # noqa: F811
    from accord.rhythm import queries as rhythm_queries

    org, mia = cast.org, cast.member
    period = alignment.create_period(
        org, cast.admin, name="Q4", start="2026-10-01", end="2026-12-31", is_current=True
    )
    goal = alignment.create_objective(
        org, cast.admin, title="Ship the pipeline", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(org, cast.admin, goal, name="Jobs moved", target=10)
    alignment.record_key_result_value(org, mia, kr, 4, "slow: I was in hospital")
    alignment.record_key_result_value(org, cast.leader, kr, 5, "Leo's own note")
    alignment.set_objective_confidence(org, mia, goal, 3, "worried about my health")
    occ = rhythm_queries.next_occurrence(rhythm.sync, DUE)
    meeting = Meeting.objects.create(
        org=org,
        cadence=rhythm.sync,
        occurrence_start=occ.original_start,
        scheduled_start=occ.start,
    )
    hers = Headline.objects.create(org=org, meeting=meeting, author=mia, text="I'm expecting")
    Headline.objects.create(org=org, meeting=meeting, author=cast.leader, text="Leo's news")
    services.update_person(org, cast.admin, mia, is_active=False)

    counts = services.forget_person(org, cast.admin, mia)

    assert (counts["notes_emptied"], counts["headlines_emptied"]) == (2, 1)
    values = KeyResultValue.objects.filter(key_result=kr, recorded_by__in=[mia, cast.leader])
    assert [(v.value, v.note) for v in values] == [(4, ""), (5, "Leo's own note")]
    (update,) = ConfidenceUpdate.objects.filter(objective=goal)
    assert (update.confidence, update.note) == (3, "")
    assert Headline.objects.get(pk=hers.pk).text == ""
    assert Headline.objects.exclude(pk=hers.pk).get().text == "Leo's news"
    said = json.dumps([event_text(e) for e in Event.objects.filter(org=org)])
    for words in ("hospital", "my health", "expecting"):
        assert words not in said
    assert "Leo's own note" in said  # others' notes stay
    # The meeting's page says why the line is empty, as a comment's does.
    Meeting.objects.filter(pk=meeting.pk).update(status="running", agenda_snapshot=[])
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
    html = page.content.decode()
    assert "Leo&#x27;s news" in html
    assert "Its text was removed when its author was forgotten." in html
