"""Northwind Outfitters: ~150 people in five departments and ~22 teams, plus a guild, a
working group still forming and a retired team."""

from __future__ import annotations

import datetime as dt
import zlib
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from accord.activity.models import Event
from accord.demo import DEMO_LOGIN, DEMO_PASSWORD, DemoContext, at, happened
from accord.org import services
from accord.org.models import Membership, MembershipRole, Role, TeamState

# Its people had joined their teams up to this long before that (a team still forming, in
# the last weeks before it): each term's `started_on` (`_terms_began`).
TENURE_DAYS = 6 * 365
FORMING_DAYS = 8 * 7

# department slug, name, description, [(team slug, team name, size)]
STRUCTURE = [
    (
        "go-to-market",
        "Go-to-Market",
        "Marketing and sales: pipeline, brand and revenue.",
        [
            ("brand-marketing", "Brand Marketing", 7),
            ("growth-marketing", "Growth Marketing", 8),
            ("field-sales", "Field Sales", 10),
            ("inside-sales", "Inside Sales", 9),
            ("sales-operations", "Sales Operations", 6),
        ],
    ),
    (
        "operations",
        "Operations",
        "Supply chain, fulfilment and the stores that sell.",
        [
            ("supply-chain", "Supply Chain", 8),
            ("fulfilment", "Fulfilment", 10),
            ("retail-operations", "Retail Operations", 8),
        ],
    ),
    (
        "product",
        "Product",
        "What we build and why: product management, design, research.",
        [
            ("product-management", "Product Management", 7),
            ("design", "Design", 6),
            ("user-research", "User Research", 4),
        ],
    ),
    (
        "engineering",
        "Engineering",
        "The platform, the storefront and the data behind them.",
        [
            ("platform", "Platform", 10),
            ("storefront", "Storefront", 9),
            ("mobile", "Mobile", 7),
            ("data", "Data & Analytics", 7),
            ("security", "Security", 5),
        ],
    ),
    (
        "customer-success",
        "Customer Success",
        "Keeping customers: support, onboarding, loyalty.",
        [
            ("support", "Customer Support", 10),
            ("onboarding", "Onboarding", 6),
            ("loyalty", "Loyalty & Retention", 6),
        ],
    ),
]

FIRST = [
    "Maya",
    "Liam",
    "Aisha",
    "Noah",
    "Sofia",
    "Mateo",
    "Chloe",
    "Ethan",
    "Priya",
    "Lucas",
    "Amara",
    "Oliver",
    "Yuki",
    "Elias",
    "Zara",
    "Hugo",
    "Leila",
    "Arjun",
    "Nora",
    "Felix",
    "Ines",
    "Kofi",
    "Hana",
    "Tomas",
    "Freya",
    "Omar",
    "Mila",
    "Jonas",
    "Ayla",
    "Diego",
    "Saanvi",
    "Henrik",
    "Lena",
    "Tariq",
    "Emma",
    "Rafael",
    "Keiko",
    "Samir",
    "Clara",
    "Ibrahim",
]
LAST = [
    "Chen",
    "Okafor",
    "Garcia",
    "Müller",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Nakamura",
    "Silva",
    "Johansson",
    "Dubois",
    "Patel",
    "Novak",
    "Andersen",
    "Kim",
    "Mensah",
    "O'Brien",
    "Costa",
    "Yilmaz",
    "Fischer",
    "Tanaka",
    "Moreau",
    "Ivanova",
    "Nguyen",
    "Larsen",
    "Ahmed",
    "Romero",
    "Schmidt",
    "Bianchi",
    "Walsh",
]
# Where a few teams live elsewhere: their links.
LINKS = {
    "platform": {
        "mission": "Paved roads for every product team: build, deploy, observe.",
        "website": "https://platform.northwind.example.com",
        "repository": "https://git.northwind.example.com/platform",
        "chat": "#platform",
        "mailing_list": "platform@northwind.example.com",
    },
    "storefront": {
        "mission": "The online store customers love to come back to.",
        "repository": "https://git.northwind.example.com/storefront",
        "chat": "#storefront",
    },
    "support": {
        "mission": "Every customer question answered the same day.",
        "chat": "#support",
        "mailing_list": "support-team@northwind.example.com",
    },
}
# Team leads of these teams can sign in too, to see Accord as a team lead does.
LOGIN_TEAMS = {"platform", "field-sales", "support"}
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "Asia/Kolkata",
    "America/Los_Angeles",
]
# Where each department works: its people live there (its meetings are held in its time),
# but for those who work from elsewhere (`_zone`).
ZONE_OF_DEPT = {
    "go-to-market": "America/New_York",
    "operations": "Europe/London",
    "product": "Europe/Berlin",
    "engineering": "Europe/Berlin",
    "customer-success": "America/Chicago",
}
TITLES = {
    "lead": ["Team Lead", "Manager", "Head of {team}"],
    "member": ["Specialist", "Analyst", "Engineer", "Designer", "Coordinator", "Associate"],
}


