"""A lead reached only because their team was mentioned reads that the team was, in their
inbox and e-mail ("mentioned Platform (your team)"), not that they were; someone mentioned
by name reads "mentioned you", even when their team was mentioned too."""

from __future__ import annotations

from accord.activity.models import Notification
from accord.conversation import services
from accord.conversation.models import InboxItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import make_person

ON = "on initiative “Build the pipeline”"


def test_a_lead_reached_through_the_team_reads_the_team_s_name(world):
    ada = make_person(world.org, "Ada Lead", "member")
    org_services.add_membership(
        world.org, None, person=ada, team=world.platform, role=MembershipRole.LEAD
    )
    services.post_comment(world.org, world.member, world.initiative, "@platform, @ada.lead: go?")
    titles = dict(InboxItem.objects.filter(kind="mention").values_list("person_id", "title"))
    assert titles == {
        world.leader.pk: f"Mia Member mentioned Platform (your team) {ON}",
        ada.pk: f"Mia Member mentioned you {ON}",  # named herself
    }
    mails = dict(
        Notification.objects.filter(kind="mention", channel="email").values_list(
            "person_id", "subject"
        )
    )
    assert mails == titles
