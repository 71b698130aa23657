"""The shell every page shares: navigation, organization switcher, the user's person."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from accord.conversation.queries import with_unread
from accord.core import background
from accord.org.queries import people_of_login
from accord.web.helpers import can_write
from accord.web.templatetags.links import reverse_remembered

# (URL name, label, what it is for) — the five pillars first, then the organization itself.
PILLAR_NAV = [
    ("web:home", "Home", "Your week and what needs you"),
    ("alignment:index", "Alignment", "Objectives, key results and initiatives"),
    ("coordination:index", "Coordination", "Cross-team dependencies"),
    ("rhythm:index", "Rhythm", "Cadences, check-ins and meetings"),
    ("decisions:index", "Decisions", "Decision log, action items and issues"),
    ("intelligence:index", "Insights", "Signals, health and briefings"),
    ("briefings:index", "Briefings", "Your weekly briefings"),
]
ORG_NAV = [
    ("org:teams", "Teams", "The team directory"),
    ("org:people", "People", "Everyone in the organization"),
    ("web:activity", "Activity", "Every change, as it happened"),
    ("interchange:index", "Import & export", "Organization files, CSV, the Kubernetes import"),
    ("sources:integrations", "Integrations", "Work trackers: GitHub, GitLab, Jira"),
]
# Shown to admins only, after ORG_NAV.
ADMIN_NAV = [
    ("hooks:index", "Webhooks", "Send the organization's events to the tools it runs"),
    ("org:settings", "Organization settings", "Its name, its facts, every settings page"),
]
# Pages the Ctrl-K palette also goes to by name, beside the navigation's (a member's
# everyday destinations): (URL name, label, what it is for, other names for it).
PALETTE_PAGES = [
    ("rhythm:index", "My week", "Your check-ins, meetings and what is due", ("check-ins",)),
    (
        "rhythm:settings",
        "Notifications, time off and calendar",
        "What Accord tells you, and how; your time zone, time off and calendar feed",
        ("reminders", "e-mail", "away", "settings", "time zone"),
    ),
    ("conversation:inbox", "Inbox", "Mentions and notices for you", ("notifications",)),
    ("decisions:actions", "Action items", "Your action items", ("actions", "to do", "tasks")),
    (
        "decisions:waiting",
        "Waiting on me",
        "Decisions you approve or drive, your open action items",
        ("approvals",),
    ),
    (
        "coordination:list",
        "Dependencies",
        "What teams need from each other",
        # The reader's own teams' requests come first (TEAM_PAGES).
        ("waiting on others", "requests"),
    ),
    ("coordination:map", "Dependency map", "Who needs what from whom, drawn", ("graph",)),
    (
        "coordination:new",
        "Ask another team",
        "Request something another team must deliver",
        ("new request", "new dependency"),
    ),
    ("decisions:issues", "Issues", "Problems raised by teams, escalated", ("problems",)),
    ("decisions:index", "Decision log", "Every decision, open and made", ()),
    ("alignment:initiatives", "Initiatives", "The work teams do", ("projects", "work")),
    ("alignment:milestones", "Milestones", "Dates that work is held to", ()),
    ("rhythm:cadences", "Cadences", "Planning, check-ins, reviews", ("meetings",)),
    ("intelligence:index", "Insights", "Signals, health and briefings", ("signals", "health")),
]
PALETTE_SHOWN = 4  # "Go to" moves the palette offers at most


# Pages every organization has and everyone in it may read: switching organizations from
# one opens the same page in the other (its home from any other page; ADMIN_NAV's where the
# login is an admin there too; one's own profile opens one's profile there).
SAME_IN_EVERY_ORG = frozenset(
    {name for name, *_ in PILLAR_NAV + ORG_NAV + PALETTE_PAGES}
    - {"coordination:new"}  # a form a viewer may not use
    | {"api-settings:tokens", "web:password"}
)
ADMIN_PAGES = frozenset(name for name, *_ in ADMIN_NAV)
# A page's query parameters that name one organization's things (a team, a person, a
# period, an objective, an initiative, what decisions are about) or a place in its lists
# (a page of them), and those that only qualify such a thing (`only` the team alone, `own`
# its own signals, `raised` by it, `direction` to or from it, `depth` below a parent):
# switching organizations leaves them out, as they mean nothing, or something else, in
# the other. A page's other filters (a status, a kind, a sort, a search, dates, whose
# items: `mine`) mean the same in every organization and are kept.
OWN_PARAMS = frozenset(
    {
        *("team", "only", "own", "raised", "direction", "outside", "parent", "depth"),
        *("person", "owner", "owners", "actor", "approver", "driver"),
        *("period", "objective", "initiative", "key_result", "cadence", "about"),
        *("page", "comments_page", "comment"),
    }
)
# The Insights page's `scope` is a team's id, or "all" (the whole organization).
EVERY_TEAM = {"intelligence:index": {"scope": "all"}}


def _starts_words(words: list[str], text: str) -> bool:
    names = text.lower().split()
    return all(any(n.startswith(w) for n in names) for w in words)


# A team's pages the palette offers each of its members, by these words (by the team's
# name, the search's own hit for the team comes first): (URL name, label, what it is for,
# other names for it, the query string of a list cut to the team, or "" for a page of the
# team's own).
TEAM_PAGES = [
    ("alignment:team", "{team} priorities", "Its ranked initiatives", ("priorities", "stack"), ""),
    ("org:team", "{team}", "The team's page", ("my team",), ""),
    (
        "coordination:list",
        "{team}: waiting on others",
        "Its open requests to other teams",
        ("waiting on others", "our requests", "outgoing requests"),
        "?team={slug}&only=1&direction=outbound&active=1",
    ),
    (
        "coordination:list",
        "{team}: others waiting on it",
        "Other teams' open requests to it",
        ("waiting on us", "requests to us", "incoming requests"),
        "?team={slug}&only=1&direction=inbound&active=1",
    ),
]


def go_to(org_slug: str, q: str, *, admin: bool = False, teams=()) -> list[dict]:
    """The pages whose name (or another name for it) has a word starting with each word
    typed: the palette's "Go to" moves, those matched by their name first. `teams` (the
    reader's own, as (slug, name)) add each one's priorities, page and requests to and
    from other teams, found by the words "priorities", "my team", "waiting on others" and
    "waiting on us" ahead of the organization's pages of the same other name."""
    from django.urls import reverse

    words = q.lower().split()
    if not words:
        return []
    by_name, by_alias, seen = [], [], set()
    # (URL name, label, hint, other names, URL kwargs, query string, the team's slug)
    pages = [(n, label, hint, (), {}, "", None) for n, label, hint in PILLAR_NAV + ORG_NAV]
    if admin:
        pages += [(n, label, hint, (), {}, "", None) for n, label, hint in ADMIN_NAV]
    for slug, team in teams:
        for n, label, hint, aliases, query in TEAM_PAGES:
            kwargs = {} if query else {"team_slug": slug}
            pages.append((n, label.format(team=team), hint, aliases, kwargs, query, slug))
    pages += [(n, label, hint, aliases, {}, "", None) for n, label, hint, aliases in PALETTE_PAGES]
    for name, label, hint, aliases, kwargs, query, slug in pages:
        key = (name, slug, query)
        if key in seen:
            continue
        if slug is None and _starts_words(words, label):
            found = by_name
        elif any(_starts_words(words, alias) for alias in aliases):
            found = by_alias
        else:
            continue
        seen.add(key)
        href = reverse(name, kwargs={"org_slug": org_slug, **kwargs})
        found.append({"label": label, "hint": hint, "href": href + query.format(slug=slug)})
    return (by_name + by_alias)[:PALETTE_SHOWN]


