"""On Rhythm → Notifications, time off and calendar a ticked box is a kind of notice the
person gets, as the e-mail box above it is e-mail on: unticked and saved, a kind is muted;
a group's "All off" unticks every box of it and says "0 of N on". A kind the form did not
show (added since it was opened, or not offered to this person) keeps its mute as it was.
So do the cadences: a ticked one reminds, an unticked one is muted. The time zone of a
profile is labelled "Time zone", as everywhere else."""

from __future__ import annotations

import re

from accord.activity import delivery
from accord.activity.models import DeliveryPreferences
from tests.conftest import login

URL = "/o/acme/rhythm/settings/"
REVERSED = "decision_reversed"


def _shown(page: str) -> list[str]:
    return re.findall(r'name="kinds_shown" value="([^"]+)"', page)


def _ticked(page: str) -> set[str]:
    return set(re.findall(r'name="notified_kinds" value="([^"]+)" checked', page))


def _muted(person) -> set[str]:
    prefs = DeliveryPreferences.objects.filter(person=person).first()
    return set(prefs.muted_kinds) if prefs else set()


def _group(page: str, key: str) -> str:
    return page.split(f'id="group-{key}"', 1)[1].split("</details>", 1)[0]


def test_every_kind_is_ticked_when_nothing_is_muted(cast):
    page = login(cast.member).get(URL).content.decode()
    assert "<legend>Notify me of</legend>" in page
    assert "The kinds of notice ticked are the ones you get" in page
    assert _shown(page) and _ticked(page) == set(_shown(page))


def test_unticking_a_kind_and_saving_mutes_it(cast):
    client = login(cast.member)
    page = client.get(URL).content.decode()
    shown = _shown(page)
    assert REVERSED in shown
    on = [k for k in shown if k != REVERSED]
    client.post(URL, {"what": "channels", "email": "1", "kinds_shown": shown, "notified_kinds": on})
    assert _muted(cast.member) == {REVERSED}
    page = client.get(URL).content.decode()
    assert f'name="notified_kinds" value="{REVERSED}">' in page  # unticked
    assert _ticked(page) == set(on)
    decisions = _group(page, "decisions")
    total = decisions.count('name="notified_kinds"')
    assert f"{total - 1}</span> of {total} on" in decisions
    # Ticked again: notified of again.
    client.post(
        URL, {"what": "channels", "email": "1", "kinds_shown": shown, "notified_kinds": shown}
    )
    assert _muted(cast.member) == set()


def test_all_off_unticks_every_box_of_the_group_and_says_none_is_on(cast):
    client = login(cast.member)
    page = client.get(URL).content.decode()
    shown = _shown(page)
    decisions = _group(page, "decisions")
    kinds = re.findall(r'name="notified_kinds" value="([^"]+)"', decisions)
    assert len(kinds) >= 2
    saved = client.post(
        URL,
        {
            "what": "channels",
            "email": "1",
            "kinds_shown": shown,
            "notified_kinds": shown,
            "all_off": "decisions",
        },
    )
    assert saved.status_code == 302 and saved.url.endswith("#notices-decisions")
    assert _muted(cast.member) == set(kinds)
    page = client.get(URL).content.decode()
    decisions = _group(page, "decisions")
    assert 'name="notified_kinds" value="' in decisions and " checked" not in decisions
    assert f'— <span class="mutes__on">0</span> of {len(kinds)} on' in decisions
    assert _ticked(page) == set(shown) - set(kinds)  # the other groups as ticked
    client.post(URL, {"what": "channels", "email": "1", "all_on": "decisions"})
    assert _muted(cast.member) == set()


def test_a_muted_kind_the_form_did_not_show_stays_muted(cast):
    # Only admins are told a webhook was paused: a member's mute of it is not on her form.
    delivery.set_preferences(cast.org, cast.member, cast.member, muted_kinds=["webhook_paused"])
    client = login(cast.member)
    page = client.get(URL).content.decode()
    shown = _shown(page)
    assert "webhook_paused" not in shown
    # A form opened before "minutes" was a kind of notice: its mute is kept, and another
    # kind it did not show is not muted by saving it.
    delivery.set_preferences(
        cast.org, cast.member, cast.member, muted_kinds=["webhook_paused", "minutes"]
    )
    before = [k for k in shown if k not in ("minutes", REVERSED)]
    client.post(
        URL, {"what": "channels", "email": "1", "kinds_shown": before, "notified_kinds": before}
    )
    assert _muted(cast.member) == {"webhook_paused", "minutes"}
    # Saved again with every box it shows ticked: the mute not on the form stays.
    client.post(
        URL, {"what": "channels", "email": "1", "kinds_shown": shown, "notified_kinds": shown}
    )
    assert _muted(cast.member) == {"webhook_paused"}


def test_the_profile_labels_the_time_zone_time_zone(cast):
    page = login(cast.member).get(f"/o/acme/people/{cast.member.pk}/edit/").content.decode()
    assert re.search(r"<label[^>]*>Time zone", page), page
    assert ">Timezone" not in page


def test_a_cadence_unticked_is_muted_and_one_the_form_did_not_show_keeps_its_mute(cast, rhythm):
    client = login(cast.member)
    page = client.get(URL).content.decode()
    assert "<legend>Remind me of these cadences</legend>" in page
    shown = re.findall(r'name="cadences_shown" value="(\d+)"', page)
    assert str(rhythm.checkin.pk) in shown
    assert f'name="reminded" value="{rhythm.checkin.pk}" checked' in page
    others = [pk for pk in shown if pk != str(rhythm.checkin.pk)]
    client.post(
        URL, {"what": "channels", "email": "1", "cadences_shown": shown, "reminded": others}
    )
    assert [m.cadence for m in cast.member.cadence_mutes.all()] == [rhythm.checkin]
    page = client.get(URL).content.decode()
    assert f'name="reminded" value="{rhythm.checkin.pk}">' in page  # unticked
    # A form that did not show it (opened before she joined the cadence) keeps its mute.
    client.post(
        URL, {"what": "channels", "email": "1", "cadences_shown": others, "reminded": others}
    )
    assert [m.cadence for m in cast.member.cadence_mutes.all()] == [rhythm.checkin]