def _names(rng, count):
    seen, out = set(), []
    while len(out) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in seen and name != "Maya Chen":
            seen.add(name)
            out.append(name)
    return out


def _email(name: str) -> str:
    local = name.lower().replace("'", "").replace("ü", "u").replace(" ", ".")
    return f"{local}@northwind.example"


def load(ctx: DemoContext) -> None:
    """The day Northwind began using Accord: Accord made Maya its first admin, and she set
    up the teams and people that morning; the rest of the story came after."""
    org = ctx.org
    setup = ctx.began + dt.timedelta(hours=9)
    user = _login(DEMO_LOGIN, "Maya Chen")
    with happened(setup):
        maya = services.add_person(
            org,
            None,
            name="Maya Chen",
            email=DEMO_LOGIN,
            title="Chief Operating Officer",
            role=Role.ADMIN,
            timezone="Europe/Berlin",
            user=user,
        )
    ctx.login = maya
    ctx.people.append(maya)
    with happened(setup + dt.timedelta(minutes=5), by=maya):
        _structure(ctx, maya)
        _lifecycle(ctx)
    _identities(ctx)
    _terms_began(ctx)


def _structure(ctx: DemoContext, maya) -> None:
    org, rng = ctx.org, ctx.rng
    root = services.create_team(
        org,
        None,
        name="Northwind Outfitters",
        slug="northwind",
        description="The whole company: five departments, one operating rhythm.",
        mission="Outfit people for the outdoors, in stores and online.",
        website="https://northwind.example.com",
    )
    ctx.teams[root.slug] = root
    services.add_membership(
        org, None, person=maya, team=root, role=MembershipRole.LEAD, allocation=100
    )

    total = sum(size for *_, teams in STRUCTURE for *_x, size in teams) + len(STRUCTURE)
    names = iter(_names(rng, total))
    for dept_slug, dept_name, dept_desc, teams in STRUCTURE:
        dept = services.create_team(
            org,
            None,
            name=dept_name,
            slug=dept_slug,
            parent=root,
            description=dept_desc,
            kind="department",
        )
        ctx.teams[dept.slug] = dept
        head_name = next(names)
        home = ZONE_OF_DEPT[dept_slug]
        # A department's head works where it does.
        head = _person(
            ctx, head_name, f"VP {dept_name}", Role.LEADER, with_login=True, home=home, stay=True
        )
        services.add_membership(
            org, None, person=head, team=dept, role=MembershipRole.LEAD, allocation=100
        )
        for slug, name, size in teams:
            team = services.create_team(
                org, None, name=name, slug=slug, parent=dept, kind="team", **LINKS.get(slug, {})
            )
            ctx.teams[slug] = team
            for i in range(size):
                person_name = next(names)
                is_lead = i == 0
                title = (
                    rng.choice(TITLES["lead"]).format(team=name)
                    if is_lead
                    else rng.choice(TITLES["member"])
                )
                person = _person(
                    ctx,
                    person_name,
                    title,
                    Role.MEMBER if not is_lead or rng.random() < 0.6 else Role.LEADER,
                    with_login=is_lead and slug in LOGIN_TEAMS,
                    home=home,
                )
                allocation = 100 if rng.random() < 0.8 else 60
                services.add_membership(
                    org,
                    None,
                    person=person,
                    team=team,
                    role=MembershipRole.LEAD if is_lead else MembershipRole.MEMBER,
                    allocation=allocation,
                )
                ctx.extra.setdefault("split", []).append((person, team, allocation))

    # A few people split their time across two teams: the matrix every company has.
    splits = [(p, t, a) for p, t, a in ctx.extra.pop("split") if a == 60][:12]
    team_list = [t for t in ctx.teams.values() if t.parent_id and t.parent_id != root.pk]
    for person, team, _ in splits:
        other = rng.choice([t for t in team_list if t.pk != team.pk])
        services.add_membership(org, None, person=person, team=other, allocation=40)

    # One read-only viewer, so the role is visible in the demo.
    _person(ctx, "Vera Board", "Board observer", Role.VIEWER, with_login=True)


