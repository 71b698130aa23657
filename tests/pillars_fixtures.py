"""Two organizations with data in every pillar, and the generic tools the tenancy and role
tests of the pillars share: page URLs from each app's urls.py, API operations from the
OpenAPI document, example bodies from its schemas, and a fingerprint of everything an
organization holds (to prove that a refused write changed nothing)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accord import demo
from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import (
    Initiative,
    InitiativeLink,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveLink,
    Period,
)
from accord.api import services as token_services
from accord.api.models import ApiToken
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, Decision, DecisionOption, Issue
from accord.intelligence import evaluate as intelligence
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import (
    Membership,
    Organization,
    Person,
    Role,
    Team,
    TeamKind,
    TeamLink,
    TeamRole,
    TeamVacancy,
)
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence, CheckIn, Measurable, Meeting
from tests import template_db
from tests.conftest import GENERATED_NOW as RUN_NOW
from tests.conftest import make_person

# The pillars' page modules (and the foundation's, for the people and teams they show).
PAGE_MODULES = [
    "accord.alignment.urls",
    "accord.coordination.urls",
    "accord.rhythm.urls",
    "accord.decisions.urls",
    "accord.interchange.urls",
    "accord.api.urls",
    "accord.org.urls",
    "accord.intelligence.urls",
    "accord.briefings.urls",
    "accord.conversation.urls",
]

# Path parameters that only choose among an organization's own pages, never name an object.
NOT_OBJECTS = {"fmt", "section", "action", "key", "tracker"}  # "tracker": a kind, e.g. github


@dataclass
class Side:
    """One organization and the ids of one object of each kind in it."""

    org: Organization
    admin: Person
    ids: dict[str, object] = field(default_factory=dict)
    feed_token: str = ""  # the secret of a calendar feed of the organization
    token: str = ""


def first(qs):
    obj = qs.order_by("pk").first()
    assert obj is not None, f"expected an object in {qs.model.__name__}"
    return obj


def collect_ids(org: Organization, admin: Person, exclude_team_slugs=()) -> dict[str, object]:
    """path parameter name -> a value naming one of `org`'s objects."""
    objective_link = first(ObjectiveLink.objects.for_org(org))
    meeting = first(Meeting.objects.for_org(org))
    checkin = first(CheckIn.objects.for_org(org))
    team = first(Team.objects.for_org(org).exclude(slug__in=exclude_team_slugs))
    dep = first(Dependency.objects.for_org(org))
    measurable = first(Measurable.objects.for_org(org))
    ensure_links(org)
    return {
        # Path parameters whose name alone is ambiguous: "<segment before it>:<name>".
        "team-links:link_id": first(TeamLink.objects.for_org(org)).pk,
        "initiative-links:link_id": first(InitiativeLink.objects.for_org(org)).pk,
        "period_id": first(Period.objects.for_org(org)).pk,
        "milestone_id": ensure_milestone(org).pk,
        "objective_id": objective_link.child_id,
        "parent_id": objective_link.parent_id,
        "kr_id": open_key_result(org).pk,
        "key_result_id": open_key_result(org).pk,
        "value_id": key_result_value(org).pk,
        "initiative_id": dep.requester_initiative_id,
        "team_slug": team.slug,
        "team_id": team.pk,
        "kind_id": spare_kind(org).pk,
        "role_id": spare_role(org).pk,
        "vacancy_id": open_vacancy(org, team).pk,
        "dep_id": dep.pk,
        "cadence_id": meeting.cadence_id,
        "key": meeting.key,
        "checkin_cadence_id": checkin.cadence_id,
        "checkin_key": checkin.occurrence_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "meeting_id": meeting.pk,
        "checkin_id": checkin.pk,
        "measurable_id": measurable.pk,
        "measurable_team_slug": measurable.team.slug,
        "decision_id": first(Decision.objects.for_org(org)).pk,
        "option_id": first(DecisionOption.objects.for_org(org)).pk,
        "item_id": first(ActionItem.objects.for_org(org)).pk,
        "issue_id": first(Issue.objects.for_org(org)).pk,
        "token_id": first(ApiToken.objects.filter(org=org)).pk,
        "person_id": admin.pk,
        "membership_id": first(Membership.objects.for_org(org)).pk,
        "job_id": import_job(org, admin).pk,
        "signal_id": first(Signal.objects.filter(org=org)).pk,
        "briefing_id": own_briefing(org, admin).pk,
        **own_comment(org, admin),
        "view_id": own_saved_view(org, admin).pk,
        **own_integrations(org, admin, dep.requester_initiative, measurable),
    }


