"""Northwind's web of ~40 cross-team dependencies: every state, one cycle, a critical-path
chain, late ones and a supplier slip that ripples downstream.

Uses the initiatives the alignment demo creates (found by team and title), and creates the
ones the story needs when they are missing. Everything goes through the services.
"""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.alignment.models import Initiative, Milestone
from accord.coordination import services
from accord.demo import DemoContext
from accord.org.models import Membership, MembershipRole

OPEN = ("proposed", "active", "paused")

# Initiatives the story needs, per team: (title, start offset, duration in days).
CATALOGUE: dict[str, list[tuple[str, int, int]]] = {
    "brand-marketing": [("Spring brand campaign", -20, 60), ("Packaging refresh", 0, 45)],
    "growth-marketing": [("Click-and-collect campaign", 10, 40), ("Referral programme", -10, 50)],
    "field-sales": [("Wholesale expansion", -30, 90), ("Key-account renewals", -15, 60)],
    "inside-sales": [("Outbound to SMB retailers", -10, 45), ("Quote-to-cash speed-up", 0, 40)],
    "sales-operations": [("Forecast pipeline", -20, 50), ("CRM clean-up", -5, 30)],
    "supply-chain": [("Inventory visibility", -25, 60), ("3PL contract", -30, 40)],
    "fulfilment": [("Same-day delivery", -10, 55), ("Returns centre", 0, 70)],
    "retail-operations": [("Store pickup", 0, 50), ("Store staffing model", -10, 40)],
    "product-management": [("Loyalty 2.0 spec", -20, 30), ("Marketplace discovery", 0, 45)],
    "design": [("Checkout redesign", -10, 40), ("Design system v3", -30, 90)],
    "user-research": [("Loyalty interviews", -25, 25), ("Returns journey study", 0, 30)],
    "platform": [("Points ledger service", -5, 45), ("Event bus", -30, 80)],
    "storefront": [("Rewards checkout", 5, 35), ("Search relevance", -20, 60)],
    "mobile": [("App rewards tab", 15, 30), ("Offline mode", -10, 70)],
    "data": [("Customer points model", -15, 40), ("Demand forecasting", -20, 55)],
    "security": [("PII vault", -30, 45), ("SSO for stores", -5, 40)],
    "support": [("Self-service returns", 0, 60), ("Support bot", -15, 50)],
    "onboarding": [("Guided first order", -5, 40), ("B2B onboarding kit", 0, 35)],
    "loyalty": [("Loyalty 2.0 launch", 30, 60), ("Win-back journeys", -10, 45)],
}


