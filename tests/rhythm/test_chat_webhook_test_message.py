"""A team's chat webhook can be tried from its rhythm page: "Send a test message" posts to
it now, through the delivery path, and says how it went. The team page and Integrations
lead there."""

from __future__ import annotations

import pytest

from accord.activity import delivery
from accord.activity.models import ChatWebhook, Notification
from tests.conftest import login

PAGE = "/o/acme/rhythm/teams/platform/"


def _test(client, hook):
    return client.post(PAGE, {"what": "test_hook", "hook": hook.pk}, follow=True)


def test_a_manager_sends_a_test_message_and_reads_the_answer(cast, good_hook):
    hook = delivery.add_chat_webhook(
        cast.org, None, cast.platform, url=good_hook.url, flavor="slack"
    )
    client = login(cast.leader)
    assert "Send a test message" in client.get(PAGE).content.decode()
    page = _test(client, hook).content.decode()
    assert good_hook.posts == [{"text": "Accord test message from Platform"}]
    assert "Sent: 200 OK" in page
    assert not Notification.objects.exists()  # nothing queued


def test_a_failing_receiver_shows_its_error(cast, bad_hook):
    hook = delivery.add_chat_webhook(
        cast.org, None, cast.platform, url=bad_hook.url, flavor="mattermost"
    )
    page = _test(login(cast.admin), hook).content.decode()
    assert len(bad_hook.posts) == 1
    assert "Not sent: HTTP 500" in page and "Sent: 200" not in page


def test_who_may_not_manage_the_webhook_cannot_test_it(cast, good_hook):
    hook = delivery.add_chat_webhook(
        cast.org, None, cast.platform, url=good_hook.url, flavor="slack"
    )
    client = login(cast.member)  # a member, not a lead, of Platform
    assert "Send a test message" not in client.get(PAGE).content.decode()
    _test(client, hook)
    assert good_hook.posts == []


def test_the_team_page_and_integrations_lead_to_the_chat_settings(cast, good_hook):
    client = login(cast.leader)
    link = f'<a href="{PAGE}#chat-h">'
    team_page = client.get("/o/acme/teams/platform/").content.decode()
    assert f"No chat webhook · {link}Add one</a>" in team_page
    cast.platform.chat = "#platform"
    cast.platform.save()
    ChatWebhook.objects.create(org=cast.org, team=cast.platform, url=good_hook.url, flavor="slack")
    team_page = client.get("/o/acme/teams/platform/").content.decode()
    assert f"Chat: #platform via Slack webhook · {link}Manage</a>" in team_page
    integrations = login(cast.member).get("/o/acme/sources/integrations/").content.decode()
    assert f"Platform: #platform via Slack webhook · {link}Manage</a>" in integrations


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_who_may_not_add_a_webhook_is_not_sent_to_add_one(cast, good_hook, who):
    """The team page's Rhythm section links to the chat settings only for who may change
    them (a lead of the team, a leader, an admin): the others found no form there."""
    client = login(getattr(cast, who))
    team_page = client.get("/o/acme/teams/platform/").content.decode()
    line = team_page[team_page.index('class="chat-line"') :]
    line = line[: line.index("</p>")]
    assert "No chat webhook" in line and "<a " not in line and "Add one" not in line
    ChatWebhook.objects.create(org=cast.org, team=cast.platform, url=good_hook.url, flavor="slack")
    team_page = client.get("/o/acme/teams/platform/").content.decode()
    line = team_page[team_page.index('class="chat-line"') :]
    line = line[: line.index("</p>")]
    assert "Chat: Slack webhook" in line and "<a " not in line and "Manage" not in line
