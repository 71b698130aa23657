"""Northwind's alignment: last quarter (closed, one objective carried over) and this
quarter's tree — company objectives → departments → teams, with cross-team links, key
results with ten weeks of history, ranked initiatives (mostly aligned, a few not), two
orphaned objectives and a team over its WIP limit. Everything goes through the services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import milestones
from accord.alignment import services as s
from accord.alignment.models import Direction, Initiative, KeyResult, Objective
from accord.demo import DemoContext
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
    # Orphaned: active, and no active initiative serves them.
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
WIP_LIMITS = {"platform": 3, "storefront": 3, "mobile": 3, "data": 4, "field-sales": 3}
REPLANS = [  # team, index, days moved, reason
    ("storefront", 1, 21, "Relevance model needed a second round of tuning."),
    ("design", 1, 14, "Token migration took longer than planned."),
    ("design", 1, 10, "Two components waited on accessibility review."),
    ("fulfilment", 1, 30, "Lease on the returns warehouse signed late."),
]
FALLING = {"pickup": [8, 6, 4], "checkout": [7, 6, 5], "pci": [6, 5, 3]}


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

    s.set_labels(org, None, objective_label="Objective")  # makes the settings row exist

    # --- last quarter: a few objectives, closed, one unfinished objective carried over --
    cur_start, cur_end, cur_name = _quarter(today)
    prev_start, prev_end, prev_name = _quarter(cur_start - dt.timedelta(days=1))
    previous = s.create_period(
        org, None, name=prev_name, start=prev_start, end=prev_end, state="active"
    )
    current = s.create_period(org, None, name=cur_name, start=cur_start, end=cur_end)
    s.set_current_period(org, None, current)
    old_company = s.create_objective(
        org,
        None,
        title="Launch the wholesale portal",
        period=previous,
        level="org",
        owner=ctx.login,
    )
    old_done = s.create_objective(
        org,
        None,
        title="Move the storefront to the new platform",
        period=previous,
        team=ctx.teams["storefront"],
        owner=lead("storefront"),
        parents=[old_company],
    )
    kr = s.create_key_result(
        org,
        None,
        old_done,
        name="Traffic on the new platform",
        unit="%",
        target=100,
        at=weeks_ago(20),
    )
    s.record_key_result_value(org, None, kr, 100, at=weeks_ago(14))
    s.update_objective(org, None, old_done, status="achieved")
    portal = s.create_key_result(
        org,
        None,
        old_company,
        name="Partners ordering through the portal",
        unit="partners",
        target=50,
        at=weeks_ago(22),
    )
    for w, v in ((18, 6), (15, 14), (13, 21)):
        s.record_key_result_value(org, None, portal, v, at=weeks_ago(w))
    s.close_period(org, None, previous)
    s.carry_over(org, None, from_period=previous, to_period=current, objectives=[old_company])

    # --- this quarter: company → departments → teams ------------------------------------
    objs: dict[str, Objective] = {}
    krs: dict[str, list[KeyResult]] = {}
    for key, title in COMPANY.items():
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
        k = s.create_key_result(
            org,
            None,
            objs[key],
            name=name,
            unit=unit,
            direction=direction,
            start=start,
            target=target,
            owner=ctx.login,
            at=weeks_ago(WEEKS + 1),
        )
        _history(org, k, start, now_value, False, rng, weeks_ago)
    for key, (slug, title, parents) in DEPARTMENTS.items():
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
            k = s.create_key_result(
                org,
                None,
                objs[key],
                name=name,
                unit=unit,
                direction=direction,
                start=start,
                target=target,
                range_low=low,
                range_high=high,
                is_milestone=milestone,
                owner=someone(slug) if rng.random() < 0.5 else None,
                at=weeks_ago(WEEKS + 1),
            )
            krs[key].append(k)
            _history(org, k, start, now_value, milestone, rng, weeks_ago)
        for w, c in zip((8, 4, 0), FALLING.get(key) or _confidences(rng), strict=True):
            s.set_objective_confidence(
                org, lead(slug), objs[key], c, at=min(weeks_ago(w) + dt.timedelta(hours=1), now)
            )
    # The carried-over objective now contributes to the revenue objective.
    carried = Objective.objects.for_org(org).get(period=current, carried_from=old_company)
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
            made[slug].append(
                s.create_initiative(
                    org,
                    None,
                    team=ctx.teams[slug],
                    title=title,
                    owner=someone(slug),
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
    # Work that is already finished or was dropped: history, not in any stack.
    for slug, title, status, serves in (
        ("platform", "Kubernetes upgrade", "done", ("uptime", 0)),
        ("support", "Macro library", "done", ("response", 0)),
        ("mobile", "Tablet layout", "dropped", None),
    ):
        i = s.create_initiative(
            org,
            None,
            team=ctx.teams[slug],
            title=title,
            status="active",
            key_results=[krs[serves[0]][serves[1]]] if serves else [],
        )
        s.set_initiative_status(
            org, None, i, status, "Wrapped up." if status == "done" else "Not worth it now."
        )
    s.link_initiative(org, None, made["field-sales"][0], key_result=carried_kr)
    for slug, limit in WIP_LIMITS.items():
        s.set_wip_limit(org, None, ctx.teams[slug], limit)
    for slug, index, days, reason in REPLANS:
        item = Initiative.objects.get(pk=made[slug][index].pk)
        s.replan_initiative(
            org, lead(slug), item, item.target_date + dt.timedelta(days=days), reason
        )
    # Priority churn: platform and data reshuffle, then settle back (the top two stay put).
    churn = {"platform": [(4, 1), (3, 2), (2, 1), (0, 1), (1, 2)], "data": [(2, 1), (0, 1), (1, 2)]}
    for slug, moves in churn.items():
        for index, position in moves:
            s.move_in_stack(org, lead(slug), made[slug][index], position)
    train = _release_train(ctx)
    ctx.extra["alignment"] = {
        "period": current.pk,
        "previous_period": previous.pk,
        "milestones": train,
        "objectives": {k: o.pk for k, o in objs.items()},
        "orphaned": [objs[k].pk for k in ORPHANED],
    }


def _confidences(rng) -> list[int]:
    first = rng.randint(6, 8)
    return [
        first,
        max(1, min(10, first + rng.randint(-1, 1))),
        max(1, min(10, first + rng.randint(-1, 2))),
    ]


def _history(
    org, kr: KeyResult, start: float, now_value: float, milestone: bool, rng, weeks_ago
) -> None:
    """Weekly values from `start` towards `now_value`, a little noisy, ending exactly there."""
    if milestone:
        if now_value:
            s.import_key_result_values(org, None, kr, [(weeks_ago(rng.randint(1, 4)), 1)])
        return
    span = now_value - start
    scale = abs(span) or abs(start) * 0.05 or 1
    points = []
    for w in range(WEEKS, 0, -1):
        share = (WEEKS - w + 1) / (WEEKS + 1)
        points.append(
            (weeks_ago(w), round(start + span * share + rng.uniform(-0.12, 0.12) * scale, 2))
        )
    points.append((weeks_ago(0), now_value))
    s.import_key_result_values(org, None, kr, points)


def _release_train(ctx: DemoContext) -> dict[str, int]:
    """The engineering teams ship on a release train: a release cycle of about twelve
    weeks, the release on a Monday about eight weeks out, feature freeze R-4 weeks and code
    freeze R-2 weeks for the teams that ship code, a release candidate R-1 week; and the
    next quarter's planning day for everyone."""
    org, today = ctx.org, ctx.today
    release_day = today + dt.timedelta(days=56 + (7 - (today + dt.timedelta(56)).weekday()) % 7)
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