def spare_kind(org: Organization) -> TeamKind:
    """A kind of team no team is of: removing it is allowed, so writes reach their checks."""
    from accord.org import services as org_services

    used = Team.objects.for_org(org).exclude(kind=None).values("kind")
    spare = TeamKind.objects.for_org(org).exclude(pk__in=used).first()
    return spare or org_services.add_team_kind(org, None, name="Spare kind")


def spare_role(org: Organization) -> TeamRole:
    """A role in teams no term or open position holds, and not lead or member (which are
    never removed): renaming and removing it are allowed, so writes reach their checks."""
    from accord.org import services as org_services

    held = set(Membership.terms.for_org(org).values_list("role", flat=True))
    held |= set(TeamVacancy.objects.for_org(org).values_list("role", flat=True))
    spare = TeamRole.objects.for_org(org).exclude(slug__in=held | {"lead", "member"}).first()
    return spare or org_services.add_team_role(org, None, name="Spare role")


def open_vacancy(org: Organization, team: Team) -> TeamVacancy:
    from accord.org import services as org_services

    vacancy = TeamVacancy.objects.for_org(org).first()
    return vacancy or org_services.open_vacancy(org, None, team, role="co-lead")


def open_key_result(org: Organization) -> KeyResult:
    """A key result of a period still open (a closed period's are frozen)."""
    return first(KeyResult.objects.for_org(org).exclude(objective__period__state="closed"))


def key_result_value(org: Organization) -> KeyResultValue:
    """A recorded value of `open_key_result` (the pages and API name it under that key
    result)."""
    kr = open_key_result(org)
    value = KeyResultValue.objects.filter(key_result=kr).order_by("pk").first()
    return value or alignment.record_key_result_value(org, None, kr, kr.current)


def own_integrations(org: Organization, admin: Person, initiative, measurable) -> dict:
    """A key-result and a measurable source, a tracker link and token, and a webhook with
    one delivery: the objects the integration endpoints name."""
    from accord.hooks import outbox
    from accord.hooks import services as hooks
    from accord.hooks.models import Delivery
    from accord.sources import services as sources

    for target in (open_key_result(org), measurable):
        sources.set_source(
            org, admin, target, kind="json", url="https://metrics.example.com/v", json_path="$.v"
        )
    sources.set_tracker_link(org, admin, initiative, "https://github.com/acme/app/issues/1")
    hook, _secret = hooks.create_webhook(
        org, admin, url="https://hooks.example.com/accord", events=["*"]
    )
    outbox.forget()  # the subscriptions read in this (test-long) transaction, read again
    sources.set_credential(org, admin, "github", token="ghp_zephyr")
    return {
        "tracker": "github",
        "webhook_id": hook.pk,
        "delivery_id": first(Delivery.objects.filter(org=org, webhook=hook)).pk,
    }


def own_saved_view(org: Organization, admin: Person):
    """A shared saved view of the admin's (of the initiatives list)."""
    from accord.web import services as web_services

    return web_services.save_view(
        org,
        admin,
        name="Zephyr view",
        path=f"/o/{org.slug}/alignment/initiatives/",
        query="status=active",
        shared=True,
    )


def own_briefing(org: Organization, person: Person):
    """The person's briefing of last week: the stored one (the demo's), else sent now."""
    from accord.briefings import compose, queries
    from accord.briefings import services as briefings

    week = compose.last_complete_week(timezone.now(), person.timezone)
    found = queries.briefings_of(org, person).first()
    return found or briefings.send_to_person(org, person, week, email=False)


