import pytest
from django.test import Client

from accord.api import services as tokens
from accord.org import services


@pytest.fixture
def bot(cast):
    """Release bot, an agent owned by Mia Member."""
    return services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)


def token_client(agent, owner, scope: str = "member") -> Client:
    _, raw = tokens.create_token(agent.org, agent, "ci", scope=scope, actor=owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})