def _lifecycle(ctx: DemoContext) -> None:
    """Teams come and go: a guild, a working group still forming and a team retired in
    the summer, whose history stays readable. Kept out of `ctx.teams` (the other pillars'
    random choices), so the rest of the demo is the same as before."""
    org, teams = ctx.org, ctx.teams
    services.create_team(
        org,
        None,
        name="Accessibility Guild",
        slug="accessibility-guild",
        parent=teams["product"],
        kind="guild",
        state="advisory",
        mission="Make every page and store usable by everyone; reviews on request.",
        chat="#a11y",
    )
    services.create_team(
        org,
        None,
        name="Shopping Assistant WG",
        slug="shopping-assistant-wg",
        parent=teams["engineering"],
        kind="working-group",
        state="forming",
        mission="Decide whether an AI shopping assistant belongs in the storefront.",
        chat="#wg-shopping-assistant",
    )
    catalogue = services.create_team(
        org,
        None,
        name="Print Catalogue",
        slug="print-catalogue",
        parent=teams["go-to-market"],
        kind="team",
        mission="Produce the twice-yearly printed catalogue.",
        description="Retired when the catalogue went online-only; its people joined Brand "
        "Marketing.",
        mailing_list="catalogue@northwind.example.com",
    )
    retired = ctx.today - dt.timedelta(days=120)
    head = Membership.objects.filter(team=teams["go-to-market"]).order_by("id").first()
    with happened(at(retired, 17), by=head.person if head else None):
        catalogue = services.retire_team(org, None, catalogue, on=retired)
    _roles(ctx, guild=org.team_set.get(slug="accessibility-guild"), catalogue=catalogue)


def _roles(ctx: DemoContext, *, guild, catalogue) -> None:
    """Roles a real company has beyond lead and member: a volunteer guild with a chair and
    unknown allocations, a liaison from Design to it, a working group whose lead position
    is open, and past lead terms (who led Brand Marketing before, and the retired
    catalogue team). Uses no random numbers, so the rest of the demo stays the same."""
    org, teams, today = ctx.org, ctx.teams, ctx.today
    days = dt.timedelta(days=1)

    def members(slug: str) -> list:
        return [
            m.person
            for m in Membership.objects.filter(team=teams[slug])
            .select_related("person")
            .order_by("role", "person__name")
        ]

    design, web = members("design"), members("storefront")
    volunteers = [design[1], design[2], web[1]]
    services.add_membership(
        org,
        None,
        person=volunteers[0],
        team=guild,
        role="chair",
        allocation=None,
        started_on=today - 200 * days,
    )
    for person in volunteers[1:]:
        services.add_membership(org, None, person=person, team=guild, allocation=None)
    services.link_teams(org, None, teams["design"], guild, "liaison", person=volunteers[1])

    wg = org.team_set.get(slug="shopping-assistant-wg")
    services.add_membership(org, None, person=web[2], team=wg, allocation=None)
    services.add_membership(org, None, person=members("user-research")[1], team=wg, allocation=None)
    head = Membership.objects.filter(team=teams["engineering"]).order_by("id").first()
    with happened(at(today - 21 * days, 11), by=head.person if head else None):
        services.open_vacancy(
            org,
            None,
            wg,
            role=MembershipRole.LEAD,
            since=today - 21 * days,
            note="Someone from Product to lead the decision; ask Maya.",
        )

    gtm_head = members("go-to-market")[0]
    services.add_membership(
        org,
        None,
        person=gtm_head,
        team=teams["brand-marketing"],
        role=MembershipRole.LEAD,
        allocation=None,
        started_on=today - 900 * days,
        ended_on=today - 400 * days,
    )
    brand = members("brand-marketing")
    services.add_membership(  # before the catalogue was retired
        org,
        None,
        person=brand[1],
        team=catalogue,
        role=MembershipRole.LEAD,
        allocation=None,
        started_on=today - 1100 * days,
        ended_on=catalogue.retired_on,
    )