def own_comment(org: Organization, admin: Person) -> dict[str, int]:
    """A comment of the admin's, and an item of the admin's inbox (a mention of them)."""
    from accord.conversation import services as conversation
    from accord.conversation.models import Comment, InboxItem

    comment = Comment.objects.for_org(org).filter(author=admin).first()
    if comment is None:
        objective = first(Objective.objects.for_org(org))
        comment = conversation.post_comment(org, admin, objective, "Zephyr remark")
    item = InboxItem.objects.for_org(org).filter(person=admin).first()
    if item is None:
        other = (
            Person.objects.for_org(org)
            .exclude(pk=admin.pk)
            .filter(role__in=[Role.MEMBER, Role.LEADER, Role.ADMIN], is_active=True)
            .first()
        )
        handle = admin.email.split("@")[0]
        objective = first(Objective.objects.for_org(org))
        conversation.post_comment(org, other or admin, objective, f"Zephyr note for @{handle}")
        item = InboxItem.objects.for_org(org).filter(person=admin).first()
    assert item is not None, "expected an inbox item of the admin"
    return {"comment_id": comment.pk, "inbox_item_id": item.pk}


def import_job(org: Organization, admin: Person):
    """A background import of `org` (a large file's plan), queued through the service."""
    from accord.interchange import services as interchange
    from accord.interchange.models import ImportJob

    return ImportJob.objects.for_org(org).first() or interchange.submit_job(
        org, admin, name="zephyr.yaml", content=b"teams: []\n", kind="plan", strict=False
    )


def ensure_links(org: Organization) -> None:
    """A stakeholder team and a replaced initiative, if the organization has none yet."""
    if not TeamLink.objects.for_org(org).exists():
        a, b = Team.objects.for_org(org).order_by("pk")[:2]
        org_services.link_teams(org, None, b, a)
    if not InitiativeLink.objects.for_org(org).exists():
        a, b = Initiative.objects.for_org(org).order_by("pk")[:2]
        alignment.link_initiatives(org, None, b, a)


def ensure_milestone(org: Organization):
    """A milestone of the organization (the demo has a release train; others get one)."""
    from accord.alignment import milestones
    from accord.alignment.models import Milestone

    found = Milestone.objects.for_org(org).order_by("pk").first()
    if found is not None:
        return found
    return milestones.create_milestone(
        org, None, name=f"{org.name} release", kind="release", date=dt.date(2027, 3, 1)
    )


def build_small_org(org: Organization, admin: Person, lead: Person, root: Team, team: Team):
    """A little of everything, built through the services, named so it cannot be confused
    with the demo organization's data ("Zephyr ...")."""
    today = timezone.localdate()
    period = alignment.create_period(
        org,
        None,
        name="Zephyr quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        is_current=True,
    )
    top = alignment.create_objective(
        org, None, title="Zephyr company goal", period=period, level="org", owner=admin
    )
    obj = alignment.create_objective(
        org, None, title="Zephyr team goal", period=period, team=team, owner=lead, parents=[top]
    )
    kr = alignment.create_key_result(org, None, obj, name="Zephyr metric", target=10, owner=lead)
    mine = alignment.create_initiative(
        org, None, team=team, title="Zephyr rollout", owner=lead, key_results=[kr]
    )
    alignment.create_initiative(org, None, team=team, title="Zephyr legacy", owner=lead)
    coordination.create_dependency(
        org,
        None,
        requester_initiative=mine,
        provider_team=root,
        title="Zephyr needs a review",
        need_by=today + dt.timedelta(days=20),
    )
    start = today - dt.timedelta(days=15)
    checkins = rhythm.create_cadence_from_template(
        org, None, "weekly-checkin", team=team, start_date=start, owner=lead
    )
    sync = rhythm.create_cadence_from_template(
        org, None, "weekly-sync", team=team, start_date=start, owner=lead, name="Zephyr sync"
    )
    now = timezone.now()
    past = rhythm_queries.occurrences_of(checkins, now - dt.timedelta(days=14), now)
    rhythm.submit_checkin(
        org,
        None,
        checkins,
        past[-1].original_start,
        person=lead,
        highlights="Zephyr highlight",
        now=past[-1].start - dt.timedelta(hours=1),
    )
    occ = rhythm_queries.occurrences_of(sync, now - dt.timedelta(days=14), now)[-1]
    meeting = rhythm.open_meeting(org, None, sync, occ.original_start)
    meeting = rhythm.start_meeting(org, None, meeting, now=occ.start)
    rhythm.add_action_item(org, None, meeting, title="Zephyr follow-up", owner=lead)
    rhythm.create_measurable(
        org, None, team=team, name="Zephyr tickets", goal_rule="at_most", goal_high=5
    )
    rhythm.create_feed(org, None, person=admin)
    decision = decisions.create_decision(org, None, "Zephyr: which vendor?", approver=admin)
    decisions.add_option(org, None, decision, "Zephyr vendor one")
    decisions.create_action_item(org, None, "Zephyr paperwork", lead, team=team)
    decisions.raise_issue(org, None, team, "Zephyr outage", raised_by=lead)


