"""Northwind's alignment: last quarter (closed, one objective carried over) and this
quarter's tree — company objectives → departments → teams, with cross-team links, key
results with ten weeks of history, ranked initiatives (mostly aligned, a few not), two
orphaned objectives, a team over its WIP limit and Platform's proposed work for next
quarter, ranked in its Next up list. Everything goes through the services,
each write dated and named as the story has it (`accord.demo.happened`): Maya sets the
company's objectives before the quarter, the leads their teams', the owners record their
key results' values week by week; this week's values, the re-plans and re-rankings
happened in the last days.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import milestones
from accord.alignment import services as s
from accord.alignment.models import (
    Direction,
    Initiative,
    KeyResult,
    KeyResultValue,
    Objective,
    RankChange,
    Replan,
)
from accord.demo import DemoContext, at, happened, lately
from accord.org.models import Membership, MembershipRole, Person

WEEKS = 9  # ten weekly values: nine weeks ago … today

# Company objectives (organization level).
COMPANY = {
    "revenue": "Grow online revenue by 30%",
    "customers": "Delight customers from first order to fifth",
    "lean": "Run a lean, reliable operation",
}

# Company key results: (objective key, name, unit, direction, start, target, now).
COMPANY_KRS = [
    ("revenue", "Online revenue this quarter", "M€", Direction.INCREASE, 12, 15.6, 13.9),
    ("customers", "Net promoter score", "points", Direction.INCREASE, 38, 50, 43),
    ("lean", "Operating cost per order", "€", Direction.DECREASE, 11.2, 9.5, 10.4),
]

# Department objectives: team slug, title, [(company key, weight)].
DEPARTMENTS = {
    "gtm": ("go-to-market", "Build a predictable wholesale and online pipeline", [("revenue", 2)]),
    "product": (
        "product",
        "Make Northwind the easiest place to buy outdoor gear",
        [("revenue", 1), ("customers", 1)],
    ),
    "eng": (
        "engineering",
        "A platform that holds through peak season",
        [("lean", 2), ("revenue", 1)],
    ),
    "ops": ("operations", "Ship every order within 24 hours", [("customers", 1), ("lean", 1)]),
    "cs": ("customer-success", "Turn first-time buyers into regulars", [("customers", 2)]),
}

# Team objectives: key, team slug, title, [(parent key, weight)], key results:
# (name, unit, direction, start, target, now, extra) — extra: range (low, high) or "milestone".
TEAMS = [
    (
        "paid",
        "growth-marketing",
        "Lower acquisition cost on paid channels",
        [("gtm", 1)],
        [
            ("Blended cost per acquisition", "€", Direction.DECREASE, 42, 30, 35, None),
            ("Referral share of new customers", "%", Direction.INCREASE, 8, 15, 11, None),
        ],
    ),
    (
        "wholesale",
        "field-sales",
        "Sign 12 new wholesale accounts",
        [("gtm", 2)],
        [
            ("New wholesale accounts signed", "accounts", Direction.INCREASE, 0, 12, 5, None),
            ("Average first order", "k€", Direction.INCREASE, 18, 25, 21, None),
        ],
    ),
    (
        "inbound",
        "inside-sales",
        "Convert more inbound leads",
        [("gtm", 1)],
        [
            ("Lead-to-order conversion", "%", Direction.INCREASE, 4.5, 7, 5.8, None),
            ("Median quote turnaround", "hours", Direction.DECREASE, 30, 8, 14, None),
        ],
    ),
    (
        "forecast",
        "sales-operations",
        "A forecast leaders can trust",
        [("gtm", 1)],
        [
            ("Forecast error", "%", Direction.DECREASE, 25, 10, 17, None),
        ],
    ),
    (
        "dashboard",
        "data",
        "One trusted revenue dashboard",
        [("gtm", 1), ("eng", 1)],
        [
            (
                "Teams using the revenue dashboard weekly",
                "teams",
                Direction.INCREASE,
                2,
                12,
                7,
                None,
            ),
            ("Demand forecast live", "", Direction.INCREASE, 0, 1, 0, "milestone"),
        ],
    ),
    (
        "checkout",
        "storefront",
        "Cut checkout time in half",
        [("product", 2)],
        [
            ("Median checkout time", "s", Direction.DECREASE, 140, 70, 98, None),
            ("Checkout conversion", "%", Direction.INCREASE, 2.1, 3, 2.6, None),
        ],
    ),
    (
        "reorder",
        "mobile",
        "One-tap reorder in the app",
        [("cs", 1), ("product", 1)],
        [
            ("App orders that are reorders", "%", Direction.INCREASE, 5, 20, 9, None),
            ("App crash-free sessions", "%", Direction.ABOVE, 98.5, 99.5, 99.6, None),
        ],
    ),
    (
        "uptime",
        "platform",
        "99.95% availability through peak",
        [("eng", 2)],
        [
            ("Availability", "%", Direction.ABOVE, 99.8, 99.95, 99.93, None),
            ("p95 API latency", "ms", Direction.BELOW, 420, 250, 310, None),
        ],
    ),
    (
        "pci",
        "security",
        "Pass the PCI DSS audit",
        [("eng", 1)],
        [
            ("Open high-severity findings", "findings", Direction.DECREASE, 14, 0, 5, None),
            ("Audit passed", "", Direction.INCREASE, 0, 1, 0, "milestone"),
        ],
    ),
    (
        "dispatch",
        "fulfilment",
        "Same-day dispatch for 90% of orders",
        [("ops", 2)],
        [
            ("Orders dispatched the same day", "%", Direction.INCREASE, 71, 90, 82, None),
            ("Cost per parcel", "€", Direction.DECREASE, 6.4, 5.5, 6.1, None),
        ],
    ),
    (
        "stock",
        "supply-chain",
        "Right stock in the right place",
        [("ops", 1)],
        [
            ("Stock-outs on top-500 items", "%", Direction.BELOW, 4.1, 2, 2.6, None),
            ("Days of cover", "days", Direction.RANGE, 58, 0, 47, (30, 45)),
        ],
    ),
    (
        "pickup",
        "retail-operations",
        "Store pickup in every store",
        [("ops", 1), ("cs", 1)],
        [
            ("Stores offering pickup", "stores", Direction.INCREASE, 6, 40, 22, None),
        ],
    ),
    (
        "spec",
        "product-management",
        "A loyalty programme customers ask for",
        [("cs", 1), ("product", 1)],
        [
            ("Loyalty 2.0 spec signed off", "", Direction.INCREASE, 0, 1, 1, "milestone"),
        ],
    ),
    (
        "pdp",
        "design",
        "Ship the new product page",
        [("product", 1)],
        [
            ("New product page live", "", Direction.INCREASE, 0, 1, 0, "milestone"),
            ("Usability score (SUS)", "points", Direction.INCREASE, 64, 80, 71, None),
        ],
    ),
    (
        "interviews",
        "user-research",
        "Hear 40 customers this quarter",
        [("product", 1)],
        [
            ("Customer interviews held", "interviews", Direction.INCREASE, 0, 40, 26, None),
        ],
    ),
    (
        "response",
        "support",
        "First response within two hours",
        [("cs", 1)],
        [
            ("Median first response", "hours", Direction.DECREASE, 7.5, 2, 3.1, None),
            ("Customer satisfaction", "%", Direction.ABOVE, 82, 90, 88, None),
        ],
    ),
    (
        "repeat",
        "loyalty",
        "Grow the repeat purchase rate",
        [("cs", 2), ("revenue", 1)],
        [
            ("Repeat purchase rate (90 days)", "%", Direction.INCREASE, 22, 30, 24, None),
        ],
    ),
    # Orphaned: active, and no proposed or active initiative serves them.
    (
        "brand",
        "brand-marketing",
        "Refresh the brand for the spring catalogue",
        [("gtm", 1)],
        [
            ("Brand awareness in target segment", "%", Direction.INCREASE, 18, 25, 18, None),
        ],
    ),
    (
        "selfserve",
        "onboarding",
        "Self-serve onboarding for wholesale partners",
        [("cs", 1)],
        [
            ("Partners onboarded without a call", "%", Direction.INCREASE, 10, 60, 12, None),
        ],
    ),
]
ORPHANED = {"brand", "selfserve"}

# The first two initiatives of every team (the work the dependency web is about), then
# extra ones. (title, start offset, days, serves: objective key or (objective key, kr index)).
WORK: dict[str, list[tuple[str, int, int, object]]] = {
    "brand-marketing": [
        ("Spring brand campaign", -20, 60, None),
        ("Packaging refresh", 0, 45, None),
    ],
    "growth-marketing": [
        ("Click-and-collect campaign", 10, 40, ("paid", 0)),
        ("Referral programme", -10, 50, ("paid", 1)),
    ],
    "field-sales": [
        ("Wholesale expansion", -30, 90, ("wholesale", 0)),
        ("Key-account renewals", -15, 60, ("wholesale", 1)),
        ("Trade-show booth redesign", -5, 30, None),
    ],
    "inside-sales": [
        ("Outbound to SMB retailers", -10, 45, ("inbound", 0)),
        ("Quote-to-cash speed-up", 0, 40, ("inbound", 1)),
    ],
    "sales-operations": [
        ("Forecast pipeline", -20, 50, ("forecast", 0)),
        ("CRM clean-up", -5, 30, "forecast"),
    ],
    "supply-chain": [
        ("Inventory visibility", -25, 60, ("stock", 1)),
        ("3PL contract", -30, 40, ("stock", 0)),
    ],
    "fulfilment": [
        ("Same-day delivery", -10, 55, ("dispatch", 0)),
        ("Returns centre", 0, 70, ("dispatch", 1)),
    ],
    "retail-operations": [
        ("Store pickup", 0, 50, ("pickup", 0)),
        ("Store staffing model", -10, 40, "pickup"),
    ],
    "product-management": [
        ("Loyalty 2.0 spec", -20, 30, ("spec", 0)),
        ("Marketplace discovery", 0, 45, "product"),
    ],
    "design": [
        ("Checkout redesign", -10, 40, ("checkout", 0)),
        ("Design system v3", -30, 90, ("pdp", 1)),
    ],
    "user-research": [
        ("Loyalty interviews", -25, 25, ("interviews", 0)),
        ("Returns journey study", 0, 30, ("interviews", 0)),
    ],
    "platform": [
        ("Points ledger service", -5, 45, ("uptime", 1)),
        ("Event bus", -30, 80, ("uptime", 0)),
        ("Peak-season load tests", -14, 35, ("uptime", 0)),
        ("Database failover drills", -7, 28, ("uptime", 0)),
        ("Migrate CI to new runners", -20, 30, None),
    ],
    "storefront": [
        ("Rewards checkout", 5, 35, ("checkout", 1)),
        ("Search relevance", -20, 60, ("checkout", 1)),
        ("One-page checkout", -15, 45, ("checkout", 0)),
    ],
    "mobile": [
        ("App rewards tab", 15, 30, ("reorder", 0)),
        ("Offline mode", -10, 70, ("reorder", 1)),
        ("Dark mode", -5, 20, None),
    ],
    "data": [
        ("Customer points model", -15, 40, "dashboard"),
        ("Demand forecasting", -20, 55, ("dashboard", 1)),
        ("Revenue dashboard v2", -25, 40, ("dashboard", 0)),
    ],
    "security": [("PII vault", -30, 45, ("pci", 0)), ("SSO for stores", -5, 40, ("pci", 0))],
    "support": [
        ("Self-service returns", 0, 60, ("response", 1)),
        ("Support bot", -15, 50, ("response", 0)),
    ],
    "onboarding": [("Guided first order", -5, 40, "repeat"), ("B2B onboarding kit", 0, 35, None)],
    "loyalty": [
        ("Loyalty 2.0 launch", 30, 60, ("repeat", 0)),
        ("Win-back journeys", -10, 45, ("repeat", 0)),
    ],
}
# Next quarter's work, proposed and ranked apart from the stacks in the team's Next up list
# (title, start offset, days, (objective key, kr index), person-weeks), in the order it was
# proposed; then the lead's one re-ranking (index, position).
NEXT_UP: dict[str, list[tuple[str, int, int, tuple[str, int], float]]] = {
    "platform": [
        ("Multi-region read replicas", 40, 60, ("uptime", 0), 12.0),
        ("Service mesh rollout", 55, 75, ("uptime", 1), 16.0),
        ("API rate limiting", 35, 30, ("uptime", 1), 6.0),
    ],
}
NEXT_UP_MOVES = {"platform": (2, 1)}

WIP_LIMITS = {"platform": 3, "storefront": 3, "mobile": 3, "data": 4, "field-sales": 3}
REPLANS = [  # team, index, days moved, reason
    ("storefront", 1, 21, "Relevance model needed a second round of tuning."),
    ("design", 1, 14, "Token migration took longer than planned."),
    ("design", 1, 10, "Two components waited on accessibility review."),
    ("fulfilment", 1, 30, "Lease on the returns warehouse signed late."),
]
FALLING = {"pickup": [8, 6, 4], "checkout": [7, 6, 5], "pci": [6, 5, 3]}
PLANNED_AHEAD = 14  # days: a team sets up an initiative this long before it starts


def initiative_since(ctx: DemoContext, start: dt.date | None) -> dt.datetime:
    """When the story has an initiative set up (midnight UTC, the row's date; its events
    that morning): two weeks before it starts, not before Northwind began using Accord
    (ongoing work without a start date: since then). One that starts later than two weeks
    from today was set up in the last days, after the last weekly evaluation."""
    if start is None:
        return ctx.began
    day = start - dt.timedelta(days=PLANNED_AHEAD)
    if day > ctx.today:
        day = ctx.today - dt.timedelta(days=5)
    return max(ctx.began, dt.datetime.combine(day, dt.time(), dt.UTC))


def _quarter(day: dt.date) -> tuple[dt.date, dt.date, str]:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = dt.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1), f"Q{(start.month - 1) // 3 + 1} {start.year}"


def load(ctx: DemoContext) -> None:
    org, rng, today = ctx.org, ctx.rng, ctx.today
    if not all(slug in ctx.teams for slug in WORK):
        return  # not the Northwind structure
    now = timezone.now()
    weeks_ago = lambda w: now - dt.timedelta(weeks=w)  # noqa: E731
    leads: dict[int, Person] = {}
    for m in (
        Membership.objects.for_org(org).filter(role=MembershipRole.LEAD).select_related("person")
    ):
        leads.setdefault(m.team_id, m.person)
    members: dict[int, list[Person]] = {}
    for m in Membership.objects.for_org(org).select_related("person").order_by("id"):
        members.setdefault(m.team_id, []).append(m.person)

    def lead(slug: str) -> Person | None:
        return leads.get(ctx.teams[slug].pk)

    def someone(slug: str) -> Person | None:
        people = members.get(ctx.teams[slug].pk) or []
        return rng.choice(people) if people else lead(slug)

    maya = ctx.login
    with happened(ctx.began + dt.timedelta(hours=10), by=maya):
        s.set_labels(org, None, objective_label="Objective")  # makes the settings row exist

    # --- last quarter: a few objectives, closed, one unfinished objective carried over --
    cur_start, cur_end, cur_name = _quarter(today)
    prev_start, prev_end, prev_name = _quarter(cur_start - dt.timedelta(days=1))
    # Each quarter is set up two weeks before it starts (not before Northwind began).
    prev_open = max(ctx.began + dt.timedelta(hours=10), at(prev_start - dt.timedelta(days=14)))
    quarter_start = at(cur_start, 9)
    with happened(prev_open, by=maya):
        previous = s.create_period(
            org, None, name=prev_name, start=prev_start, end=prev_end, state="active"
        )
    with happened(at(cur_start - dt.timedelta(days=14)), by=maya):
        current = s.create_period(org, None, name=cur_name, start=cur_start, end=cur_end)
    with happened(quarter_start, by=maya):
        s.set_current_period(org, None, current)
    # Last quarter's objectives, set before its first key result.
    old_set = max(prev_open, min(at(prev_start), weeks_ago(22)) - dt.timedelta(days=2))
    with happened(old_set, by=maya):
        old_company = s.create_objective(
            org,
            None,
            title="Launch the wholesale portal",
            period=previous,
            level="org",
            owner=ctx.login,
        )
    with happened(old_set + dt.timedelta(hours=1), by=lead("storefront")):
        old_done = s.create_objective(
            org,
            None,
            title="Move the storefront to the new platform",
            period=previous,
            team=ctx.teams["storefront"],
            owner=lead("storefront"),
            parents=[old_company],
        )
    with happened(weeks_ago(20), by=lead("storefront")):
        kr = s.create_key_result(
            org,
            lead("storefront"),
            old_done,
            name="Traffic on the new platform",
            unit="%",
            target=100,
            at=weeks_ago(20),
        )
    with happened(weeks_ago(14), by=lead("storefront")):
        s.record_key_result_value(org, lead("storefront"), kr, 100, at=weeks_ago(14))
    with happened(weeks_ago(14) + dt.timedelta(hours=1), by=lead("storefront")):
        s.update_objective(org, None, old_done, status="achieved")
    with happened(weeks_ago(22), by=maya):
        portal = s.create_key_result(
            org,
            maya,
            old_company,
            name="Partners ordering through the portal",
            unit="partners",
            target=50,
            at=weeks_ago(22),
        )
    for w, v in ((18, 6), (15, 14), (13, 21)):
        with happened(weeks_ago(w), by=maya):
            s.record_key_result_value(org, maya, portal, v, at=weeks_ago(w))
    carried_at = quarter_start + dt.timedelta(minutes=5)
    with happened(carried_at, by=maya):
        s.close_period(org, None, previous)
        carried = s.carry_over(
            org, maya, from_period=previous, to_period=current, objectives=[old_company]
        )
    # Their key results start from where they stood that day (their first value's date):
    # a value recorded later for an earlier day is history, not the current value.
    KeyResultValue.objects.filter(key_result__objective__in=carried).update(
        recorded_at=min(carried_at, timezone.now())
    )

    # --- this quarter: company → departments → teams ------------------------------------
    # Set a week before the first key results: the company's, then the departments' the
    # day after, the teams' the day after that.
    planned = max(
        ctx.began + dt.timedelta(hours=10),
        min(at(cur_start), weeks_ago(WEEKS + 1)) - dt.timedelta(days=7),
    )
    measured = weeks_ago(WEEKS + 1)  # the key results' first values
    objs: dict[str, Objective] = {}
    krs: dict[str, list[KeyResult]] = {}
    n_kr = 0  # spreads the key results' updates over the weeks' days and hours
    for key, title in COMPANY.items():
        with happened(planned, by=maya):
            objs[key] = s.create_objective(
                org,
                None,
                title=title,
                period=current,
                level="org",
                owner=ctx.login,
                description="A company objective for the quarter.",
            )
    for key, name, unit, direction, start, target, now_value in COMPANY_KRS:
        with happened(measured, by=maya):
            k = s.create_key_result(
                org,
                maya,
                objs[key],
                name=name,
                unit=unit,
                direction=direction,
                start=start,
                target=target,
                owner=ctx.login,
                at=measured,
            )
        _history(ctx, k, start, now_value, False, rng, weeks_ago, maya, n_kr)
        n_kr += 1
    for key, (slug, title, parents) in DEPARTMENTS.items():
        with happened(planned + dt.timedelta(days=1), by=lead(slug)):
            objs[key] = s.create_objective(
                org,
                None,
                title=title,
                period=current,
                team=ctx.teams[slug],
                owner=lead(slug),
                parents=[(objs[p], w) for p, w in parents],
            )
    for key, slug, title, parents, results in TEAMS:
        with happened(planned + dt.timedelta(days=2), by=lead(slug)):
            objs[key] = s.create_objective(
                org,
                None,
                title=title,
                period=current,
                team=ctx.teams[slug],
                owner=lead(slug),
                parents=[(objs[p], w) for p, w in parents],
            )
        krs[key] = []
        for name, unit, direction, start, target, now_value, extra in results:
            milestone = extra == "milestone"
            low, high = extra if isinstance(extra, tuple) else (None, None)
            owner = someone(slug) if rng.random() < 0.5 else None
            with happened(measured, by=lead(slug)):
                k = s.create_key_result(
                    org,
                    lead(slug),
                    objs[key],
                    name=name,
                    unit=unit,
                    direction=direction,
                    start=start,
                    target=target,
                    range_low=low,
                    range_high=high,
                    is_milestone=milestone,
                    owner=owner,
                    at=measured,
                )
            krs[key].append(k)
            _history(ctx, k, start, now_value, milestone, rng, weeks_ago, owner or lead(slug), n_kr)
            n_kr += 1
        for w, c in zip((8, 4, 0), FALLING.get(key) or _confidences(rng), strict=True):
            # This week's update in the last days, at the lead's hour.
            when = weeks_ago(w) + dt.timedelta(hours=1) if w else lately(ctx, "confidence", key)
            with happened(when):
                s.set_objective_confidence(org, lead(slug), objs[key], c, at=when)
    # The carried-over objective now contributes to the revenue objective.
    carried = Objective.objects.for_org(org).get(period=current, carried_from=old_company)
    with happened(quarter_start + dt.timedelta(minutes=10), by=maya):
        s.link_objective(org, None, carried, objs["revenue"])
    carried_kr = carried.key_results.first()

    # --- initiatives and priority stacks ------------------------------------------------
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    made: dict[str, list[Initiative]] = {}
    for slug, items in WORK.items():
        made[slug] = []
        for title, start, length, serves in items:
            kwargs: dict = {}
            if isinstance(serves, tuple):
                kwargs["key_results"] = [krs[serves[0]][serves[1]]]
            elif isinstance(serves, str):
                kwargs["objectives"] = [objs[serves]]
            owner = someone(slug)
            set_up = initiative_since(ctx, day(start)) + dt.timedelta(hours=10)
            with happened(set_up, by=owner):
                made[slug].append(
                    s.create_initiative(
                        org,
                        None,
                        team=ctx.teams[slug],
                        title=title,
                        owner=owner,
                        status="active",
                        start_date=day(start),
                        target_date=day(start + length),
                        effort_weeks=round(length / 7 * rng.choice([1, 1.5, 2, 3]), 1),
                        progress=max(
                            0, min(95, round(-start / max(1, length) * 100) + rng.randint(-5, 15))
                        ),
                        **kwargs,
                    )
                )
    # Work that is already finished or was dropped (this week): history, not in any stack.
    for slug, title, status, serves in (
        ("platform", "Kubernetes upgrade", "done", ("uptime", 0)),
        ("support", "Macro library", "done", ("response", 0)),
        ("mobile", "Tablet layout", "dropped", None),
    ):
        with happened(initiative_since(ctx, None) + dt.timedelta(hours=10), by=lead(slug)):
            i = s.create_initiative(
                org,
                None,
                team=ctx.teams[slug],
                title=title,
                status="active",
                key_results=[krs[serves[0]][serves[1]]] if serves else [],
            )
        when = lately(ctx, "status", title)
        with happened(when, by=lead(slug)):
            s.set_initiative_status(
                org, None, i, status, "Wrapped up." if status == "done" else "Not worth it now."
            )
        date_newest(RankChange.objects.filter(initiative=i), when)  # it left the stack
    sales = made["field-sales"][0]
    since = initiative_since(ctx, sales.start_date) + dt.timedelta(hours=11)
    with happened(max(since, quarter_start + dt.timedelta(hours=1)), by=lead("field-sales")):
        s.link_initiative(org, None, sales, key_result=carried_kr)
    # The leads' last days: WIP limits, re-plans and a reshuffle of two stacks.
    for slug, limit in WIP_LIMITS.items():
        with happened(lately(ctx, "wip limit", slug), by=lead(slug)):
            s.set_wip_limit(org, None, ctx.teams[slug], limit)
    replanned: dict[int, dt.datetime] = {}
    for n, (slug, index, days, reason) in enumerate(REPLANS):
        item = Initiative.objects.get(pk=made[slug][index].pk)
        when = lately(ctx, "replan", n)
        if item.pk in replanned:  # a second re-plan of the same work: the next day
            when = max(when, replanned[item.pk] + dt.timedelta(days=1))
        # Never later than now, read once: the event and the re-plan tell the same moment.
        when = replanned[item.pk] = min(when, timezone.now())
        with happened(when):
            s.replan_initiative(
                org, lead(slug), item, item.target_date + dt.timedelta(days=days), reason
            )
        date_newest(Replan.objects.filter(initiative=item), when)
    # Priority churn: platform and data reshuffle, then settle back (the top two stay put).
    churn = {"platform": [(4, 1), (3, 2), (2, 1), (0, 1), (1, 2)], "data": [(2, 1), (0, 1), (1, 2)]}
    for slug, moves in churn.items():
        when = lately(ctx, "reshuffle", slug)
        for m, (index, position) in enumerate(moves):
            # Never later than now, read once: the event and the rank change say one moment.
            moved = min(when + dt.timedelta(minutes=2 * m), timezone.now())
            with happened(moved):
                s.move_in_stack(org, lead(slug), made[slug][index], position)
            date_newest(RankChange.objects.filter(initiative=made[slug][index]), moved)
    # Proposed for next quarter two weeks ago, one a day, then put in order by the team's
    # lead in the last days (Next up).
    for slug, items in NEXT_UP.items():
        proposed = []
        for n, (title, start, length, (key, index), weeks) in enumerate(items):
            when = max(ctx.began, at(today - dt.timedelta(days=14 - n), 9, 30))
            with happened(when, by=lead(slug)):
                proposed.append(
                    s.create_initiative(
                        org,
                        None,
                        team=ctx.teams[slug],
                        title=title,
                        owner=lead(slug),
                        status="proposed",
                        start_date=day(start),
                        target_date=day(start + length),
                        effort_weeks=weeks,
                        key_results=[krs[key][index]],
                    )
                )
        index, position = NEXT_UP_MOVES[slug]
        with happened(min(lately(ctx, "next up", slug), timezone.now())):
            s.move_in_next_up(org, lead(slug), proposed[index], position)
    train = _release_train(ctx)
    ctx.extra["alignment"] = {
        "period": current.pk,
        "previous_period": previous.pk,
        "milestones": train,
        "objectives": {k: o.pk for k, o in objs.items()},
        "orphaned": [objs[k].pk for k in ORPHANED],
    }


def date_newest(rows, when: dt.datetime) -> None:
    """The newest of `rows` (a history row a service dates now: a re-plan, a re-ranking)
    dated when its event is, so its page and the event log tell the same day."""
    pk = rows.order_by("-id").values_list("pk", flat=True).first()
    rows.filter(pk=pk).update(at=min(when, timezone.now()))


def _confidences(rng) -> list[int]:
    first = rng.randint(6, 8)
    return [
        first,
        max(1, min(10, first + rng.randint(-1, 1))),
        max(1, min(10, first + rng.randint(-1, 2))),
    ]


def _history(
    ctx: DemoContext,
    kr: KeyResult,
    start: float,
    now_value: float,
    milestone: bool,
    rng,
    weeks_ago,
    by: Person | None,
    n: int,
) -> None:
    """Weekly values from `start` towards `now_value`, a little noisy, ending exactly there,
    recorded by `by`: the weeks before this one in one go (an import, recorded the day after
    last week's value), this week's in the last days (`n` spreads them)."""
    org = ctx.org
    if milestone:
        if now_value:
            done = weeks_ago(rng.randint(1, 4))
            with happened(done, by=by):
                s.record_key_result_value(org, by, kr, 1, at=done)
        return
    span = now_value - start
    scale = abs(span) or abs(start) * 0.05 or 1
    points = []
    for w in range(WEEKS, 0, -1):
        share = (WEEKS - w + 1) / (WEEKS + 1)
        points.append(
            (weeks_ago(w), round(start + span * share + rng.uniform(-0.12, 0.12) * scale, 2))
        )
    with happened(weeks_ago(1) + dt.timedelta(hours=1 + (n * 7) % 40), by=by):
        s.import_key_result_values(org, by, kr, points)
    this_week = lately(ctx, "key result", n)
    with happened(this_week, by=by):
        s.record_key_result_value(org, by, kr, now_value, at=this_week)


def _release_train(ctx: DemoContext) -> dict[str, int]:
    """The engineering teams ship on a release train: a release cycle of about twelve
    weeks, the release on a Monday about eight weeks out, feature freeze R-4 weeks and code
    freeze R-2 weeks for the teams that ship code, a release candidate R-1 week; and the
    next quarter's planning day for everyone."""
    today = ctx.today
    release_day = today + dt.timedelta(days=56 + (7 - (today + dt.timedelta(56)).weekday()) % 7)
    with happened(at(release_day - dt.timedelta(weeks=13), 11), by=_head_of(ctx, "engineering")):
        return _train(ctx, release_day)


def _head_of(ctx: DemoContext, slug: str) -> Person | None:
    m = (
        Membership.objects.for_org(ctx.org)
        .filter(team=ctx.teams[slug], role=MembershipRole.LEAD)
        .select_related("person")
        .order_by("id")
        .first()
    )
    return m.person if m else None


def _train(ctx: DemoContext, release_day: dt.date) -> dict[str, int]:
    org, today = ctx.org, ctx.today
    version = f"{release_day:%Y}.{(release_day.month - 1) // 3 + 1}"
    train = s.create_period(
        org,
        None,
        name=f"Release train {version}",
        kind="release",
        start=release_day - dt.timedelta(weeks=12),
        end=release_day,
        state="active",
    )
    shipping = [ctx.teams[t] for t in ("storefront", "mobile", "platform") if t in ctx.teams]
    release = milestones.create_milestone(
        org,
        None,
        name=f"Release {version}",
        kind="release",
        date=release_day,
        period=train,
        description="Web shop, apps and platform go out together.",
    )
    relative = [
        ("feature_freeze", "Feature freeze", -28, shipping, "No new features merged after."),
        ("code_freeze", "Code freeze", -14, shipping, "Only release blockers merged after."),
        ("release_candidate", "Release candidate", -7, [], "Store and app-store review."),
    ]
    out = {"release": release.pk}
    for kind, label, offset, teams, about in relative:
        m = milestones.create_milestone(
            org,
            None,
            name=f"{label} {version}",
            kind=kind,
            anchor=release,
            offset_days=offset,
            period=train,
            teams=teams,
            description=about,
        )
        out[kind] = m.pk
    _start, end, name = _quarter(today)
    planning = milestones.create_milestone(
        org,
        None,
        name=f"Planning day for {_quarter(end + dt.timedelta(days=1))[2]}",
        kind="planning",
        date=end - dt.timedelta(days=(end.weekday() - 3) % 7 + 7),  # a Thursday before it
        description=f"Every team brings its objectives for the quarter after {name}.",
    )
    out["planning"] = planning.pk
    return out
