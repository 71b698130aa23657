"""Northwind's web of ~40 cross-team dependencies: every state, one cycle, a critical-path
chain, late ones and a supplier slip that ripples downstream.

Uses the initiatives the alignment demo creates (found by team and title), and creates the
ones the story needs when they are missing. Everything goes through the services, dated
and named as the story has it (`accord.demo.happened`): a team's lead asks another team
REQUEST_WEEKS before the need-by date (at least a week ago, not before the initiatives the
request joins were set up), the provider's lead answers that day; a declined or cancelled
request was closed a few days after it was asked, a delivered one about a week before it
was needed. The requests still waiting for an answer arrived in the last days. Each
request's row is dated with its story (Insights reads the past from it).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import blocked as blocked_figures
from accord.alignment import services as alignment
from accord.alignment.demo import date_newest, initiative_since
from accord.alignment.models import Initiative, Milestone, Replan
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.demo import DemoContext, at, happened, lately
from accord.org.models import Membership, MembershipRole

OPEN = ("proposed", "active", "paused")
REQUEST_WEEKS = 6  # how long before its need-by date a team asks another for something

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

    leads = {}
    for m in (
        Membership.objects.for_org(org).filter(role=MembershipRole.LEAD).select_related("person")
    ):
        leads.setdefault(m.team_id, m.person)

    def lead(slug):
        return leads.get(ctx.teams[slug].pk)

    def init(slug: str, n: int) -> Initiative:
        team = ctx.teams[slug]
        title, start, length = CATALOGUE[slug][n]
        if (team.pk, title) not in by_title:
            set_up = initiative_since(ctx, day(start)) + dt.timedelta(hours=10)
            with happened(set_up, by=lead(slug)):
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

    now = timezone.now()
    asked: dict[int, dt.datetime] = {}  # when each request was made
    closed: dict[int, dt.datetime] = {}  # when each closed one was closed

    def asking(title, need_by, *joins, waiting=False):
        """When a request joining the initiatives `joins` was made (see the module)."""
        floor = max(initiative_since(ctx, i.start_date) for i in joins) + dt.timedelta(hours=11)
        if waiting:
            when = lately(ctx, "request", title)
        else:
            weeks_before = at(need_by - dt.timedelta(weeks=REQUEST_WEEKS), 9)
            when = min(weeks_before, at(today - dt.timedelta(days=7), 9))
        return min(max(when, floor), now)

    def ask(req, ri, prov, title, need_by, *, pi=None, waiting=False, **kw):
        """`pi`: the provider's initiative that takes it on (the request is not older than
        it); `waiting`: still unanswered, made in the last days."""
        joins = [init(req, ri)] + ([init(prov, pi)] if pi is not None else [])
        when = asking(title, need_by, *joins, waiting=waiting)
        with happened(when, by=lead(req)):
            d = services.create_dependency(
                org,
                None if need_by < today else lead(req),
                requester_initiative=init(req, ri),
                provider_team=ctx.teams[prov],
                title=title,
                need_by=need_by,
                **kw,
            )
        asked[d.pk] = when
        return d

    def act(dep, side, action, *, hours=3, when=None, **kw):
        """The provider's (`p`) or requester's (`r`) lead takes `action`, `hours` after the
        request was made (or `when`)."""
        slug = dep.provider_team.slug if side == "p" else dep.requester_team.slug
        past = any(isinstance(v, dt.date) and v < today for v in kw.values())
        when = when or asked[dep.pk] + dt.timedelta(hours=hours)
        if action in ("decline", "cancel", "confirm_delivery"):
            closed[dep.pk] = when
        actor = None if past else lead(slug)
        with happened(when, by=lead(slug) if actor is None else None):
            return services.transition(org, actor, dep, action, **kw)

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

    def close_after(dep, days=3):
        return min(asked[dep.pk] + dt.timedelta(days=days), now)

    def delivered_on(dep, need_by, title):
        when = min(at(need_by - dt.timedelta(weeks=1), 15), lately(ctx, "delivered", title))
        return max(asked[dep.pk] + dt.timedelta(hours=4), when)

    # 1. The critical path: Loyalty 2.0 rests on a five-team chain.
    chain = [
        ("loyalty", 0, "mobile", 0, "Rewards tab in the app", 60),
        ("mobile", 0, "storefront", 0, "Rewards checkout API", 42),
        ("storefront", 0, "platform", 0, "Points ledger endpoints", 35),
        ("platform", 0, "data", 0, "Points balance model", 26),
        ("data", 0, "security", 0, "PII vault access for points", 14),
    ]
    for req, ri, prov, pi, title, committed in chain:
        d = ask(req, ri, prov, title, day(committed), pi=pi, priority="high")
        accept(d, pi, day(committed))

    # 2. A cycle: forecasting feeds inventory feeds the pipeline feeds forecasting.
    cycle = [
        ("sales-operations", 0, "data", 1, "Demand forecast by region", 30),
        ("data", 1, "supply-chain", 0, "Live inventory feed", 21),
        ("supply-chain", 0, "sales-operations", 0, "Weekly pipeline export", 18),
    ]
    for req, ri, prov, pi, title, committed in cycle:
        accept(ask(req, ri, prov, title, day(committed), pi=pi), pi, day(committed))

    # 3. The slip that ripples: the 3PL contract moves and everything downstream is hit.
    slip_chain = [
        ("fulfilment", 0, "supply-chain", 1, "Signed 3PL carrier contract", 20),
        ("retail-operations", 0, "fulfilment", 0, "Same-day pick slots for stores", 34),
        ("growth-marketing", 0, "retail-operations", 0, "Store pickup live in 40 stores", 48),
    ]
    for req, ri, prov, pi, title, committed in slip_chain:
        d = ask(req, ri, prov, title, day(committed), pi=pi, priority="high")
        accept(d, pi, day(committed), tight=True)

    # 4. Late: committed dates that have passed, undelivered.
    late1 = ask("support", 0, "fulfilment", "Returns label API", day(-12), pi=1, priority="high")
    accept(late1, 1, day(-5))
    # Needed after Guided first order was set up (19 days ago), so asked before it was needed.
    late2 = ask("onboarding", 0, "design", "First-order checkout screens", day(-12), pi=0)
    accept(late2, 0, day(-3))
    blocked = at(today - dt.timedelta(days=2), 10)  # the day after the committed date passed
    act(
        late2,
        "r",
        "flag_blocked",
        when=blocked,
        note="Screens missing; onboarding flow cannot ship.",
    )

    # 5. New requests waiting in inboxes (Platform, Field Sales and Support leads sign in).
    ask(
        "support",
        1,
        "platform",
        "Webhook for order status changes",
        day(25),
        waiting=True,
        priority="high",
        description="The support bot needs to know when an order changes state.",
    )
    ask("loyalty", 1, "field-sales", "Top-100 account list for win-back", day(15), waiting=True)
    ask("storefront", 1, "support", "Top search complaints from tickets", day(20), waiting=True)
    ask("brand-marketing", 0, "user-research", "Brand perception panel", day(28), waiting=True)
    ask("inside-sales", 1, "platform", "Quote PDF service", day(40), waiting=True, priority="low")
    ask("field-sales", 0, "sales-operations", "Territory plan for wholesale", day(21), waiting=True)

    # 6. Negotiations in both directions: the provider answers with another date that day,
    # the requester counters the day after.
    n1 = ask("growth-marketing", 1, "data", "Referral attribution report", day(14), pi=1)
    act(
        n1,
        "p",
        "propose",
        hours=5,
        provider_initiative=init("data", 1),
        proposed_date=day(35),
        note="Forecasting comes first; we can do it after.",
    )
    n2 = ask("mobile", 1, "platform", "Offline sync endpoints", day(30), pi=1, priority="high")
    act(
        n2,
        "p",
        "propose",
        hours=5,
        provider_initiative=init("platform", 1),
        proposed_date=day(60),
        proposed_scope="Read-only sync first; writes next quarter.",
        note="Full sync is too big.",
    )
    act(
        n2,
        "r",
        "counter",
        hours=24,
        proposed_date=day(45),
        note="Read-only by day 45 works for us.",
    )
    n3 = ask("field-sales", 1, "product-management", "Renewal pricing rules", day(20), pi=1)
    act(
        n3,
        "p",
        "propose",
        hours=5,
        provider_initiative=init("product-management", 1),
        proposed_date=day(32),
        note="Needs a pricing review first.",
    )
    n4 = ask("retail-operations", 1, "security", "SSO for store tablets", day(18), pi=1)
    act(
        n4,
        "p",
        "propose",
        hours=5,
        provider_initiative=init("security", 1),
        proposed_date=day(30),
        proposed_scope="Managers only in the first wave.",
    )

    # 7. Declined, cancelled, delivered.
    d1 = ask("brand-marketing", 1, "design", "Packaging mock-ups", day(10))
    act(
        d1,
        "p",
        "decline",
        when=close_after(d1),
        note="Design system v3 takes all our capacity this quarter.",
    )
    d2 = ask("inside-sales", 0, "data", "Lead scoring model", day(25))
    act(
        d2,
        "p",
        "decline",
        when=close_after(d2),
        note="Not enough history yet; ask again next quarter.",
    )
    d3 = ask("onboarding", 1, "storefront", "B2B price display", day(30))
    act(d3, "p", "decline", when=close_after(d3), note="B2B storefront is out of scope this year.")
    c1 = ask("support", 1, "mobile", "In-app chat widget", day(35))
    act(c1, "r", "cancel", when=close_after(c1), note="Going with the web widget instead.")
    c2 = ask("loyalty", 1, "growth-marketing", "Win-back email templates", day(22), pi=1)
    accept(c2, 1, day(22))
    act(c2, "r", "cancel", when=close_after(c2), note="Win-back journeys moved to next quarter.")
    delivered = [
        ("product-management", 0, "user-research", 0, "Loyalty interview findings"),
        ("design", 0, "user-research", 1, "Checkout usability study"),
        ("support", 0, "data", 0, "Returns dashboard"),
        ("storefront", 1, "design", 1, "Search results components"),
        ("field-sales", 0, "brand-marketing", 0, "Wholesale pitch deck"),
    ]
    for req, ri, prov, pi, title in delivered:
        d = ask(req, ri, prov, title, day(5), pi=pi)
        accept(d, pi, day(5))
        received = delivered_on(d, day(5), title)
        act(d, "r", "confirm_delivery", when=received, note="Received, thank you.")

    # 8. Accepted and flagged by people.
    r1 = ask("onboarding", 0, "support", "Onboarding FAQ articles", day(16), pi=0)
    accept(r1, 0, day(16))
    sick = lately(ctx, "at risk", r1.title)
    act(r1, "p", "flag_at_risk", when=sick, note="Two writers are out sick this month.")
    r2 = ask("retail-operations", 1, "inside-sales", "Store opening leads", day(24), pi=1)
    accept(r2, 1, day(24))
    ok1 = ask("security", 1, "platform", "Identity provider hooks", day(28), pi=1)
    accept(ok1, 1, day(28))
    ok2 = ask("loyalty", 0, "user-research", "Reward ideas test", day(19), pi=0)
    accept(ok2, 0, day(19))
    ok3 = ask("inside-sales", 0, "sales-operations", "CRM lead routing", day(30), pi=1)
    accept(ok3, 1, day(30))
    ok4 = ask("fulfilment", 0, "platform", "Delivery events on the bus", day(50), pi=1)
    accept(ok4, 1, day(50))
    done = ask("mobile", 0, "design", "Rewards tab designs", day(8), pi=1)
    accept(done, 1, day(8))
    received = delivered_on(done, day(8), done.title)
    act(done, "r", "confirm_delivery", when=received, note="Designs are in the app.")

    # The supplier slips in the last days: the 3PL contract moves 45 days; the slip ripples
    # downstream (Accord flags the requests it puts at risk).
    three_pl = init("supply-chain", 1)
    three_pl.refresh_from_db()
    new_target = max(three_pl.target_date or today, day(20)) + dt.timedelta(days=45)
    slipped = lately(ctx, "carrier walked away")
    with happened(slipped):
        alignment.replan_initiative(
            org, lead("supply-chain"), three_pl, new_target, "The carrier walked away at signing."
        )
    date_newest(Replan.objects.filter(initiative=three_pl), slipped)
    ctx.extra["coordination"] = {"slipped_initiative": three_pl.pk, "slipped_at": slipped}

    # 4. Needed by a milestone: the app's translated strings must be in by the code
    # freeze, wherever the release train moves it.
    train = ctx.extra.get("alignment", {}).get("milestones", {})
    if "code_freeze" in train and "mobile" in ctx.teams and "storefront" in ctx.teams:
        freeze = Milestone.objects.get(pk=train["code_freeze"])
        title = "Checkout copy final for translation"
        when = asking(title, freeze.date, init("mobile", 0), waiting=True)
        with happened(when):
            d = services.create_dependency(
                org,
                lead("mobile"),
                requester_initiative=init("mobile", 0),
                provider_team=ctx.teams["storefront"],
                title=title,
                need_by_milestone=freeze,
                description="The apps translate the web shop's checkout texts before the freeze.",
            )
        asked[d.pk] = when

    # Each request's row says when it was made and closed, as its events do.
    for pk, when in asked.items():
        dates = {"created_at": when}
        if pk in closed:
            dates["closed_at"] = min(closed[pk], now)
        Dependency.objects.filter(pk=pk).update(**dates)
    # What was asked after a decline replaces it (`alignment.blocked`): read from these dates.
    blocked_figures.recompute(org.pk)

    # What Accord's worker notices, already in the story: each late request marked late in
    # the morning of the day it became late (the day after its date), not on the day of
    # the first worker run after the load.
    with happened(lambda e: at(dt.date.fromisoformat(e.after["late_since"]), 7)):
        services.announce_late(org, today)