def build_world() -> tuple[Side, Side]:
    """(victim, caller): the demo organization with everything in it, and Zephyr with a
    little of everything. Zephyr's people must never reach the demo's data."""
    # The demo first: its rows replay into the keys they were recorded with (tests/replay.py),
    # which Zephyr's rows would otherwise be given first.
    northwind = demo.load()
    org = org_services.create_organization("Zephyr Works", "zephyr")
    admin = make_person(org, "Zed Admin", Role.ADMIN)
    member = make_person(org, "Zoe Member", Role.MEMBER)
    root = org_services.create_team(org, None, name="Zephyr Works", slug="zephyr")
    team = org_services.create_team(org, None, name="Zephyr Engines", slug="engines", parent=root)
    org_services.add_membership(org, None, person=member, team=team, role="member")
    build_small_org(org, admin, member, root, team)
    # A stored signal and health in each organization (a blocked request in Zephyr).
    zephyr_dep = first(Dependency.objects.for_org(org))
    coordination.transition(org, None, zephyr_dep, "flag_blocked", note="Zephyr blocked")
    intelligence.evaluate(org)
    _, caller_raw = token_services.create_token(org, admin, "zephyr")
    intelligence.evaluate(northwind)
    maya = Person.objects.get(org=northwind, email=demo.DEMO_LOGIN)
    _, raw = token_services.create_token(northwind, maya, "northwind")
    own_slugs = set(Team.objects.for_org(org).values_list("slug", flat=True))
    victim = Side(northwind, maya, collect_ids(northwind, maya, own_slugs), token=raw)
    # Only a hash of a feed's secret is stored: make one whose address is known.
    _, victim.feed_token = rhythm.create_feed(northwind, None, person=maya)
    caller = Side(org, admin, collect_ids(org, admin), token=caller_raw)
    _, caller.feed_token = rhythm.create_feed(org, None, person=admin)
    return victim, caller


def shared_world(django_db_blocker):
    """The two organizations, built once per run into a template database that each module
    using them gets a copy of (tests/template_db.py, `derived`); each test still runs in a
    savepoint of its own. Use from a module fixture:
    `yield from shared_world(django_db_blocker)`."""
    with (
        django_db_blocker.unblock(),
        template_db.derived(("pillars", RUN_NOW), build_world) as world,
    ):
        yield world


def viewer_of(org: Organization) -> Person:
    return make_person(org, "Vera Viewer", Role.VIEWER)


# --- what an organization holds --------------------------------------------------------

VOLATILE = {"last_used_at"}  # a token remembers when it was last used, even for a refused call


