"""A short conversation on Northwind's work: comments on an initiative and on a decision,
one of them mentioning Maya, so her inbox and the comments blocks are not empty on first
start. No e-mail or chat post goes out for the demo."""

from __future__ import annotations

from accord.alignment.models import Initiative
from accord.conversation import services
from accord.decisions.models import Decision
from accord.demo import DemoContext
from accord.org.models import Person, Role


def load(ctx: DemoContext) -> None:
    org, maya = ctx.org, ctx.login
    if maya is None:
        return
    initiative = (
        Initiative.objects.for_org(org)
        .exclude(owner=None)
        .exclude(owner=maya)
        .filter(status="active")
        .order_by("pk")
        .first()
    )
    decision = Decision.objects.for_org(org).filter(approver=maya).order_by("pk").first()
    if initiative is None:
        return
    owner = initiative.owner
    colleague = (
        Person.objects.for_org(org)
        .filter(
            role__in=[Role.MEMBER, Role.LEADER],
            is_active=True,
            memberships__team=initiative.team,
            memberships__ended_on__isnull=True,
        )
        .exclude(pk__in=[maya.pk, owner.pk])
        .order_by("pk")
        .first()
    ) or owner
    handle = maya.email.split("@", 1)[0]
    services.post_comment(
        org,
        owner,
        initiative,
        "First slice is in review. The **open question** is the rollout order:\n\n"
        "1. stores with the new tills first\n2. then the web shop\n\n"
        f"@{handle}, can you confirm the order before Friday?",
        notify=False,
    )
    services.post_comment(
        org,
        colleague,
        initiative,
        "Test data for the tills is ready; I can pair on the rollout checklist.",
        notify=False,
    )
    if decision is not None and decision.driver is not None and decision.driver != maya:
        services.post_comment(
            org,
            decision.driver,
            decision,
            "I added the cost comparison to the options. Happy to walk through it.",
            notify=False,
        )
