"""The activity page names each kind of object in the product's words ("API token",
"Check-in": never Django's "Api token" or "check in"), in its "Kind" choices and its feed
alike; and offers someone who is not an admin only the kinds whose events of others they
read: not the personal ones (their own still show under "Everything")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity import describe
from accord.api import services as api
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from tests.conftest import login

URL = "/o/acme/activity/"


def test_kinds_are_named_in_the_products_words():
    assert describe.kind_label("api.apitoken") == "API token"
    assert describe.kind_label("rhythm.checkin") == "check-in"
    assert describe.kind_title("api.apitoken") == "API token"
    assert describe.kind_title("rhythm.checkin") == "Check-in"
    assert describe.kind_title("alignment.keyresult") == "Key result"


def test_the_page_names_api_tokens_and_check_ins_as_the_product_does(cast):
    token, _raw = api.create_token(cast.org, cast.admin, "Laptop")
    api.revoke_token(cast.org, cast.admin, token)
    start = timezone.localdate() - dt.timedelta(days=15)
    cadence = rhythm.create_cadence_from_template(
        cast.org, None, "weekly-checkin", team=cast.platform, start_date=start, owner=cast.leader
    )
    now = timezone.now()
    past = rhythm_queries.occurrences_of(cadence, now - dt.timedelta(days=14), now)
    rhythm.submit_checkin(
        cast.org, cast.leader, cadence, past[-1].original_start, person=cast.leader,
        highlights="Shipped", now=past[-1].start - dt.timedelta(hours=1),
    )  # fmt: skip
    page = login(cast.admin).get(URL).content.decode()
    assert '<option value="api.apitoken">API token</option>' in page
    assert '<option value="rhythm.checkin">Check-in</option>' in page
    assert 'revoked <span class="tag">API token</span>' in page
    assert '<span class="tag">check-in</span>' in page
    for wrong in ("Api token", "api token", "Check in<", "check in<"):
        assert wrong not in page, wrong


def test_personal_kinds_are_offered_to_admins_only(cast):
    api.create_token(cast.org, cast.member, "Member laptop")
    api.create_token(cast.org, cast.leader, "Leader laptop")
    member = login(cast.member).get(URL).content.decode()
    assert 'value="api.apitoken"' not in member  # not a choice: others' are never shown
    assert "Member laptop" in member and "Leader laptop" not in member  # her own still is
    assert '<option value="org.person">' in member  # the kinds anyone reads stay
    admin = login(cast.admin).get(URL).content.decode()
    assert '<option value="api.apitoken">API token</option>' in admin
    assert "Member laptop" in admin and "Leader laptop" in admin
    # Asked for by address, the kind stays chosen, so the choice says what the feed is.
    chosen = login(cast.member).get(f"{URL}?type=api.apitoken").content.decode()
    assert '<option value="api.apitoken" selected>API token</option>' in chosen
    assert "Member laptop" in chosen and "Leader laptop" not in chosen