def _entries(request, items):
    match = request.resolver_match
    namespace = match.namespace.split(":")[-1] if match else ""
    url_name = f"{namespace}:{match.url_name}" if match else ""
    out = []
    for name, label, hint in items:
        href = reverse_remembered(name, org_slug=request.org.slug)
        ns = name.split(":")[0]
        if ns in ("web", "org"):
            active = (
                url_name == name
                or (name == "org:teams" and url_name.startswith("org:team"))
                or (name == "org:people" and url_name.startswith("org:person"))
            )
        else:
            active = namespace == ns
        out.append({"href": href, "label": label, "hint": hint, "active": active})
    return out


def organizations(request, *, switching: bool = False) -> list[dict]:
    """The organizations the signed-in login is active in, by name: each one's name, the
    login's role there and its inbox's unread items (one query across the login's people;
    nothing else of the others), and `href`, its home or, when `switching` from a page
    every organization has, that page there."""
    here = getattr(request, "person", None)
    match = request.resolver_match if switching else None
    name = f"{match.namespace.split(':')[-1]}:{match.url_name}" if match else ""
    # The page's own organization keeps every filter; the others, those meaning the same.
    whole = "?" + request.GET.urlencode() if match and request.GET else ""
    query = _same_there(name, request.GET) if match else ""
    out = []
    for person in with_unread(people_of_login(request.user)):
        slug = person.org.slug
        if name in SAME_IN_EVERY_ORG or (name in ADMIN_PAGES and person.has_role("admin")):
            here_too = here is not None and person.pk == here.pk
            href = reverse_remembered(name, org_slug=slug) + (whole if here_too else query)
        elif name == "org:person" and here is not None and match.kwargs.get("person_id") == here.pk:
            href = reverse_remembered(name, org_slug=slug, person_id=person.pk)
        else:
            href = reverse_remembered("web:home", org_slug=slug)
        out.append(
            {
                "name": person.org.name,
                "slug": slug,
                "role": person.get_role_display(),
                "unread": person.unread,
                "href": href,
                "current": here is not None and person.pk == here.pk,
            }
        )
    return out