def _identities(ctx: DemoContext) -> None:
    """The people who sign in are known elsewhere too: a short second address, a chat
    handle and, for Engineering's, a code-host one (Maya is `@maya` on chat), each added by
    the person in their first days. Uses no random numbers, so the rest of the demo stays
    the same."""
    org = ctx.org
    eng = ctx.teams["engineering"]
    engineering = set(
        Membership.objects.filter(Q(team=eng) | Q(team__parent=eng)).values_list(
            "person", flat=True
        )
    )
    for n, person in enumerate(ctx.people):
        if person.user_id is None or person.role == Role.VIEWER:
            continue
        first, _, last = _email(person.name).partition("@")[0].partition(".")
        if person.email == DEMO_LOGIN:
            alias, chat = "maya@northwind.example", "maya"
        else:
            alias, chat = f"{first[0]}{last}@northwind.example", f"{first}.{last}"
        handles = [f"slack:{chat}"]
        if person.pk in engineering:
            handles.append(f"github:{first[0]}{last}-nw")
        first_days = ctx.began + dt.timedelta(days=1 + n % 6, hours=9 + n % 8)
        with happened(first_days, by=person):
            services.update_person(org, None, person, emails=[alias], handles=handles)


@cache
def _password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it


def _login(email: str, name: str):
    user = services.ensure_user(email, None, name=name)
    user.password = _password_hash()
    user.save(update_fields=["password"])
    return user


def _zone(ctx: DemoContext, home: str, stay: bool = False) -> str:
    """Where a person of a department working in `home` lives: there (`stay`: always),
    but for about one in six who works from Bengaluru and one in six from the West Coast.
    One draw per person whatever the answer, as the story's later choices assume."""
    drawn = ctx.rng.choice(ZONES)
    return drawn if not stay and drawn in ("Asia/Kolkata", "America/Los_Angeles") else home


def _person(
    ctx: DemoContext,
    name: str,
    title: str,
    role: str,
    *,
    with_login: bool,
    home: str = "Europe/Berlin",
    stay: bool = False,
):
    email = _email(name)
    user = _login(email, name) if with_login else None
    person = services.add_person(
        ctx.org,
        None,
        name=name,
        email=email,
        title=title,
        role=role,
        timezone=_zone(ctx, home, stay),
        user=user,
    )
    ctx.people.append(person)
    return person


def _terms_began(ctx: DemoContext) -> None:
    """The terms Maya entered on the first morning had begun long before: each current one
    without a start is given the day its holder joined the team (in the `TENURE_DAYS`
    before Northwind began using Accord, `FORMING_DAYS` for a team still forming, and not
    before a term of the team whose start the organization's part gave, the guild's chair's),
    as she entered it: the term and the event that recorded it. Picked by who and which
    team, so the same on every load; uses no random numbers, so the rest stays the same.
    Both written in bulk: a couple of statements, not one per term."""
    last = ctx.began.date() - dt.timedelta(days=1)
    terms = list(
        Membership.objects.filter(org=ctx.org).select_related("person", "team").order_by("pk")
    )
    founded: dict[int, dt.date] = {}
    for m in terms:
        if m.started_on is not None:
            founded[m.team_id] = min(m.started_on, founded.get(m.team_id, m.started_on))
    undated = [m for m in terms if m.started_on is None]
    for m in undated:
        days = FORMING_DAYS if m.team.state == TeamState.FORMING else TENURE_DAYS
        first = max(last - dt.timedelta(days=days), founded.get(m.team_id, dt.date.min))
        h = zlib.crc32(f"{m.person.email}/{m.team.slug}".encode())
        m.started_on = first + dt.timedelta(days=h % ((last - first).days + 1))
    Membership.objects.bulk_update(undated, ["started_on"], batch_size=500)
    starts = {str(m.pk): m.started_on.isoformat() for m in undated}
    events = list(
        Event._base_manager.filter(
            org=ctx.org, target_type="org.membership", verb="created", target_id__in=starts
        )
    )
    for event in events:
        event.after = {**event.after, "started_on": starts[event.target_id]}
    # The log is append-only for the product; the demo writes its own story's, as `_Dates`.
    Event._base_manager.bulk_update(events, ["after"], batch_size=500)
