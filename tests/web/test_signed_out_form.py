"""A form sent after its person was signed out in another tab: the sign-in page says so and
where it leads back to, and once the same person has signed in again the page of the form
gets what they typed (never anyone else)."""

from __future__ import annotations

import json
import re

from django.templatetags.static import static
from django.test import Client

from accord.org.models import Person
from tests.conftest import PASSWORD, make_person

NEW_ISSUE = "/o/acme/decisions/issues/new/"
TYPED = {"title": "Builds are slow", "description": "Since Monday, 20 minutes.", "severity": "high"}


def _signed_in(person: Person) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": person.user.email, "password": PASSWORD})
    return client


def _kept(page: str) -> dict | None:
    found = re.search(r'<script id="kept-form" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1)) if found else None


def test_signed_out_in_another_tab_the_typing_comes_back_after_signing_in(cast):
    client = _signed_in(cast.member)
    assert client.get(NEW_ISSUE).status_code == 200
    client.post("/accounts/logout/")  # "tab 2"
    sent = client.post(
        NEW_ISSUE,
        {**TYPED, "team": cast.platform.pk, "csrfmiddlewaretoken": "x", "password": "no"},
        headers={"Referer": f"http://testserver{NEW_ISSUE}"},
    )
    assert sent.status_code == 302
    assert sent.url == f"/accounts/login/?next={NEW_ISSUE}"
    login_page = client.get(sent.url).content.decode()
    assert "You were signed out</strong> (in another tab or window, or after a while)" in login_page
    assert f'Sign in to continue to <a href="{NEW_ISSUE}">{NEW_ISSUE}</a>' in login_page
    assert "what you typed there is filled in again" in login_page
    assert 'id="forgot-password"' in login_page  # the page's own links are still there

    back = client.post(
        "/accounts/login/",
        {"username": cast.member.user.email, "password": PASSWORD, "next": NEW_ISSUE},
    )
    assert back.url == NEW_ISSUE
    page = client.get(NEW_ISSUE).content.decode()
    kept = _kept(page)
    assert kept == {**{k: [v] for k, v in TYPED.items()}, "team": [str(cast.platform.pk)]}
    assert static("accord/kept_form.js") in page
    assert _kept(client.get(NEW_ISSUE).content.decode()) is None  # filled in once


def test_someone_else_signing_in_on_that_browser_does_not_get_the_typing(cast):
    client = _signed_in(cast.member)
    client.post("/accounts/logout/")
    client.post(NEW_ISSUE, {**TYPED, "team": cast.platform.pk})
    other = make_person(cast.org, "Sam Second", "member")
    client.post(
        "/accounts/login/", {"username": other.user.email, "password": PASSWORD, "next": NEW_ISSUE}
    )
    assert _kept(client.get(NEW_ISSUE).content.decode()) is None


def test_a_session_that_ended_on_its_own_keeps_nothing_but_still_says_why(cast):
    client = Client()  # never signed in here: nobody known to have signed out
    sent = client.post(NEW_ISSUE, {**TYPED, "team": cast.platform.pk})
    login_page = client.get(sent.url).content.decode()
    assert f'Sign in to continue to <a href="{NEW_ISSUE}">' in login_page
    assert "filled in again" not in login_page
    # A plain visit to the sign-in page says nothing of it.
    assert 'id="signed-out"' not in Client().get("/accounts/login/").content.decode()
    assert 'id="signed-out"' not in client.get("/accounts/login/?next=/o/acme/").content.decode()


def test_any_sign_in_ends_the_signed_out_note_and_drops_anothers_typing(cast):
    """Single sign-on or a join link signs in without the password form: the browser is
    no longer "signed out as" the one before, and their kept typing is not kept for the
    one who signed in after them."""
    from accord.org import signed_out

    client = _signed_in(cast.member)
    client.post("/accounts/logout/")
    client.post(NEW_ISSUE, {**TYPED, "team": cast.platform.pk})
    assert client.session[signed_out.SESSION_KEY]["fields"]
    other = make_person(cast.org, "Sam Second", "member")
    client.force_login(other.user)  # as the provider's callback signs in: django's login()
    assert signed_out.WHO_KEY not in client.session
    assert signed_out.SESSION_KEY not in client.session


def _key_result(cast):
    import datetime as dt

    from accord.alignment import services

    period = services.create_period(
        cast.org, None, name="Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    objective = services.create_objective(cast.org, None, title="Grow", period=period, level="org")
    return services.create_key_result(
        cast.org, None, objective, name="Deals", start=0, target=10, owner=cast.member
    )


def test_a_value_sent_in_place_signed_out_takes_the_page_to_sign_in_and_comes_back(cast):
    """htmx follows a redirect and would put the sign-in page in the key result's row: the
    answer tells htmx to take the whole page there instead (HX-Redirect), back to home,
    and home then fills the row's own form in again (the address it was sent to)."""
    from accord.org import signed_out

    kr = _key_result(cast)
    home = "/o/acme/"
    action = f"/o/acme/alignment/key-results/{kr.pk}/value/"
    client = _signed_in(cast.member)
    client.post("/accounts/logout/")  # "tab 2"
    sent = client.post(
        action,
        {"value": "7", "row": "my_kr_row", "next": home, "csrfmiddlewaretoken": "x"},
        headers={"HX-Request": "true", "Referer": f"http://testserver{home}"},
    )
    assert sent.status_code == 200  # an answer htmx acts on, not a redirect it follows
    assert sent["HX-Redirect"] == f"/accounts/login/?next={home}"
    assert sent["Content-Type"].startswith("text/plain")
    assert "<" not in sent.content.decode()
    assert client.session[signed_out.SESSION_KEY]["action"] == action

    client.post(
        "/accounts/login/",
        {"username": cast.member.user.email, "password": PASSWORD, "next": home},
    )
    page = client.get(home).content.decode()
    assert _kept(page) == {"value": ["7"], "row": ["my_kr_row"], "next": [home]}
    assert f'<meta name="accord-kept-form-action" content="{action}">' in page


def test_a_part_of_a_page_asked_for_signed_out_leads_back_to_the_page(cast):
    """A panel htmx loads as the page opens (a team's health): signed out, the page goes
    to sign in and comes back to the page, not to the panel's own address."""
    team_page = f"/o/acme/teams/{cast.platform.slug}/"
    asked = Client().get(
        f"/o/acme/insights/teams/{cast.platform.pk}/panel/",
        headers={"HX-Request": "true", "Referer": f"http://testserver{team_page}"},
    )
    assert asked.status_code == 200
    assert asked["HX-Redirect"] == f"/accounts/login/?next={team_page}"
    # Without htmx, the same address redirects to sign in as before.
    plain = Client().get(f"/o/acme/insights/teams/{cast.platform.pk}/panel/")
    assert plain.status_code == 302
    assert plain.url == f"/accounts/login/?next=/o/acme/insights/teams/{cast.platform.pk}/panel/"