def fingerprint(org: Organization) -> dict:
    """Every row of every organization-scoped model of `org`, plus the size of the log."""
    from accord.org.models import OrgScoped

    out: dict = {"events": Event.objects.count()}
    for model in apps.get_models():
        if issubclass(model, OrgScoped):
            rows = model.objects.filter(org=org).order_by("pk").values()
            out[model._meta.label] = [
                {k: v for k, v in row.items() if k not in VOLATILE} for row in rows
            ]
    return out


def diff(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after.get(key)]


# --- marker strings: what only the victim organization contains --------------------------


def markers(victim: Organization, caller: Organization) -> set[str]:
    """Names and titles that appear in `victim` and nowhere in `caller`."""

    def texts(org):
        found = set()
        found |= set(Team.objects.for_org(org).values_list("name", flat=True))
        found |= set(Person.objects.filter(org=org).values_list("name", flat=True))
        found |= set(Objective.objects.for_org(org).values_list("title", flat=True))
        found |= set(Initiative.objects.for_org(org).values_list("title", flat=True))
        found |= set(Decision.objects.for_org(org).values_list("question", flat=True))
        found |= set(Issue.objects.for_org(org).values_list("title", flat=True))
        found |= set(Cadence.objects.for_org(org).values_list("name", flat=True))
        return {t for t in found if t and len(t) >= 8}

    from accord.rhythm.templates_catalog import TEMPLATES

    # Names any organization may share: the well-known rhythms' names.
    mine = texts(caller) | {t.name for t in TEMPLATES.values()} | {"Quarterly planning"}
    return {t for t in texts(victim) if not any(t in m or m in t for m in mine)} | {
        victim.name,
        f"{victim.slug}.example",
    }


def leaked(body: str, marks: set[str]) -> list[str]:
    from html import unescape

    text = unescape(body)
    return sorted(m for m in marks if m in text or json.dumps(m)[1:-1] in text)


# --- pages --------------------------------------------------------------------------------


@dataclass
class Page:
    name: str  # "alignment:objective"
    params: tuple[str, ...]


def pages() -> list[Page]:
    """Every page of the pillars, from their urls.py."""
    found = []
    for module_name in PAGE_MODULES:
        module = import_module(module_name)
        for pattern in module.urlpatterns:
            params = tuple(k for k in pattern.pattern.converters if k != "org_slug")
            found.append(Page(f"{module.app_name}:{pattern.name}", params))
    return found


def page_url(page: Page, slug: str, ids: dict, action: str = "x") -> str:
    kwargs: dict[str, object] = {"org_slug": slug}
    for p in page.params:
        if p == "action":
            kwargs[p] = action
        elif p == "fmt":
            kwargs[p] = "yaml"
        elif p == "section":
            kwargs[p] = "teams"
        elif p in ("cadence_id", "key") and page.name == "rhythm:checkin":
            kwargs[p] = ids[f"checkin_{p}"]
        elif p == "team_slug" and "measurable_id" in page.params:
            kwargs[p] = ids["measurable_team_slug"]
        else:
            assert p in ids, f"{page.name}: give an object for <{p}> in collect_ids"
            kwargs[p] = ids[p]
    return reverse(page.name, kwargs=kwargs)


# A value for an input the page shows empty.
EMPTY_INPUTS = {
    "date": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
    "number": "1",
    "time": "09:00",
    "datetime-local": (dt.date.today() + dt.timedelta(days=10)).isoformat() + "T09:00",
    "email": "someone@example.com",
}