def _same_there(name: str, params) -> str:
    """The query string of the page `name` (`params`, its GET) that means the same in
    another organization ("?status=open&sort=due", or ""): without `OWN_PARAMS`."""
    same = EVERY_TEAM.get(name, {})
    kept = [
        (key, value)
        for key, values in params.lists()
        if key not in OWN_PARAMS
        for value in values
        if key not in same or value == same[key]
    ]
    return "?" + urlencode(kept) if kept else ""


def shell(request):
    org = getattr(request, "org", None)
    if org is None:
        return {}
    # A page renders its panels as templates of their own (accord/web/panels.py), each
    # asking again: the shell is the same for the whole request, so it is built once.
    built = getattr(request, "_shell", None)
    if built is None:
        built = request._shell = _build(request, org)
    return built


def _build(request, org) -> dict:
    admin = request.person is not None and request.person.has_role("admin")
    my_orgs = organizations(request, switching=True)
    return {
        "org": org,
        "me": request.person,
        # What the user menu shows of the person on a phone, leaving the top bar's width to
        # the organization's name.
        "me_initials": _initials(request.person.name) if request.person else "",
        # Every template hides what would change data from viewers with this; a view may
        # narrow it for its own page.
        "can_write": can_write(request.person),
        "pillar_nav": _entries(request, PILLAR_NAV),
        "org_nav": _entries(
            request,
            ORG_NAV + (ADMIN_NAV if admin else []),
        ),
        # Each of the login's organizations, with its role and unread items there.
        "my_orgs": my_orgs,
        "unread_elsewhere": sum(o["unread"] for o in my_orgs if not o["current"]),
        # Admins are told when background work stalls (no worker, messages failing): read
        # when base.html shows it, once, not for a page's fragments (htmx, panels); at once
        # on the page after they queued messages (`background.expect`).
        "background_notice": (
            functools.cache(lambda: background.admin_notice(org, expecting=_expecting(request)))
            if admin
            else None
        ),
    }


def _initials(name: str) -> str:
    """Initials of a name: "MC" of "Maya Chen", "A" of "Ada", "MB" of "Maria van der Berg"."""
    words = [w for w in name.split() if w[:1].isalnum()]
    if not words:
        return "?"
    picked = words if len(words) < 3 else [words[0], words[-1]]
    return "".join(w[0] for w in picked[:2]).upper()


def _expecting(request) -> bool:
    """Whether the admin just queued messages they expect to go out (`background.expect`):
    said once, on the page after."""
    session = getattr(request, "session", None)
    return bool(session.pop(background.EXPECTING, False)) if session is not None else False
