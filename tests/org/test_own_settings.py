"""A person's own settings: anyone, a viewer too, finds and changes their time zone (from
the user menu's Settings, whose page says it and links to where it is changed); and a
newcomer who chooses their password with a sign-in link is signed in to the organization
that invited them, named on the page."""

from __future__ import annotations

import re

from django.test import Client

from accord.activity.models import Event
from accord.activity.signins import ACCOUNT, SIGNED_IN
from accord.org import services
from accord.web.context import go_to
from tests.conftest import login

LINK_VALUE = re.compile(r'id="sign-in-link-value"[^>]*value="([^"]+)"')
PASSWORD = "Correct-Horse-Battery-42"


def test_a_viewer_finds_her_time_zone_from_the_user_menu_and_changes_it(cast):
    client = login(cast.viewer)
    home = client.get("/o/acme/").content.decode()
    menu = re.search(r'<details class="usermenu">.*?</details>', home, re.S).group(0)
    assert '<a href="/o/acme/rhythm/settings/"' in menu and ">Settings</a>" in menu
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    zone = re.search(r'data-testid="my-time-zone">(.*?)</p>', page, re.S).group(1)
    assert "<strong>UTC</strong>" in zone
    edit = f"/o/acme/people/{cast.viewer.pk}/edit/"
    assert f'<a href="{edit}">Change your time zone</a>' in page
    form = client.get(edit)
    assert form.status_code == 200 and 'name="timezone"' in form.content.decode()
    saved = client.post(edit, {"name": cast.viewer.name, "timezone": "Europe/Berlin"})
    assert saved.status_code == 302
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "<strong>Europe/Berlin</strong>" in page
    # The palette finds the page by it too.
    assert [p["href"] for p in go_to("acme", "time zone")] == ["/o/acme/rhythm/settings/"]


def _sign_in_link(cast, name="Nina New", email="nina@acme.example") -> tuple:
    nina = services.add_person(cast.org, None, name=name, email=email)
    page = login(cast.admin).post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True)
    link = LINK_VALUE.search(page.content.decode()).group(1)
    return nina, "/accounts/welcome/" + link.split("/accounts/welcome/", 1)[1]


def test_choosing_a_password_signs_the_newcomer_in_to_the_organization_that_invited_them(cast):
    nina, link = _sign_in_link(cast)
    visitor = Client()
    form = visitor.get(link, follow=True)
    html = form.content.decode()
    assert "Choose your password" in html
    assert re.search(r'data-testid="inviting-org">This link is from <strong>Acme</strong>', html)
    done = visitor.post(
        form.request["PATH_INFO"], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    home = visitor.get("/o/acme/")
    assert home.status_code == 200
    assert "Your password is set and you are signed in to Acme." in home.content.decode()
    nina.refresh_from_db()
    assert nina.user.check_password(PASSWORD)
    # Recorded as any sign-in with a password is.
    [event] = Event.objects.filter(org=cast.org, verb=SIGNED_IN, target_type=ACCOUNT)
    assert (event.actor_id, event.after) == (nina.pk, {"with": "password"})
    # The link is spent.
    assert "This link no longer works" in Client().get(link, follow=True).content.decode()


def test_someone_deactivated_since_their_link_was_made_is_not_sent_to_that_organization(cast):
    nina, link = _sign_in_link(cast)
    visitor = Client()
    form = visitor.get(link, follow=True)
    services.update_person(cast.org, cast.admin, nina, is_active=False)
    done = visitor.post(
        form.request["PATH_INFO"], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    assert visitor.get("/o/acme/").status_code in (302, 403, 404)
