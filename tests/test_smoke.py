from django.test import Client
from django.utils.html import escape

from accord.web.context import ORG_NAV, PILLAR_NAV
from tests.conftest import login


def test_it_shows_the_home_page_of_your_organization(cast):
    response = login(cast.member).get("/o/acme/")
    assert response.status_code == 200
    assert "Mia" in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(db):
    response = Client().get("/o/acme/teams/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/acme/teams/")


def test_every_navigation_entry_answers_with_a_page(cast):
    client = login(cast.viewer)
    page = client.get("/o/acme/").content.decode()
    for _name, label, _ in PILLAR_NAV + ORG_NAV:
        assert f">{escape(label)}</a>" in page
    for href in [e for e in _hrefs(page) if e.startswith("/o/acme/")]:
        response = client.get(href)
        assert response.status_code == 200, href


def test_insights_answers_before_anything_was_evaluated(cast):
    response = login(cast.member).get("/o/acme/insights/")
    assert response.status_code == 200
    assert "No health computed yet" in response.content.decode()


def test_health_check_answers(db):
    assert Client().get("/healthz").json() == {"status": "ok"}


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'<a href="([^"]+)"', html)