def load(ctx: DemoContext) -> None:
    org, today = ctx.org, ctx.today
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    if not all(slug in ctx.teams for slug in CATALOGUE):
        return  # not the Northwind structure; nothing to tell

    # The alignment demo creates these initiatives (same titles); reuse them by title.
    by_title: dict[tuple[int, str], Initiative] = {}
    for i in Initiative.objects.for_org(org).filter(status__in=OPEN).order_by("id"):
        by_title.setdefault((i.team_id, i.title), i)

    def init(slug: str, n: int) -> Initiative:
        team = ctx.teams[slug]
        title, start, length = CATALOGUE[slug][n]
        if (team.pk, title) not in by_title:
            by_title[(team.pk, title)] = alignment.create_initiative(
                org,
                None,
                team=team,
                title=title,
                status="active",
                start_date=day(start),
                target_date=day(start + length),
            )
        return by_title[(team.pk, title)]

    leads = {}
    for m in (
        Membership.objects.for_org(org).filter(role=MembershipRole.LEAD).select_related("person")
    ):
        leads.setdefault(m.team_id, m.person)

    def lead(slug):
        return leads.get(ctx.teams[slug].pk)

    def ask(req, ri, prov, title, need_by, *, priority="medium", description=""):
        return services.create_dependency(
            org,
            None if need_by < today else lead(req),
            requester_initiative=init(req, ri),
            provider_team=ctx.teams[prov],
            title=title,
            need_by=need_by,
            priority=priority,
            description=description,
        )

    def act(dep, side, action, **kw):
        slug = dep.provider_team.slug if side == "p" else dep.requester_team.slug
        past = any(isinstance(v, dt.date) and v < today for v in kw.values())
        return services.transition(org, None if past else lead(slug), dep, action, **kw)

    def accept(dep, pi, committed, *, tight=False):
        # A provider commits to a date its initiative can meet, unless the story says not.
        target = init(dep.provider_team.slug, pi).target_date
        if not tight and target and committed >= today and target > committed:
            committed = target
        return act(
            dep,
            "p",
            "accept",
            provider_initiative=init(dep.provider_team.slug, pi),
            committed_date=committed,
            note="We can do this.",
        )

    # 1. The critical path: Loyalty 2.0 rests on a five-team chain.
    chain = [
        ("loyalty", 0, "mobile", 0, "Rewards tab in the app", 60),
        ("mobile", 0, "storefront", 0, "Rewards checkout API", 42),
        ("storefront", 0, "platform", 0, "Points ledger endpoints", 35),
        ("platform", 0, "data", 0, "Points balance model", 26),
        ("data", 0, "security", 0, "PII vault access for points", 14),
    ]
    for req, ri, prov, pi, title, committed in chain:
        d = ask(req, ri, prov, title, day(committed), priority="high")
        accept(d, pi, day(committed))

    # 2. A cycle: forecasting feeds inventory feeds the pipeline feeds forecasting.
    cycle = [
        ("sales-operations", 0, "data", 1, "Demand forecast by region", 30),
        ("data", 1, "supply-chain", 0, "Live inventory feed", 21),
        ("supply-chain", 0, "sales-operations", 0, "Weekly pipeline export", 18),
    ]
    for req, ri, prov, pi, title, committed in cycle:
        accept(ask(req, ri, prov, title, day(committed)), pi, day(committed))

    # 3. The slip that ripples: the 3PL contract moves and everything downstream is hit.
    slip_chain = [
        ("fulfilment", 0, "supply-chain", 1, "Signed 3PL carrier contract", 20),
        ("retail-operations", 0, "fulfilment", 0, "Same-day pick slots for stores", 34),
        ("growth-marketing", 0, "retail-operations", 0, "Store pickup live in 40 stores", 48),
    ]
    for req, ri, prov, pi, title, committed in slip_chain:
        d = ask(req, ri, prov, title, day(committed), priority="high")
        accept(d, pi, day(committed), tight=True)

    # 4. Late: committed dates that have passed, undelivered.
    late1 = ask("support", 0, "fulfilment", "Returns label API", day(-12), priority="high")
    accept(late1, 1, day(-5))
    late2 = ask("onboarding", 0, "design", "First-order checkout screens", day(-20))
    accept(late2, 0, day(-3))
    act(late2, "r", "flag_blocked", note="Screens missing; onboarding flow cannot ship.")

    # 5. New requests waiting in inboxes (Platform, Field Sales and Support leads sign in).
    ask(
        "support",
        1,
        "platform",
        "Webhook for order status changes",
        day(25),
        priority="high",
        description="The support bot needs to know when an order changes state.",
    )
    ask("loyalty", 1, "field-sales", "Top-100 account list for win-back", day(15))
    ask("storefront", 1, "support", "Top search complaints from tickets", day(20))
    ask("brand-marketing", 0, "user-research", "Brand perception panel", day(28))
    ask("inside-sales", 1, "platform", "Quote PDF service", day(40), priority="low")
    ask("field-sales", 0, "sales-operations", "Territory plan for wholesale", day(21))

    # 6. Negotiations in both directions.
    n1 = ask("growth-marketing", 1, "data", "Referral attribution report", day(14))
    act(
        n1,
        "p",
        "propose",
        provider_initiative=init("data", 1),
        proposed_date=day(35),
        note="Forecasting comes first; we can do it after.",
    )
    n2 = ask("mobile", 1, "platform", "Offline sync endpoints", day(30), priority="high")
    act(
        n2,
        "p",
        "propose",
        provider_initiative=init("platform", 1),
        proposed_date=day(60),
        proposed_scope="Read-only sync first; writes next quarter.",
        note="Full sync is too big.",
    )
    act(n2, "r", "counter", proposed_date=day(45), note="Read-only by day 45 works for us.")
    n3 = ask("field-sales", 1, "product-management", "Renewal pricing rules", day(20))
    act(
        n3,
        "p",
        "propose",
        provider_initiative=init("product-management", 1),
        proposed_date=day(32),
        note="Needs a pricing review first.",
    )
    n4 = ask("retail-operations", 1, "security", "SSO for store tablets", day(18))
    act(
        n4,
        "p",
        "propose",
        provider_initiative=init("security", 1),
        proposed_date=day(30),
        proposed_scope="Managers only in the first wave.",
    )

    # 7. Declined, cancelled, delivered.
    d1 = ask("brand-marketing", 1, "design", "Packaging mock-ups", day(10))
    act(d1, "p", "decline", note="Design system v3 takes all our capacity this quarter.")
    d2 = ask("inside-sales", 0, "data", "Lead scoring model", day(25))
    act(d2, "p", "decline", note="Not enough history yet; ask again next quarter.")
    d3 = ask("onboarding", 1, "storefront", "B2B price display", day(30))
    act(d3, "p", "decline", note="B2B storefront is out of scope this year.")
    c1 = ask("support", 1, "mobile", "In-app chat widget", day(35))
    act(c1, "r", "cancel", note="Going with the web widget instead.")
    c2 = ask("loyalty", 1, "growth-marketing", "Win-back email templates", day(22))
    accept(c2, 1, day(22))
    act(c2, "r", "cancel", note="Win-back journeys moved to next quarter.")
    delivered = [
        ("product-management", 0, "user-research", 0, "Loyalty interview findings"),
        ("design", 0, "user-research", 1, "Checkout usability study"),
        ("support", 0, "data", 0, "Returns dashboard"),
        ("storefront", 1, "design", 1, "Search results components"),
        ("field-sales", 0, "brand-marketing", 0, "Wholesale pitch deck"),
    ]
    for req, ri, prov, pi, title in delivered:
        d = ask(req, ri, prov, title, day(5))
        accept(d, pi, day(5))
        act(d, "r", "confirm_delivery", note="Received, thank you.")

    # 8. Accepted and flagged by people.
    r1 = ask("onboarding", 0, "support", "Onboarding FAQ articles", day(16))
    accept(r1, 0, day(16))
    act(r1, "p", "flag_at_risk", note="Two writers are out sick this month.")
    r2 = ask("retail-operations", 1, "inside-sales", "Store opening leads", day(24))
    accept(r2, 1, day(24))
    ok1 = ask("security", 1, "platform", "Identity provider hooks", day(28))
    accept(ok1, 1, day(28))
    ok2 = ask("loyalty", 0, "user-research", "Reward ideas test", day(19))
    accept(ok2, 0, day(19))
    ok3 = ask("inside-sales", 0, "sales-operations", "CRM lead routing", day(30))
    accept(ok3, 1, day(30))
    ok4 = ask("fulfilment", 0, "platform", "Delivery events on the bus", day(50))
    accept(ok4, 1, day(50))
    done = ask("mobile", 0, "design", "Rewards tab designs", day(8))
    accept(done, 1, day(8))
    act(done, "r", "confirm_delivery", note="Designs are in the app.")

    # The supplier slips: the 3PL contract moves 45 days; the slip ripples downstream.
    three_pl = init("supply-chain", 1)
    three_pl.refresh_from_db()
    new_target = max(three_pl.target_date or today, day(20)) + dt.timedelta(days=45)
    alignment.replan_initiative(
        org, lead("supply-chain"), three_pl, new_target, "The carrier walked away at signing."
    )
    ctx.extra["coordination"] = {"slipped_initiative": three_pl.pk}

    # 4. Needed by a milestone: the app's translated strings must be in by the code
    # freeze, wherever the release train moves it.
    train = ctx.extra.get("alignment", {}).get("milestones", {})
    if "code_freeze" in train and "mobile" in ctx.teams and "storefront" in ctx.teams:
        freeze = Milestone.objects.get(pk=train["code_freeze"])
        services.create_dependency(
            org,
            lead("mobile"),
            requester_initiative=init("mobile", 0),
            provider_team=ctx.teams["storefront"],
            title="Checkout copy final for translation",
            need_by_milestone=freeze,
            description="The apps translate the web shop's checkout texts before the freeze.",
        )
