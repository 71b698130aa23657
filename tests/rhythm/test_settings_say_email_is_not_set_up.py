"""The notification settings offer e-mail (the channel, and meeting agendas by e-mail): on
a server where e-mail is not set up, both say so, as the weekly briefing's box on the same
page does, rather than offering e-mail as if it went out. With e-mail set up, they say
nothing of it."""

from __future__ import annotations

import re

from tests.conftest import login

URL = "/o/acme/rhythm/settings/"
NOTE = "Not e-mailed: e-mail is not set up here."


def _boxes(page: str) -> tuple[str, str]:
    """The Channels and the Meeting agendas by e-mail fieldsets, as text."""
    channels = page.split("<legend>Channels</legend>")[1].split("</fieldset>")[0]
    agendas = page.split('id="agenda-emails"')[1].split("</fieldset>")[0]
    return tuple(re.sub(r"<[^>]+>", "", box) for box in (channels, agendas))


def test_without_email_set_up_both_email_choices_say_so(cast, settings, monkeypatch):
    monkeypatch.delenv("EMAIL_HOST", raising=False)  # a fresh install's
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    page = login(cast.member).get(URL).content.decode()
    channels, agendas = _boxes(page)
    assert NOTE in channels and NOTE in agendas, (channels, agendas)
    # The E-mail box is described by the note (a screen reader says it with the box).
    assert re.search(r'name="email"[^>]*aria-describedby="no-email-channels"', page)
    assert 'id="no-email-channels"' in page and 'id="no-email-agendas"' in page


def test_with_email_set_up_they_say_nothing_of_it(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = login(cast.member).get(URL).content.decode()
    channels, agendas = _boxes(page)
    assert NOTE not in page and "E-mail" in channels and "e-mailed" in agendas
