"""The sign-in page tells a newcomer the way in: on a new install, how the first
organization is created; always, how someone without a password gets one."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_new_install_says_how_to_create_the_first_organization():
    page = Client().get("/accounts/login/").content.decode()
    assert 'id="no-organization"' in page
    assert "accord createadmin --create-org" in page
    assert "An admin of your organization makes you a sign-in link" in page


def test_once_an_organization_exists_the_sign_in_page_only_says_how_to_get_a_password(cast):
    page = Client().get("/accounts/login/").content.decode()
    assert 'id="no-organization"' not in page
    assert "accord createadmin" not in page
    assert "An admin of your organization makes you a sign-in link" in page
