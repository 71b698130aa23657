"""A check-in blocker naming another team is offered as a dependency request: the link
opens coordination's form pre-filled with that team, the blocker as title and description,
and the person's initiative when they own exactly one."""

from __future__ import annotations

import datetime as dt
import html
import re
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from accord.alignment import services as alignment
from accord.rhythm import services
from tests.conftest import login
from tests.rhythm.conftest import DUE

BLOCKER = "Waiting on Acme for the staging database\nNo progress since Monday."


def _offer(client, org, cadence, start: dt.datetime) -> dict[str, list[str]]:
    key = start.strftime("%Y%m%dT%H%M%SZ")
    url = reverse(
        "rhythm:checkin", kwargs={"org_slug": org.slug, "cadence_id": cadence.pk, "key": key}
    )
    # Opened while that check-in is open (an hour before it is due): a closed one is shown
    # as it was given, with no form and no offer.
    with mock.patch("django.utils.timezone.now", return_value=start - dt.timedelta(hours=1)):
        page = client.get(url).content.decode()
    href = html.unescape(re.search(r'id="dependency-offer" href="([^"]*)"', page).group(1))
    parts = urlsplit(href)
    assert parts.path == reverse("coordination:new", kwargs={"org_slug": org.slug})
    return parse_qs(parts.query)


def test_the_last_blocker_is_offered_as_a_pre_filled_request(cast, rhythm):
    launch = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Launch", owner=cast.member, status="active"
    )
    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        DUE,
        blockers=BLOCKER,
        blocker_team=cast.root,
        now=DUE - dt.timedelta(hours=1),
    )
    params = _offer(login(cast.member), cast.org, rhythm.checkin, DUE + dt.timedelta(days=7))
    assert params == {
        "provider_team": [str(cast.root.pk)],
        "title": ["Waiting on Acme for the staging database"],
        "description": [BLOCKER],
        "requester_initiative": [str(launch.pk)],
    }
    # The form it opens starts from those values.
    form = login(cast.member).get(
        reverse("coordination:new", kwargs={"org_slug": cast.org.slug}),
        {k: v[0] for k, v in params.items()},
    )
    assert 'value="Waiting on Acme for the staging database"' in form.content.decode()


def test_no_initiative_is_guessed_when_the_person_owns_several(cast, rhythm):
    for title in ("Launch", "Migration"):
        alignment.create_initiative(
            cast.org, None, team=cast.platform, title=title, owner=cast.member, status="active"
        )
    params = _offer(login(cast.member), cast.org, rhythm.checkin, DUE)
    assert params == {}  # no blocker yet, several initiatives: a plain form
