"""Links to what an applied import created or changed, for its result page: per kind, the
first few as links to their pages, how many more, and the page that lists them all. A few
queries per kind whatever the size of the import, so the page stays small for 10,000 rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from accord.conversation import targets
from accord.interchange import services
from accord.interchange.engine import Change
from accord.interchange.kinds_pillars import Keyed
from accord.interchange.models import ExternalKey
from accord.org.models import Membership, Organization, Person, Team

SHOWN = 10  # links per kind and action; the rest are counted

# The page listing every object of a section (none: no such page).
LIST_PAGES = {
    "teams": "org:teams",
    "people": "org:people",
    "memberships": "org:teams",
    "objectives": "alignment:index",
    "key_results": "alignment:index",
    "initiatives": "alignment:initiatives",
    "dependencies": "coordination:index",
    "decisions": "decisions:index",
    "issues": "decisions:issues",
    "cadences": "rhythm:cadences",
}
VERBS = {"create": "Created", "update": "Changed"}


@dataclass
class Group:
    """ "Created 12 teams: Platform, Sales, … and 2 more (all teams)" """

    section: str
    action: str
    count: int
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    list_url: str = ""
    one: str = ""  # the noun of one item ("key result"); the section names several

    @property
    def verb(self) -> str:
        return VERBS[self.action]

    @property
    def noun(self) -> str:
        return (self.one if self.count == 1 and self.one else self.section).replace("_", " ")

    @property
    def all(self) -> str:
        return self.section.replace("_", " ")

    @property
    def more(self) -> int:
        return self.count - len(self.links)


def made(org: Organization, changes: Iterable[Change], shown: int = SHOWN) -> list[Group]:
    """What `changes` (an applied import's) created, then what they changed, per section in
    the order of the import: the first `shown` of each that exist now, as links."""
    counts: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        if change.action not in VERBS:
            continue
        pair = (change.section, change.action)
        counts[pair] = counts.get(pair, 0) + 1
        if len(first.setdefault(pair, [])) < shown:
            first[pair].append(change)
    kinds = {k.section: k for k in services.all_kinds()}
    groups = []
    for action in VERBS:
        for (section, act), count in counts.items():
            if act != action:
                continue
            page = LIST_PAGES.get(section)
            keys = [c.key.lower() for c in first[(section, act)]]
            groups.append(
                Group(
                    section,
                    action,
                    count,
                    _links(org, kinds.get(section), section, keys),
                    reverse(page, kwargs={"org_slug": org.slug}) if page else "",
                    getattr(kinds.get(section), "noun", ""),
                )
            )
    return groups


def _links(org: Organization, kind, section: str, keys: list[str]) -> list[tuple[str, str]]:
    """(label, url) of the objects of `section` named by `keys`, in their order; a key that
    names nothing now (its write was refused) is left out."""
    found: dict[str, tuple[str, str]] = {}
    slug = org.slug
    if section == "teams":
        for team in Team.objects.for_org(org).annotate(k=Lower("slug")).filter(k__in=keys):
            found[team.k] = (team.name, _url("org:team", slug, team_slug=team.slug))
    elif section == "people":
        people = Person.objects.for_org(org).exclude(kind="agent").annotate(k=Lower("email"))
        for person in people.filter(k__in=keys).order_by("-id"):  # the first of an address
            url = _url("org:person", slug, person_id=person.pk)
            found[person.k] = (person.name or person.email, url)
    elif section == "memberships":
        pairs = [key.split("/", 1) for key in keys if "/" in key]
        wanted = Q()
        for team_slug, email in pairs:
            wanted |= Q(t=team_slug, p=email)
        rows = (
            Membership.objects.for_org(org)
            .filter(ended_on__isnull=True)
            .select_related("team", "person")
            .annotate(t=Lower("team__slug"), p=Lower("person__email"))
        )
        for m in rows.filter(wanted) if pairs else []:
            label = f"{m.person.name or m.person.email} in {m.team.name}"
            found[f"{m.t}/{m.p}"] = (label, _url("org:team", slug, team_slug=m.team.slug))
    elif isinstance(kind, Keyed):
        found = _keyed(org, kind, keys)
    return [found[key] for key in keys if key in found]


def _keyed(org: Organization, kind: Keyed, keys: list[str]) -> dict[str, tuple[str, str]]:
    """The objects of a section matched by `id`: by the key they were given, or their
    implicit one (`objective-12`); linked when their kind has a page."""
    pks = dict(
        ExternalKey.objects.for_org(org)
        .filter(section=kind.section)
        .annotate(k=Lower("key"))
        .filter(k__in=keys)
        .values_list("object_id", "k")
    )
    prefix = kind.implicit(0)[:-1]
    for key in keys:
        rest = key.removeprefix(prefix)
        if key.startswith(prefix) and rest.isdigit() and int(rest) not in pks:
            pks[int(rest)] = key
    model = _model(kind)
    if model is None:
        return {}
    return {
        pks[obj.pk]: _label_and_url(org, obj)
        for obj in model._default_manager.filter(org=org, pk__in=list(pks))
    }


def _model(kind: Keyed):
    for target in targets.KINDS.values():
        if target.model == kind.model_label:
            return target.model_class()
    if kind.model_label == "rhythm.Cadence":
        return apps.get_model(kind.model_label)
    return None


def _label_and_url(org: Organization, obj) -> tuple[str, str]:
    if obj._meta.label == "rhythm.Cadence":
        return str(obj), _url("rhythm:cadence", org.slug, cadence_id=obj.pk)
    return targets.title(obj), targets.path(org, obj)


def _url(name: str, org_slug: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org_slug, **kwargs})
