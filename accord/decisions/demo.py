"""Demo decisions, action items and issues for Northwind Outfitters.

34 decisions across teams in every status, with realistic latencies (some overdue);
action items whose follow-through differs believably between teams; issues at several
levels of the tree, one of them escalated twice. Deterministic from ctx.rng and ctx.today.
Each write is dated and named as the story has it (`accord.demo.happened`): a decision is
opened by its driver, decided on its decided day by its approver; an action item is handed
out by the team's lead and done by its owner; an issue is raised by a member and escalated
by the lead of the team it is at.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from accord.activity.models import Event
from accord.decisions import services
from accord.demo import SEED, DemoContext, happened, lately
from accord.demo import at as _at
from accord.org.models import Membership, MembershipRole

# team slug, question, context, options [(title, pros, cons)], outcome, rationale
DECISIONS = [
    (
        "platform",
        "Which message queue do we standardise on?",
        "Three teams run three different queues; on-call knowledge is spread thin.",
        [
            ("Kafka", "Throughput, replay, the data team knows it", "Heavy to operate"),
            ("RabbitMQ", "Simple, already in fulfilment", "No replay; weaker at scale"),
            ("Cloud-managed queue", "No operations", "Lock-in; cost grows with volume"),
        ],
        "Kafka, operated by Platform, for every new service.",
        "Replay matters for analytics, and one queue halves on-call load.",
    ),
    (
        "platform",
        "Do we move the build runners to ARM?",
        "Build minutes grew 40% in a quarter.",
        [
            ("Stay on x86", "Nothing to change", "Cost keeps growing"),
            ("ARM runners", "About 30% cheaper", "Two images to maintain for a while"),
        ],
        "ARM runners for every pipeline that supports them.",
        "The saving pays the migration in a quarter.",
    ),
    (
        "storefront",
        "Do we ship the new checkout behind a flag or as a hard switch?",
        "Checkout conversion is our most watched number.",
        [
            ("Feature flag", "Gradual, reversible", "Two code paths for weeks"),
            ("Hard switch", "One code path", "All-or-nothing risk"),
        ],
        "Behind a flag, 5% → 50% → 100% over two weeks.",
        "Conversion risk outweighs the cost of two paths.",
    ),
    (
        "storefront",
        "Server-side rendering for product pages?",
        "Search traffic fell after the single-page rewrite.",
        [
            ("Keep client rendering", "No work", "SEO keeps suffering"),
            ("SSR for product and category pages", "SEO, first paint", "More servers"),
        ],
        "Render product and category pages on the server.",
        "Organic search is 38% of revenue.",
    ),
    (
        "mobile",
        "Do we drop support for iOS 15?",
        "3% of sessions, 11% of crash reports.",
        [
            ("Keep it", "No one left out", "Slows every release"),
            ("Drop it in the autumn release", "Modern APIs, fewer crashes", "3% must update"),
        ],
        "Drop iOS 15 with the autumn release, with an in-app notice a month before.",
        "The crash share is out of proportion and the notice softens it.",
    ),
    (
        "mobile",
        "Which analytics SDK do the apps use?",
        "Two SDKs disagree on active users.",
        [],
        "The same SDK as the web, configured by Data.",
        "One definition of an active user.",
    ),
    (
        "data",
        "Where does the customer 360 table live?",
        "Marketing and support each built their own.",
        [
            ("In the warehouse, owned by Data", "One truth", "Data becomes a bottleneck"),
            ("Each team keeps its own", "Autonomy", "Numbers never match"),
        ],
        "In the warehouse, owned by Data, with a request queue.",
        "Trust in numbers beats speed here.",
    ),
    (
        "data",
        "Do we retire the nightly sales report e-mail?",
        "Opened by 4 of 60 recipients.",
        [],
        "Retire it; link the live dashboard instead.",
        "Nobody reads it.",
    ),
    (
        "security",
        "Is single sign-on mandatory for every internal tool?",
        "Two incidents last year came from reused passwords.",
        [
            ("Mandatory by end of quarter", "Closes the gap", "Some tools need paid tiers"),
            ("Mandatory for new tools only", "Cheap", "Old gaps stay open"),
        ],
        "Mandatory for every internal tool by the end of the quarter.",
        "The cost of the paid tiers is below one incident.",
    ),
    (
        "security",
        "Do we run a bug bounty?",
        "Pen tests find less each year.",
        [],
        "A private bounty with 50 invited researchers.",
        "Start small, measure signal to noise.",
    ),
    (
        "brand-marketing",
        "Do we refresh the logo this year?",
        "The logo predates the move into outdoor apparel.",
        [
            ("Full rebrand", "Fresh story", "Expensive, risky"),
            ("Refine the wordmark", "Cheap, continuous", "Smaller effect"),
        ],
        "Refine the wordmark; no full rebrand this year.",
        "Budget goes to the spring campaign.",
    ),
    (
        "growth-marketing",
        "Do we move budget from paid search to creators?",
        "Cost per acquisition in search doubled in a year.",
        [
            ("Shift 30% to creators", "Cheaper reach", "Harder to measure"),
            ("Keep the split", "Predictable", "Rising costs"),
        ],
        "Shift 20% for one quarter and measure with holdout regions.",
        "Test before betting.",
    ),
    (
        "field-sales",
        "Do we offer volume discounts above 500 units?",
        "Three large prospects asked for it.",
        [
            ("Tiered discounts", "Wins big deals", "Margin"),
            ("Case by case", "Flexible", "Inconsistent, slow"),
        ],
        "Tiers at 500 and 2,000 units, approved by Sales Operations.",
        "Consistency shortens deals.",
    ),
    (
        "inside-sales",
        "Which CRM fields are mandatory on a new lead?",
        "Half of the leads lack a segment.",
        [],
        "Segment, country and source; nothing else.",
        "Short forms get filled.",
    ),
    (
        "sales-operations",
        "Do we change the commission plan mid-year?",
        "The plan rewards volume over margin.",
        [
            ("Change now", "Aligns behaviour sooner", "Trust"),
            ("Change next year", "Predictable", "Six more months of discounting"),
        ],
        "Change next year, announce now.",
        "Changing mid-year breaks trust with the team.",
    ),
    (
        "supply-chain",
        "Do we add a second supplier for technical jackets?",
        "One supplier, one port, one strike away from empty shelves.",
        [
            ("Second supplier in Portugal", "Resilience, shorter shipping", "Higher unit cost"),
            ("Stay single-sourced", "Lowest cost", "Concentration risk"),
        ],
        "Add the Portuguese supplier for 30% of volume.",
        "Resilience is worth 4% on unit cost.",
    ),
    (
        "fulfilment",
        "Do we open a weekend shift at the north warehouse?",
        "Monday backlogs reach 9,000 orders.",
        [],
        "A Saturday shift from next month.",
        "Monday backlog hurts delivery promises.",
    ),
    (
        "retail-operations",
        "Do stores ship online orders?",
        "Stores hold 40% of the stock.",
        [
            ("Ship from store", "Faster delivery, less markdown", "Store staff time"),
            ("Warehouse only", "Simple", "Stock stuck in stores"),
        ],
        "Ship from the ten largest stores first.",
        "Most of the stock sits in those ten.",
    ),
    (
        "product-management",
        "Do we build subscriptions for consumables?",
        "Wax, laces and filters are re-bought every few months.",
        [],
        "Yes, as a pilot on wax and filters.",
        "Low risk, recurring revenue.",
    ),
    (
        "product-management",
        "Do we sunset the gift registry?",
        "Used by 0.2% of customers; costs a team week a month.",
        [],
        "Sunset it in three months with an export for users.",
        "Cost far outweighs use.",
    ),
    (
        "design",
        "One design system for web and apps?",
        "Buttons come in eleven shades of green.",
        [],
        "One system, tokens owned by Design, components per platform.",
        "Consistency without forcing one codebase.",
    ),
    (
        "user-research",
        "Do we pay research participants in vouchers or cash?",
        "Vouchers bias towards existing customers.",
        [],
        "Cash for recruiting outside, vouchers for customers.",
        "Reach non-customers.",
    ),
    (
        "support",
        "Do we offer chat support on weekends?",
        "A quarter of tickets arrive at weekends.",
        [],
        "Chat on weekends from 9 to 17 with a rota.",
        "Response time is the top complaint.",
    ),
    (
        "onboarding",
        "Do we shorten the sign-up to one step?",
        "Sign-up completion is 61%.",
        [],
        "One step; the rest is asked after the first order.",
        "Every step loses a tenth.",
    ),
    (
        "loyalty",
        "Points or tiers for the loyalty programme?",
        "The points programme is hard to explain.",
        [("Points", "Familiar", "Complex"), ("Tiers", "Simple status", "Less granular")],
        "Tiers with three levels.",
        "Customers understand status better than points.",
    ),
]
# team slug, question, context (open or proposed decisions)
OPEN_DECISIONS = [
    (
        "engineering",
        "Do we adopt a four-day on-call rotation?",
        "On-call fatigue shows in the survey.",
    ),
    ("northwind", "Do we enter the Nordic market next year?", "Two distributors approached us."),
    (
        "product",
        "Which two roadmap bets do we cut for the winter release?",
        "Capacity is 20% short.",
    ),
    ("storefront", "Do we remove guest checkout?", "Guest orders have twice the fraud rate."),
    (
        "data",
        "Do we keep raw clickstream longer than 13 months?",
        "Storage cost vs. year-on-year analysis.",
    ),
    ("customer-success", "Do we merge Onboarding into Support?", "Handovers lose context."),
    ("go-to-market", "Do we run a spring sale?", "Last year's sale cut margin by 6 points."),
    (
        "operations",
        "Do we insource last-mile delivery in the capital?",
        "Carrier quality is slipping.",
    ),
    ("security", "Do we allow personal phones for work e-mail?", "Staff ask for it; risk is real."),
]
# The options an open decision weighs, (title, pros, cons), and the outcome its driver
# proposes if it is put forward (every third one is), answering its question: for a
# yes-or-no question these two, for any other its own (`OPEN_OPTIONS`).
YES_OR_NOT_NOW = [
    ("Yes", "Moves us forward", "Cost and change"),
    ("Not now", "Focus", "The problem stays"),
]
PROPOSED_YES = "Yes, with a review after one quarter."
OPEN_OPTIONS = {
    "Which two roadmap bets do we cut for the winter release?": (
        [
            (
                "AR try-on and the marketplace pilot",
                "Frees the Platform work both need",
                "Two launches wait for spring",
            ),
            (
                "Gift-card redesign and the marketplace pilot",
                "AR try-on ships for the season",
                "Gift cards stay clunky another season",
            ),
        ],
        "Cut AR try-on and the marketplace pilot; both go back into spring planning.",
    ),
}
# Decisions that pile up on the chief executive on top of the open ones above: with them
# five wait on her, the approver bottleneck Insights shows. (team slug, question, context,
# days open, days to decide)
WAITING_ON_MAYA = [
    (
        "engineering",
        "Do we freeze hiring for contractors until the platform migration ends?",
        "Contractor spend is 18% over plan.",
        16,
        10,
    ),
    (
        "go-to-market",
        "Do we move the loyalty launch to after the spring sale?",
        "Both compete for the same storefront and marketing weeks.",
        9,
        14,
    ),
]

# team slug, title, description, severity, escalations (how many levels up), solved?
ISSUES = [
    (
        "platform",
        "Production database at 85% disk",
        "Growth faster than forecast.",
        "high",
        0,
        False,
    ),
    (
        "platform",
        "Flaky integration tests block merges",
        "One in five pipelines fails.",
        "medium",
        0,
        True,
    ),
    (
        "storefront",
        "Payment provider fees doubled",
        "New pricing from next month; no budget line.",
        "critical",
        2,
        False,
    ),
    (
        "mobile",
        "App store review rejected the release",
        "Account deletion flow missing.",
        "high",
        0,
        True,
    ),
    (
        "fulfilment",
        "Scanner firmware crashes at the north warehouse",
        "Twice a shift.",
        "high",
        1,
        False,
    ),
    (
        "field-sales",
        "Quotes take five days to approve",
        "Deals slip to next quarter.",
        "medium",
        1,
        False,
    ),
    ("support", "Ticket backlog above 2,000", "Weekend backlog never clears.", "high", 0, False),
    ("data", "Revenue numbers differ between finance and dashboards", "By 3%.", "medium", 0, False),
    (
        "design",
        "No accessibility review before release",
        "Two complaints this month.",
        "medium",
        0,
        False,
    ),
    (
        "growth-marketing",
        "Attribution broken since the cookie change",
        "Creators look worthless.",
        "low",
        0,
        False,
    ),
    (
        "supply-chain",
        "Port strike threatens the spring collection",
        "Three containers held.",
        "critical",
        1,
        True,
    ),
]
# how reliably each team does what it says (share done on time), for believable spread
RELIABILITY = {
    "platform": 0.9,
    "security": 0.88,
    "data": 0.8,
    "storefront": 0.75,
    "mobile": 0.7,
    "product-management": 0.78,
    "design": 0.82,
    "user-research": 0.85,
    "support": 0.6,
    "onboarding": 0.7,
    "loyalty": 0.65,
    "brand-marketing": 0.72,
    "growth-marketing": 0.55,
    "field-sales": 0.45,
    "inside-sales": 0.6,
    "sales-operations": 0.8,
    "supply-chain": 0.7,
    "fulfilment": 0.58,
    "retail-operations": 0.5,
}
ACTIONS = [
    "Write up the proposal",
    "Share the numbers with the team",
    "Book a review with the leads",
    "Update the runbook",
    "Draft the announcement",
    "Collect customer quotes",
    "Check the contract terms",
    "Estimate the cost",
    "Ask Finance for the budget line",
    "Run the experiment",
    "Close the open tickets",
    "Prepare the demo",
]


def load(ctx: DemoContext) -> None:
    org, today = ctx.org, ctx.today
    # Our own generator, seeded from the demo's seed: the decisions stay the same when
    # another app's demo draws more or fewer numbers from the shared one.
    rng = random.Random(f"{SEED}-decisions")
    members: dict[int, list] = defaultdict(list)
    leads: dict[int, list] = defaultdict(list)
    for m in Membership.objects.for_org(org).select_related("person").order_by("id"):
        members[m.team_id].append(m.person)
        if m.role == MembershipRole.LEAD:
            leads[m.team_id].append(m.person)
    maya = ctx.login
    teams = ctx.teams

    def lead_of(slug):
        t = teams[slug]
        return (leads[t.pk] or members[t.pk] or [maya])[0]

    def parent_lead(slug):
        t = teams[slug]
        parent = next((p for p in teams.values() if p.pk == t.parent_id), None)
        return lead_of(parent.slug) if parent else maya

    def someone(slug):
        return rng.choice(members[teams[slug].pk] or [maya])

    decided = []
    for n, (slug, question, context, options, outcome, rationale) in enumerate(DECISIONS):
        opened = today - dt.timedelta(days=rng.randint(20, 170))
        latency = (
            rng.choice([1, 2, 3, 4, 6, 8, 12])
            if slug in ("platform", "security", "data")
            else rng.choice([2, 5, 9, 14, 21, 30])
        )
        approver = parent_lead(slug) if n % 3 == 0 else lead_of(slug)
        team = teams[slug]
        others = [t for t in teams.values() if t.parent_id == team.parent_id and t.pk != team.pk]
        driver = someone(slug)
        contributors = rng.sample(members[team.pk], min(2, len(members[team.pk])))
        affected = [team, *rng.sample(others, min(len(others), n % 2))]
        # Due on the day it was decided or later: a past decision the story has decided on
        # time (Insights' weeks would otherwise see it overdue for a day or two, on some
        # days of the week the demo is loaded and not on others).
        decide_by = opened + dt.timedelta(days=max(1, latency, latency + rng.randint(-2, 7)))
        with happened(_at(opened, 9 + n % 6), by=driver):
            d = services.create_decision(
                org,
                None,
                question,
                approver=approver,
                context=context,
                driver=driver,
                contributors=contributors,
                informed=[lead_of(slug)] + ([maya] if n % 4 == 0 else []),
                teams=affected,
                decide_by=decide_by,
                opened_at=_at(opened, 9 + n % 6),
                revisit_on=today + dt.timedelta(days=90 + n) if n % 5 == 0 else None,
            )
            for title, pros, cons in options:
                services.add_option(org, None, d, title, pros=pros, cons=cons)
        decided_at = _at(min(opened + dt.timedelta(days=latency), today - dt.timedelta(days=1)), 15)
        with happened(decided_at, by=approver):
            services.decide(
                org, None, d, outcome=outcome, rationale=rationale, decided_at=decided_at
            )
        decided.append(d)

    # Supersede three and reverse two, keeping the originals.
    replacements = [
        (
            decided[1],
            "Do we move the build runners to ARM, including release builds?",
            "ARM for every pipeline, release builds included.",
            "The release tooling now supports ARM.",
        ),
        (
            decided[7],
            "Do we keep a weekly sales summary instead of the nightly report?",
            "A weekly summary to the sales leads only.",
            "The leads asked for a weekly digest.",
        ),
        (
            decided[11],
            "How much paid-search budget goes to creators next quarter?",
            "30% to creators after the holdout test.",
            "The test showed half the cost per order.",
        ),
    ]
    for old, question, outcome, reason in replacements:
        with happened(_at(today - dt.timedelta(days=12)), by=old.driver):
            new = services.create_decision(
                org,
                None,
                question,
                approver=old.approver,
                driver=old.driver,
                teams=list(old.teams.all()),
                opened_at=_at(today - dt.timedelta(days=12)),
            )
        decided_at = _at(today - dt.timedelta(days=5))
        with happened(decided_at, by=old.approver):
            services.decide(
                org, None, new, outcome=outcome, rationale=reason, decided_at=decided_at
            )
            services.supersede(org, None, old, by=new, reason=reason, closed_at=decided_at)
    for d, reason in (
        (decided[19], "A large B2B customer relies on the registry."),
        (decided[14], "Margin fell further; changing now after all."),
    ):
        d.refresh_from_db()
        # In the last days, and not before the day after it was decided.
        when = max(lately(ctx, "reversed", d.question), d.decided_at + dt.timedelta(hours=20))
        when = min(when, timezone.now())  # read once: the event and the decision agree
        with happened(when, by=d.approver):
            services.reverse(org, None, d, reason=reason, closed_at=when)

    # Open and proposed decisions: some overdue, some waiting on Maya.
    for n, (slug, question, context) in enumerate(OPEN_DECISIONS):
        opened = today - dt.timedelta(days=rng.randint(3, 40))
        approver = maya if n in (1, 4, 7) else lead_of(slug)
        due = opened + dt.timedelta(days=rng.choice([7, 10, 14, 21, 45, 60]))
        driver = someone(slug)
        with happened(_at(opened), by=driver):
            d = services.create_decision(
                org,
                None,
                question,
                approver=approver,
                context=context,
                driver=driver,
                teams=[teams[slug]],
                decide_by=due,
                opened_at=_at(opened),
                informed=[lead_of(slug)],
            )
            options, proposal = OPEN_OPTIONS.get(question, (YES_OR_NOT_NOW, PROPOSED_YES))
            for title, pros, cons in options:
                services.add_option(org, None, d, title, pros=pros, cons=cons)
        if n % 3 == 2:
            # Proposed in the last days (two days after opening at the earliest).
            when = max(_at(opened + dt.timedelta(days=2), 14), lately(ctx, "proposed", question))
            # Never later than now, read once: the event and the decision say one moment.
            when = min(when, timezone.now())
            with happened(when, by=driver):
                services.propose(org, None, d, outcome=proposal, proposed_at=when)

    for slug, question, context, days_open, days_to_decide in WAITING_ON_MAYA:
        opened = today - dt.timedelta(days=days_open)
        with happened(_at(opened), by=lead_of(slug)):
            d = services.create_decision(
                org,
                None,
                question,
                approver=maya,
                context=context,
                driver=lead_of(slug),
                teams=[teams[slug]],
                decide_by=opened + dt.timedelta(days=days_to_decide),
                opened_at=_at(opened),
                informed=[lead_of(slug)],
            )
            services.add_option(org, None, d, "Yes", pros="Frees the team", cons="Delays plans")
            services.add_option(org, None, d, "No", pros="Keeps the plan", cons="The strain stays")

    # Action items: believable follow-through per team.
    for slug, p in RELIABILITY.items():
        team = teams[slug]
        people = members[team.pk] or [maya]
        for k in range(rng.randint(6, 10)):
            created = today - dt.timedelta(days=rng.randint(5, 95))
            due = created + dt.timedelta(days=rng.randint(3, 21))
            owner = rng.choice(people)
            source = ("decisions.decision", rng.choice(decided).pk) if k % 4 == 0 else ("", None)
            with happened(_at(created)):
                item = services.create_action_item(
                    org,
                    lead_of(slug),  # leads hand out their teams' work: "Handed out by you"
                    rng.choice(ACTIONS),
                    owner,
                    due_on=due,
                    team=team,
                    source_type=source[0],
                    source_id=source[1],
                    created_at=_at(created),
                )
            if due >= today:
                continue
            roll = rng.random()
            if roll < p:
                done = due - dt.timedelta(days=rng.randint(0, 3))
                done_at = _at(max(done, created), 16)
                with happened(done_at, by=owner):
                    services.complete_action_item(org, None, item, done_at=done_at)
            elif roll < p + (1 - p) * 0.6:
                done = min(due + dt.timedelta(days=rng.randint(1, 9)), today)
                done_at = min(_at(done, 16), timezone.now())  # today: not later than now
                with happened(done_at, by=owner):
                    services.complete_action_item(org, None, item, done_at=done_at)
            elif roll > 0.97:
                # Dropped by the lead in the last days, past its due date.
                # Never later than now, read once: the event and the item say one moment.
                when = min(lately(ctx, "dropped", slug, k), timezone.now())
                with happened(when, by=lead_of(slug)):
                    services.drop_action_item(org, None, item, dropped_at=when)
        # one open item without a due date per team, written down in the last days
        when = lately(ctx, "wiki", slug)
        with happened(when, by=lead_of(slug)):
            services.create_action_item(
                org, None, "Tidy the team wiki", rng.choice(people), team=team, created_at=when
            )
    # Maya's own list, two weeks old: handed to her by the heads of Operations and
    # Go-to-Market, and one she wrote down herself.
    for title, days, by in (
        ("Approve the Q3 hiring plan", -4, lead_of("operations")),
        ("Reply to the Nordic distributor", -1, lead_of("go-to-market")),
        ("Read the supply-chain risk memo", 3, lead_of("operations")),
        ("Prepare the board update", 9, maya),
    ):
        with happened(_at(today - dt.timedelta(days=14)), by=by):
            services.create_action_item(
                org,
                None,
                title,
                maya,
                due_on=today + dt.timedelta(days=days),
                team=teams["northwind"],
                created_at=_at(today - dt.timedelta(days=14)),
            )

    # Issues at several levels; one climbs twice to the top.
    by_pk = {t.pk: t for t in teams.values()}
    for slug, title, description, severity, ups, solved in ISSUES:
        opened = today - dt.timedelta(days=rng.randint(4, 35) + 10 * ups)
        raiser = someone(slug)
        with happened(_at(opened), by=raiser):
            issue = services.raise_issue(
                org,
                None,
                teams[slug],
                title,
                description=description,
                severity=severity,
                opened_at=_at(opened),
                raised_by=raiser,
            )
        at = opened
        level_team = teams[slug]  # where the issue is: its lead escalates it or solves it
        for level in range(ups):
            at = at + dt.timedelta(days=rng.randint(3, 8))
            with happened(_at(min(at, today)), by=lead_of(level_team.slug)):
                services.escalate_issue(
                    org,
                    None,
                    issue,
                    [
                        "The team cannot fix this within its own budget.",
                        "Needs a company-level trade-off between departments.",
                    ][level % 2],
                    at=_at(min(at, today)),
                )
            level_team = by_pk.get(level_team.parent_id, level_team)
        if solved:
            solved_at = _at(min(at + dt.timedelta(days=3), today))
            with happened(solved_at, by=lead_of(level_team.slug)):
                services.solve_issue(
                    org,
                    None,
                    issue,
                    "Agreed a fix and owners; see the action items.",
                    at=solved_at,
                )
                services.create_action_item(
                    org,
                    None,
                    f"Follow up: {title}",
                    lead_of(slug),
                    team=teams[slug],
                    due_on=today + dt.timedelta(days=7),
                    source_type="decisions.issue",
                    source_id=issue.pk,
                )
    _link_to_objectives(ctx, decided)
    # What Accord's worker notices, already in the story: each overdue decision marked in
    # the morning of the day it became overdue, each stuck issue when it got stuck, not on
    # the day of the first worker run after the load.
    with happened(lambda e: _at(dt.date.fromisoformat(e.after["overdue_since"]), 7)):
        services.flag_overdue_decisions(org, today)
    with happened(lambda e: dt.datetime.fromisoformat(e.after["stuck_since"])):
        services.flag_stale_issues(org)
    ctx.extra["decisions"] = decided


def _link_to_objectives(ctx: DemoContext, decided: list) -> None:
    """Say which objective each decision serves, from what the alignment demo recorded:
    its driver did when opening it (the supplier decision was linked to the 3PL contract by
    its driver when the contract slipped).

    Read from the event log (the objective's creation names its team and title), so this
    app needs nothing of alignment's models; with no alignment data nothing is linked.
    """
    org = ctx.org
    objective_of_team: dict[int, tuple[int, str]] = {}
    for target_id, label, after in (
        Event.objects.for_org(org)
        .filter(target_type="alignment.objective", verb="created")
        .order_by("id")
        .values_list("target_id", "target_label", "after")
    ):
        if after.get("team"):
            objective_of_team[after["team"]] = (int(target_id), label)
    for d in decided:
        for team in d.teams.all():
            if team.pk in objective_of_team:
                obj_id, label = objective_of_team[team.pk]
                with happened(d.opened_at + dt.timedelta(minutes=20), by=d.driver):
                    services.link(org, None, d, "alignment.objective", obj_id, label)
                break
    coordination = ctx.extra.get("coordination", {})
    slipped = coordination.get("slipped_initiative")
    if slipped:
        label = (
            Event.objects.for_org(org)
            .filter(target_type="alignment.initiative", target_id=str(slipped))
            .values_list("target_label", flat=True)
            .first()
        )
        supplier = next((d for d in decided if "second supplier" in d.question), None)
        if supplier is not None:
            when = coordination.get("slipped_at", timezone.now()) + dt.timedelta(hours=2)
            with happened(when, by=supplier.driver):
                services.link(org, None, supplier, "alignment.initiative", slipped, label or "")
