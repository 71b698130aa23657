"""The people pages show agents with their owner; their owner manages them there."""

from __future__ import annotations

from accord.api.models import ApiToken
from accord.decisions import services as decisions
from accord.org.models import Person
from tests.agents.conftest import token_client
from tests.api.conftest import send
from tests.conftest import login


def test_the_people_list_shows_an_agent_with_its_owner(cast, bot):
    html = login(cast.viewer).get("/o/acme/people/").content.decode()
    assert 'Release bot</a> <span class="tag tag--agent"' in html
    assert f'on behalf of <a href="/o/acme/people/{cast.member.pk}/">Mia Member</a>' in html
    # Viewers add nothing; members may add an agent of their own.
    assert "Add agent" not in html
    assert "Add agent" in login(cast.member).get("/o/acme/people/").content.decode()
    # A team's members too.
    from accord.org import services

    services.add_membership(cast.org, None, person=bot, team=cast.platform, allocation=0)
    team = " ".join(login(cast.viewer).get("/o/acme/teams/platform/").content.decode().split())
    assert 'Release bot</a> <span class="tag tag--agent"' in team
    assert "on behalf of Mia Member" in team


def test_a_member_adds_an_agent_pauses_it_and_gives_it_a_token(cast):
    client = login(cast.member)
    form = client.get("/o/acme/people/agents/new/").content.decode()
    assert 'name="owner"' not in form  # the member is its owner
    created = client.post(
        "/o/acme/people/agents/new/",
        {"name": "Notes bot", "title": "Writes minutes", "role": "member", "timezone": "UTC"},
    )
    agent = Person.objects.get(name="Notes bot")
    assert created.status_code == 302 and (agent.kind, agent.owner) == ("agent", cast.member)
    page = client.get(f"/o/acme/people/{agent.pk}/").content.decode()
    assert "acting on behalf of" in page and "Pause Notes bot" in page
    # Its token's widest scope is what its role allows, not "Full member".
    assert "Everything the agent&#x27;s role allows" in page and "Full member" not in page
    made = client.post(
        f"/o/acme/people/{agent.pk}/tokens/", {"name": "runner", "scope": "read"}, follow=True
    ).content.decode()
    token = ApiToken.objects.get(person=agent)
    assert token.scope == "read" and token.prefix in made and "Copy the new token now" in made
    # Shown once, on the agent's page the form redirects to: a reload makes no second token.
    again = client.get(f"/o/acme/people/{agent.pk}/").content.decode()
    assert "Copy the new token now" not in again and token.prefix in again
    assert ApiToken.objects.filter(person=agent).count() == 1
    client.post(f"/o/acme/people/{agent.pk}/pause/")
    assert Person.objects.get(pk=agent.pk).paused_at is not None
    client.post(f"/o/acme/people/{agent.pk}/pause/", {"action": "resume"})
    assert Person.objects.get(pk=agent.pk).paused_at is None
    client.post(f"/o/acme/people/{agent.pk}/tokens/", {"action": "revoke", "token": token.pk})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_nobody_else_manages_it_from_the_page(cast, bot):
    leader = login(cast.leader)
    page = leader.get(f"/o/acme/people/{bot.pk}/").content.decode()
    assert "Pause Release bot" not in page and "agent-tokens" not in page
    assert leader.post(f"/o/acme/people/{bot.pk}/pause/").status_code == 403
    assert leader.post(f"/o/acme/people/{bot.pk}/tokens/", {"name": "x"}).status_code == 403
    assert Person.objects.get(pk=bot.pk).paused_at is None
    # Another organization's admin finds nothing there.
    assert login(cast.outsider).get(f"/o/acme/people/{bot.pk}/").status_code in (403, 404)
    assert login(cast.outsider).post(f"/o/globex/people/{bot.pk}/pause/").status_code == 404


def test_the_team_panel_counts_what_agents_created(cast, bot):
    import datetime as dt

    from accord.alignment import services as alignment

    period = alignment.create_period(
        cast.org,
        None,
        name="Q1",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        state="active",
    )
    objective = alignment.create_objective(
        cast.org, None, title="Ship faster", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(cast.org, None, objective, name="Releases a week", target=5)
    client = token_client(bot, cast.member)
    for title, krs in (("Automate releases", [kr.pk]), ("Draft notes", [])):
        made = send(
            client,
            "post",
            "/api/v1/initiatives",
            {
                "team_id": cast.platform.pk,
                "title": title,
                "owner_id": bot.pk,
                "key_result_ids": krs,
            },
        )
        assert made.status_code == 201, made.content
    alignment.create_initiative(cast.org, cast.member, team=cast.platform, title="By hand")
    decisions.create_action_item(cast.org, bot, "Tag it", bot, team=cast.platform)
    panel = login(cast.member).get(f"/o/acme/insights/teams/{cast.platform.pk}/panel/")
    text = " ".join(panel.content.decode().split())
    assert (
        "In the last 30 days agents created 2 initiatives and 1 action item in Platform; "
        "1 of the initiatives is linked to a key result." in text
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.intelligence import agent_work

    with CaptureQueriesContext(connection) as queries:
        work = agent_work.for_team(cast.org, cast.platform)
    assert (work.initiatives, work.aligned, work.action_items) == (2, 1, 1)
    assert len(queries) == 3


def test_the_agent_form_offers_no_role_wider_than_its_owners(cast, bot):
    """A member adding (or changing) their own agent is offered viewer and member only, as
    the agent's role is never wider than its owner's; an admin, who chooses the owner,
    is offered every agent role (the owner's role limits it when saved)."""

    def roles(html: str) -> list[str]:
        box = html.split('name="role"', 1)[1].split("</select>", 1)[0]
        return [part.split('"', 1)[0] for part in box.split('value="')[1:]]

    member = login(cast.member)
    assert roles(member.get("/o/acme/people/agents/new/").content.decode()) == [
        "viewer",
        "member",
    ]
    assert roles(member.get(f"/o/acme/people/{bot.pk}/edit/").content.decode()) == [
        "viewer",
        "member",
    ]
    admin = login(cast.admin).get("/o/acme/people/agents/new/").content.decode()
    assert roles(admin) == ["viewer", "member", "leader"]
