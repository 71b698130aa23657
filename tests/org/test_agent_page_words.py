"""An agent's page speaks of it as what it is: by its whole name ("Release bot", not
"Release"), and never as someone who signs in."""

from __future__ import annotations

from accord.org import services
from tests.conftest import login


def test_an_agents_addresses_are_not_said_to_sign_in(cast):
    bot = services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    services.add_identity(cast.org, cast.admin, bot, kind="github", value="release-bot")
    html = login(cast.admin).get(f"/o/acme/people/{bot.pk}/").content.decode()
    said = "Imports and the API recognise Release bot by any of these; an agent never signs in."
    assert said in html
    assert "sign-in recognise" not in html
    assert "recognise Release by" not in html


def test_an_agent_is_called_by_its_whole_name(cast):
    bot = services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    assert bot.first_name == "Release bot"
    assert cast.member.first_name == "Mia"


def test_a_persons_page_still_says_sign_in(cast):
    services.add_identity(cast.org, cast.admin, cast.member, kind="github", value="mia")
    html = login(cast.admin).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "Imports, the API and sign-in recognise Mia by any of these" in html