class Forms(HTMLParser):
    """The POST forms of a page: action -> {field: value}, as the page would submit them."""

    def __init__(self, base: str):
        super().__init__()
        self.base, self.forms, self.current, self.select = base, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        kind = a.get("type", "text")
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.setdefault(urljoin(self.base, a.get("action") or ""), self.current)
        elif tag == "option" and self.current is not None and self.select:
            # The selected option, else the first that is not a blank choice.
            value = a.get("value", "")
            if "selected" in a or (value and not self.current.get(self.select)):
                self.current[self.select] = value
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self.current[a["name"]] = a.get("value", "on")
        elif tag == "input" and kind not in ("submit", "button", "file"):
            value = a.get("value") or ""
            # Text is written into; a picker's box is left naming what it shows as chosen
            # (typed over, it would choose by what was typed: `pickers.Chosen`).
            if kind in ("text", "search") and "data-picker-input" not in a:
                value = (value + " (viewer)").strip()
            elif not value:
                value = EMPTY_INPUTS.get(kind, "")
            self.current[a["name"]] = value
        elif tag == "textarea":
            self.current[a["name"]] = "Written by a viewer"
        elif tag == "select":
            self.select = a["name"]
            self.current.setdefault(a["name"], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_of(pages: Iterable[tuple[str, str]]) -> dict[str, dict]:
    """Every POST form of `pages` ((url, html) pairs), by the path it posts to; of two
    forms posting to one path, the first found."""
    forms: dict[str, dict] = {}
    for url, html in pages:
        parser = Forms("http://testserver" + url)
        parser.feed(html)
        for action, fields in parser.forms.items():
            forms.setdefault(urlsplit(action).path, fields)
    return forms


def harvest_forms(client, urls) -> dict[str, dict]:
    """Every POST form found on the pages at `urls`, by the path it posts to."""

    def shown():
        for url in urls:
            response = client.get(url)
            if response.status_code == 200 and "html" in response["Content-Type"]:
                yield url, response.content.decode()

    return forms_of(shown())


# --- the API ------------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str  # "/api/v1/objectives/{objective_id}"
    params: tuple[str, ...]
    body: dict | None  # JSON schema of the body, resolved
    paginated: bool
    query: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def names_object(self) -> bool:
        return any(p not in NOT_OBJECTS for p in self.params)


_OPERATIONS: list[Operation] = []


def operations(client) -> list[Operation]:
    """Every operation of the OpenAPI document, read through `client` the first time: the
    document is the code's, the same for every caller, so each test process reads and
    resolves it once. Bodies are described by the endpoint's own schema class: the
    document names components by class name, so two apps' `MoveIn` (or `ValueIn`,
    `LinkIn`, `DecisionIn`) share one component there."""
    if not _OPERATIONS:
        _OPERATIONS.extend(_read_operations(client))
    return list(_OPERATIONS)


def _read_operations(client) -> list[Operation]:
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    bodies = body_schemas()
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            content = op.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            body = resolve(schema, schemas) if schema else None
            if body is not None:
                body = bodies[(method.upper(), path)]
            paginated = {"limit", "offset"} <= query and path not in DOCUMENTS
            found.append(Operation(method, path, params, body, paginated, tuple(sorted(query))))
    return found


# Documents whose top level is paged by limit/offset but which are not lists of items:
# the alignment tree (its own tests check its bounds: tests/scale/test_alignment_pages.py)
# and decision latency, whose ranked teams and approvers are paged
# (tests/decisions/test_stored_latency.py).
DOCUMENTS = {"/api/v1/alignment-tree", "/api/v1/decisions/latency"}


def body_schemas() -> dict[tuple[str, str], dict]:
    """(METHOD, /api/v1/path) -> the JSON schema of the body the endpoint really takes."""
    from accord.api.main import api

    out = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) != "body":
                        continue
                    schema = model.model_json_schema(ref_template="#/$defs/{model}")
                    defs = schema.get("$defs", {})
                    (payload,) = schema["properties"].values()
                    full = "/api/v1" + (prefix.rstrip("/") + path)
                    for method in operation.methods:
                        out[(method, full)] = resolve_defs(payload, defs)
    return out


def resolve_defs(schema: dict, defs: dict) -> dict:
    if "$ref" in schema:
        return resolve_defs(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: resolve_defs(v, defs) for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = resolve_defs(out["items"], defs)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in out:
            out[key] = [resolve_defs(s, defs) for s in out[key]]
    return out


def resolve(schema: dict, schemas: dict) -> dict:
    if "$ref" in schema:
        return resolve(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: resolve(v, schemas) for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = resolve(out["items"], schemas)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in out:
            out[key] = [resolve(s, schemas) for s in out[key]]
    return out


def example(schema: dict, name: str = "", ids: dict | None = None):
    """A value the schema accepts; ids of the caller's own objects for *_id fields."""
    ids = ids or {}
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0], name, ids) if options else None
    if "allOf" in schema:
        return example(schema["allOf"][0], name, ids)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            k: example(v, k, ids) for k, v in schema.get("properties", {}).items() if k in required
        }
    if kind == "array":
        # As few items as the schema accepts: none, or one example item.
        return [example(schema.get("items", {}), name, ids)] if schema.get("minItems") else []
    if kind == "integer":
        ref = reference_kind(name)
        return ids.get(ref, 1) if ref else max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    today = timezone.localdate()
    if fmt == "date":
        return (today + dt.timedelta(days=7)).isoformat()
    if fmt == "date-time":
        return (timezone.now() + dt.timedelta(days=7)).isoformat()
    if fmt == "time":
        return "09:00"
    if name in ("timezone", "timezone_name", "tz"):
        return "UTC"
    return "Example " + (name or "text")


# body field -> kind of object it names (its key in collect_ids)
REFERENCES = {
    "team": "team_id",
    "provider_team": "team_id",
    "requester_team": "team_id",
    "blocker_team": "team_id",
    "teams": "team_id",
    "cascade_to": "team_id",
    "person": "person_id",
    "owner": "person_id",
    "approver": "person_id",
    "driver": "person_id",
    "contributor": "person_id",
    "contributors": "person_id",
    "informed": "person_id",
    "raised_by": "person_id",
    "participant": "person_id",
    "participants": "person_id",
    "attendee": "person_id",
    "present": "person_id",
    "absent": "person_id",
    "escalate_to": "person_id",
    "period": "period_id",
    "target_period": "period_id",
    "objective": "objective_id",
    "objectives": "objective_id",
    "parent": "objective_id",
    "from_team": "team_id",
    "to_team": "team_id",
    "to_period": "period_id",
    "from_initiative": "initiative_id",
    "to_initiative": "initiative_id",
    "extra_participant": "person_id",
    "key_result": "kr_id",
    "key_results": "kr_id",
    "initiative": "initiative_id",
    "requester_initiative": "initiative_id",
    "provider_initiative": "initiative_id",
    "decision": "decision_id",
    "option": "option_id",
    "successor": "decision_id",
    "by": "decision_id",
    "meeting": "meeting_id",
    "cadence": "cadence_id",
    "measurable": "measurable_id",
    "issue": "issue_id",
    "anchor": "milestone_id",
    "milestone": "milestone_id",
    "need_by_milestone": "milestone_id",
    "to": "person_id",  # a hand-over's receiver
}


# Where a field's name means something else on one resource: (path prefix, field) -> kind.
REFERENCES_AT = {("/api/v1/teams", "parent"): "team_id"}


def reference_kind(name: str, path: str = "") -> str | None:
    base = re.sub(r"_ids?$", "", name)
    if base == name:
        return None
    for (prefix, field_name), kind in REFERENCES_AT.items():
        if field_name == base and path.startswith(prefix):
            return kind
    return REFERENCES.get(base)


def fill_path(op: Operation, ids: dict, action: str = "accept") -> str:
    url = op.path
    for p in op.params:
        if p == "action":
            value = action
        elif p == "section":
            value = "teams"
        elif p in ("cadence_id", "key") and op.path.endswith("/checkin"):
            value = ids[f"checkin_{p}"]
        else:
            segment = url.split("{" + p + "}")[0].rstrip("/").rsplit("/", 1)[-1]
            value = ids.get(f"{segment}:{p}", ids.get(p))
            assert value is not None, f"{op}: give an object for {{{p}}} in collect_ids"
        url = url.replace("{" + p + "}", str(value))
    return url


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def call(client, method: str, url: str, body=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(
        url, json.dumps(body if body is not None else {}), content_type="application/json"
    )
