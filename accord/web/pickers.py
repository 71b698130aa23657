"""Choosing a person, team, objective, key result, initiative, decision, dependency,
meeting, check-in or issue in a form.

People and teams are always chosen through a search box (`ALWAYS_SEARCH`): a list of every
person is unusable long before an organization is large, and a multiple choice is a list
of chips rather than a ctrl-click select. Other kinds render the plain `<select>` while they
have at most `PICKER_THRESHOLD` choices, and the search box above that: as the person
types, htmx asks `/o/<org>/pick/<kind>/?q=…` for at most `SEARCH_LIMIT` matches (shell.js
handles the keyboard and the choosing) and hidden inputs carry the chosen ids. Either way the field
validates what comes back against its own queryset, so an id of another organization or a
stale one is a form error, never a choice.

What is typed and not chosen is never dropped. On leaving the box, or on submitting,
shell.js chooses the one match whose name is exactly what was typed (any case) and
otherwise marks the box "Choose a team from the list". The server keeps the same rule, for
a browser without script: the search box posts its text as `<name>_text`, and where that
text is not the name of the id sent with it (none, or an earlier choice typed over), the
id is not used: the one row the kind names exactly that (`Kind.exact`) is chosen, else the
field is refused, naming the text, the text kept in the box (`Typed`).

    owner = PersonChoiceField(queryset=Person.objects.none(), required=False)
    serves = KeyResultMultipleChoiceField(queryset=KeyResult.objects.none(), required=False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Case, Q, QuerySet, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accord.core.ids import as_id

# Above this many choices a field becomes a search box. A module constant, read at render
# time, so tests can lower it.
PICKER_THRESHOLD = 200
# The kinds that choose people: each offers some of the organization's active people.
PEOPLE = frozenset({"person", "human", "assignee", "accountable"})
# Kinds that are a search box however few their choices.
ALWAYS_SEARCH = PEOPLE | {"team", "work_team"}
# At most this many matches per search.
SEARCH_LIMIT = 20
# A search reads up to this many matches, to say how many more match than it shows
# ("12 more match"; beyond it "More than 100 match"): the same read, which orders every
# match anyway, not a count of them (a second pass over 100,000 people).
MORE_COUNTED = 100
# Longer search text is refused rather than searched.
MAX_QUERY_LENGTH = 100


def person_label(p) -> str:
    return f"{p.name} (agent)" if p.is_agent else p.name


def team_label(t) -> str:
    return t.name


def team_detail(t) -> str:
    """Where the team sits: "in Engineering", or "top level": two teams of one name in
    different parts of the tree (an "Operations" in each division) told apart."""
    return f"in {t.parent.name}" if t.parent_id else "top level"


def objective_label(o) -> str:
    who = o.team.name if o.team_id else "Organization"
    return f"{o.title} ({who}, {o.period.name})"


def key_result_label(k) -> str:
    """Its objective's title, team and period, as `objective_label` names them: a key
    result carried over into the next quarter reads apart from the one it came from."""
    o = k.objective
    who = o.team.name if o.team_id else "Organization"
    return f"{o.title} → {k.name} ({who}, {o.period.name})"


def initiative_label(i) -> str:
    return f"{i.title} ({i.team.name})"


def decision_label(d) -> str:
    return str(d)


def dependency_label(d) -> str:
    """As the coordination pages say who needs what from whom: "Storefront → Platform:
    Faster builds" (the asking team first, the arrow to the team asked)."""
    return f"{d.requester_team.name} → {d.provider_team.name}: {d.title}"


def meeting_label(m) -> str:
    """Its cadence's name and its day, as its page and the activity log name it."""
    return str(m)


def checkin_label(c) -> str:
    """Whose, of which cadence, which day: "Mia Member · Weekly check-in · 6 Nov 2026"."""
    return str(c)


def issue_label(i) -> str:
    return f"{i.title} ({i.team.name})"


@dataclass(frozen=True)
class Kind:
    """What the search endpoint offers for one kind of thing."""

    label: Callable
    choices: Callable[[object], QuerySet]  # org -> the organization's choosable rows
    search: Callable[[object, str], Q]  # org, text -> the filter that matches it
    noun: str  # "Choose {noun} from the list.", e.g. "a team"
    # The names that, typed exactly (any case), name a row: a filter, and a row's own.
    exact: Callable[[str], Q]
    names: Callable[[object], tuple[str, ...]]
    # What tells two of the same name apart in the matches (not in the chosen label).
    detail: Callable | None = None
    # (org, person asking) -> the choices they may make, where that depends on who asks.
    asked_by: Callable[[object, object], QuerySet] | None = None


def person_detail(p) -> str:
    return p.email or p.title


def dependency_detail(d) -> str:
    return d.get_state_display()


def _of_cadence(cadence, state: str) -> str:
    """Whose rhythm, unless its name says so already (its team's, the organization's, or
    several teams', whose names would take a read per match), and `state`: two teams'
    "Weekly sync" told apart."""
    if cadence.team_id:
        whose = cadence.team.name
    else:
        whose = "Organization" if cadence.scope == "org" else "Several teams"
    if whose.casefold() in cadence.name.casefold():
        return state
    return f"{whose} · {state}"


def meeting_detail(m) -> str:
    return _of_cadence(m.cadence, m.get_status_display().lower())


def checkin_detail(c) -> str:
    return _of_cadence(c.cadence, c.get_status_display().lower())


def issue_detail(i) -> str:
    return i.get_status_display()


def _people(org):
    from accord.org.models import Person

    return Person.objects.for_org(org).filter(is_active=True).order_by("name", "id")


def _humans(org):
    """People who may stand where an agent may not: an objective's owner, an approver."""
    return _people(org).exclude(kind="agent")


def _assignees(org):
    """People who may be given work to do (an action item's or an issue's owner)."""
    return assignees(_people(org))


def _accountable(org):
    """People, never agents, who may be given work to do (a decision's approver)."""
    return assignees(_humans(org))


def _teams(org):
    from accord.org.queries import current_teams

    return current_teams(org).select_related("parent")  # its detail: where it sits


def _work_teams(org, person):
    """The teams whose objectives and initiatives the person asking may set: the rule of
    `accord.alignment.services.teams_acted_for`, which the forms offer too."""
    from accord.alignment.services import teams_acted_for

    return teams_acted_for(org, person).select_related("parent")


def _objectives(org):
    from accord.alignment.models import Objective, PeriodState

    return (
        Objective.objects.for_org(org)
        .exclude(period__state=PeriodState.CLOSED)
        .select_related("period", "team")
        .order_by("title", "id")
    )


def _key_results(org):
    from accord.alignment.models import KeyResult, PeriodState

    return (
        KeyResult.objects.for_org(org)
        .exclude(objective__period__state=PeriodState.CLOSED)
        .select_related("objective__period", "objective__team")
        .order_by("name", "id")
    )


def _initiatives(org):
    from accord.alignment.models import Initiative

    return Initiative.objects.for_org(org).select_related("team").order_by("title", "id")


def _decisions(org):
    from accord.decisions.models import Decision

    return Decision.objects.for_org(org).order_by("-opened_at", "-id")


def _dependencies(org):
    """Newest first (by id, off the organization's index: no sort of them all), the
    requests a decision is most likely about."""
    from accord.coordination.models import Dependency

    return (
        Dependency.objects.for_org(org)
        .select_related("requester_team", "provider_team")
        .order_by("-id")
    )


def _meetings(org):
    """Newest first, off the organization's (org, -occurrence_start, id) index."""
    from accord.rhythm.models import Meeting

    return (
        Meeting.objects.for_org(org)
        .select_related("cadence", "cadence__team")
        .order_by("-occurrence_start", "id")
    )


def _checkins(org):
    """Newest first, off the organization's (org, -occurrence_start, id) index."""
    from accord.rhythm.models import CheckIn

    return (
        CheckIn.objects.for_org(org)
        .select_related("cadence", "cadence__team", "person")
        .order_by("-occurrence_start", "id")
    )


def _issues(org):
    """Newest first, off the organization's (org, -opened_at, -id) index."""
    from accord.decisions.models import Issue

    return Issue.objects.for_org(org).select_related("team").order_by("-opened_at", "-id")


def _open_issues(org):
    """The open ones (what a meeting's agenda may bring), newest first."""
    from accord.decisions.models import IssueStatus

    return _issues(org).filter(status=IssueStatus.OPEN)


def open_issue_detail(i) -> str:
    """An open issue's severity: two of one title told apart."""
    return i.get_severity_display()


def _find_dependencies(org, q: str) -> Q:
    """By its title, or by a team's name: "Platform" finds what Platform asks and is asked."""
    return (
        Q(title__icontains=q)
        | Q(requester_team__name__icontains=q)
        | Q(provider_team__name__icontains=q)
    )


def _cadences_named(org, q: str):
    """The organization's cadences whose name holds `q`: a short read of its cadences, which
    the meetings and check-ins are then read for off their cadence's index."""
    from accord.rhythm.models import Cadence

    return Cadence.objects.for_org(org).filter(name__icontains=q).values("pk")


def _find_meetings(org, q: str) -> Q:
    """By the name of its cadence (a meeting has no title of its own)."""
    return Q(cadence_id__in=_cadences_named(org, q))


def _find_checkins(org, q: str) -> Q:
    """By the name of its cadence, or of the person who owes it."""
    from accord.org.models import Person

    people = Person.objects.for_org(org).filter(name__icontains=q).values("pk")
    return Q(cadence_id__in=_cadences_named(org, q)) | Q(person_id__in=people)


def _find_people(org, q: str) -> Q:
    """By name, or by any of their addresses and handles (`@alice`, `slack:alice`), or,
    for text without a space, by the start of their address (`amara.becker.5` finds
    amara.becker.590@…, any case). No index serves a name that contains the text, so the
    organization's people are read either way; the address is tested on the same rows
    (read whole rather than off the name index: 6 ms more of 35 at 100,000 people). Text
    with a space begins no address, and is looked for in the names alone."""
    from accord.org.queries import people_matching

    found = people_matching(org, q)
    return found if any(c.isspace() for c in q) else found | Q(email__istartswith=q)


def _named(field: str) -> tuple[Callable[[str], Q], Callable[[object], tuple[str, ...]]]:
    return (lambda q: Q(**{f"{field}__iexact": q})), (lambda row: (getattr(row, field),))


def _person_exact(q: str) -> Q:
    return Q(name__iexact=q) | Q(email__iexact=q)


def _person_names(p) -> tuple[str, ...]:
    return (p.name, p.email or "")


# What each kind's label and names read, fetched with a chosen row to compare its box with.
LABEL_RELATED: dict[str, tuple[str, ...]] = {
    "objective": ("period", "team"),
    "key_result": ("objective__period", "objective__team"),
    "initiative": ("team",),
    "dependency": ("requester_team", "provider_team"),
    "meeting": ("cadence", "cadence__team"),
    "checkin": ("cadence", "cadence__team", "person"),
    "issue": ("team",),
    "open_issue": ("team",),
}


KINDS: dict[str, Kind] = {
    "person": Kind(
        person_label, _people, _find_people, "a person", _person_exact, _person_names, person_detail
    ),
    "human": Kind(
        person_label, _humans, _find_people, "a person", _person_exact, _person_names, person_detail
    ),
    "assignee": Kind(
        person_label,
        _assignees,
        _find_people,
        "a person",
        _person_exact,
        _person_names,
        person_detail,
    ),
    "accountable": Kind(
        person_label,
        _accountable,
        _find_people,
        "a person",
        _person_exact,
        _person_names,
        person_detail,
    ),
    "team": Kind(
        team_label,
        _teams,
        lambda org, q: Q(name__icontains=q),
        "a team",
        *_named("name"),
        team_detail,
    ),
    "work_team": Kind(
        team_label,
        _teams,
        lambda org, q: Q(name__icontains=q),
        "a team",
        *_named("name"),
        team_detail,
        asked_by=_work_teams,
    ),
    "objective": Kind(
        objective_label,
        _objectives,
        lambda org, q: Q(title__icontains=q),
        "an objective",
        *_named("title"),
    ),
    "key_result": Kind(
        key_result_label,
        _key_results,
        lambda org, q: Q(name__icontains=q),
        "a key result",
        *_named("name"),
    ),
    "initiative": Kind(
        initiative_label,
        _initiatives,
        lambda org, q: Q(title__icontains=q),
        "an initiative",
        *_named("title"),
    ),
    "decision": Kind(
        decision_label,
        _decisions,
        lambda org, q: Q(question__icontains=q),
        "a decision",
        *_named("question"),
    ),
    "dependency": Kind(
        dependency_label,
        _dependencies,
        _find_dependencies,
        "a dependency",
        *_named("title"),
        dependency_detail,
    ),
    "meeting": Kind(
        meeting_label,
        _meetings,
        _find_meetings,
        "a meeting",
        lambda q: Q(cadence__name__iexact=q),
        lambda m: (m.cadence.name,),
        meeting_detail,
    ),
    "checkin": Kind(
        checkin_label,
        _checkins,
        _find_checkins,
        "a check-in",
        lambda q: Q(person__name__iexact=q) | Q(cadence__name__iexact=q),
        lambda c: (c.person.name, c.cadence.name),
        checkin_detail,
    ),
    "issue": Kind(
        issue_label,
        _issues,
        lambda org, q: Q(title__icontains=q),
        "an issue",
        *_named("title"),
        issue_detail,
    ),
    "open_issue": Kind(
        issue_label,
        _open_issues,
        lambda org, q: Q(title__icontains=q),
        "an open issue",
        *_named("title"),
        open_issue_detail,
    ),
}


def not_chosen_message(kind: str) -> str:
    return f"Choose {KINDS[kind].noun} from the list."


def is_exact(kind: str, row, q: str) -> bool:
    """Whether `q` is exactly (any case, spaces collapsed) the row's name or its label."""
    spec = KINDS[kind]
    typed = " ".join(q.split()).casefold()
    names = (*spec.names(row), spec.label(row))
    return bool(typed) and any(" ".join(n.split()).casefold() == typed for n in names if n)


def enclosing(period) -> Q:
    """Objectives an objective of `period` may contribute to: of that period or of one
    that encloses it (the new-objective form's parents, and their search box's)."""
    return Q(period__start__lte=period.start, period__end__gte=period.end)


class Matches(list):
    """A search's rows, and `more`: how many more match than the rows shown (0: none;
    above `MORE_COUNTED` matches in all, `more_than` is set and `more` is that bound)."""

    more: int = 0
    more_than: bool = False
    narrow: str = "type more of the name"  # what the "more match" row asks for


def search(
    org, kind: str, q: str, *, by_slug: bool = False, near=None, period=None, cadence=None
) -> Matches:
    """At most SEARCH_LIMIT (id, label, detail, exact) of `kind` in `org` whose text
    matches `q` (slugs instead of ids for teams when `by_slug`, as list filters take them);
    the detail tells namesakes apart (a person's address), empty for kinds that need none;
    `exact`: `q` is the row's very name (`is_exact`), what the search box chooses when
    text is left typed but not chosen. Exact names come first, so the one typed in full is
    among the matches however many others contain it. People `near` the person asking
    (themselves and their team-mates) come first: the Tomas of your own team before
    another team's. Objectives are those a contribution in `period` may contribute to
    (`enclosing`), where a form's box names the period it was rendered for; open issues,
    those a meeting of `cadence` may bring to its agenda, where its box names it. When more
    match than are shown, `more` says how many (`Matches`), from the same read of at most
    MORE_COUNTED + 1 matches. A kind whose choices depend on who asks (`Kind.asked_by`)
    offers those of `near`, the person asking (nothing when nobody is named)."""
    spec = KINDS[kind]
    rows = spec.choices(org)
    if spec.asked_by is not None:
        rows = spec.asked_by(org, near) if near is not None else rows.none()
    if period is not None and kind == "objective":
        rows = rows.filter(enclosing(period))
    if cadence is not None and kind == "open_issue":
        from accord.rhythm.queries import issues_to_bring

        rows = rows.filter(pk__in=issues_to_bring(org, cadence).order_by().values("pk"))
    if q:
        order = rows.query.order_by
        rows = (
            rows.filter(spec.search(org, q))
            .alias(named_exactly=Case(When(spec.exact(q), then=Value(0)), default=Value(1)))
            .order_by("named_exactly", *order)
        )
    key = "slug" if by_slug and kind == "team" else "pk"
    detail = spec.detail or (lambda row: "")
    found = []
    if near is not None and kind in PEOPLE:
        found = list(rows.filter(_near(near))[: MORE_COUNTED + 1])
        rows = rows.exclude(pk__in=[p.pk for p in found])
    if len(found) <= MORE_COUNTED:
        found += list(rows[: MORE_COUNTED + 1 - len(found)])
    matching, found = len(found), found[:SEARCH_LIMIT]
    if kind in PEOPLE:
        # Namesakes told apart by their teams too, read for the matches in one query; who
        # is away today says so (whom to give work to, one query more).
        from accord.rhythm.queries import away_until
        from accord.web.templatetags.dates import day

        ids = [p.pk for p in found]
        teams = _teams_of(ids)
        away = away_until(org, timezone.now(), ids) if ids else {}
        out = Matches(
            (
                p.pk,
                spec.label(p),
                " · ".join(
                    filter(
                        None,
                        [
                            teams.get(p.pk, ""),
                            detail(p),
                            f"away until {day(away[p.pk])}" if p.pk in away else "",
                        ],
                    )
                ),
                is_exact(kind, p, q),
            )
            for p in found
        )
    else:
        out = Matches(
            (getattr(row, key), spec.label(row), detail(row), is_exact(kind, row, q))
            for row in found
        )
    if matching > len(found):
        out.more_than = matching > MORE_COUNTED
        out.more = MORE_COUNTED if out.more_than else matching - len(found)
        if kind in PEOPLE:
            out.narrow = "type more of the name or address"
    return out


def _near(person) -> Q:
    """`person` and the people in one of their current teams (two short reads of the
    memberships' indexes, however large the organization)."""
    from accord.org.models import Membership

    teams = Membership.objects.filter(person=person).values("team_id")
    mates = Membership.objects.filter(team_id__in=teams).values("person_id")
    return Q(pk=person.pk) | Q(pk__in=mates)


def _teams_of(person_ids: list[int]) -> dict[int, str]:
    """Each person's current teams by name (three at most, then "…")."""
    from accord.org.models import Membership

    names: dict[int, list[str]] = {}
    rows = (
        Membership.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "team__name")
        .values_list("person_id", "team__name")
    )
    for pid, name in rows:
        names.setdefault(pid, []).append(name)
    return {pid: ", ".join(n[:3]) + (", …" if len(n) > 3 else "") for pid, n in names.items()}


TEXT_SUFFIX = "_text"  # the search box's own name: `<name>_text`


class Typed(str):
    """What a single picker's search box held when no match was chosen."""


class Chosen(str):
    """A single picker's chosen id, with the text its box held (`typed`): the id stands only
    while the text still names its row (`_PickerField.settle`)."""

    def __new__(cls, value, typed: str = ""):
        chosen = super().__new__(cls, value)
        chosen.typed = typed
        return chosen


class TypedList(list):
    """A multiple picker's chosen ids, with the text its box held unchosen (`typed`)."""

    def __init__(self, values, typed: str):
        super().__init__(values)
        self.typed = typed


def _typed_text(data, name: str) -> str:
    return " ".join(str(data.get(f"{name}{TEXT_SUFFIX}") or "").split())


class _Picker:
    """Shared by the single and the multiple widget: plain select or search box."""

    kind = "person"
    picker_template = "web/widgets/picker.html"
    # The search box posts what it holds as `<name>_text`, so that the field can refuse
    # what was typed and not chosen; off for the boxes of lists' GET filters, which are
    # not Django forms and whose addresses should not carry it.
    post_text = True
    # What the search box also sends with each search (`{"period": id}`: the objectives of
    # one period and those enclosing it), so that it offers what the field accepts.
    search_params: dict | None = None

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        text = _typed_text(data, name)
        if not text:
            return value
        if self.allow_multiple_selected:
            return TypedList(value or [], text)
        return Chosen(value, text) if value not in (None, "") else Typed(text)

    def _is_large(self) -> bool:
        qs = getattr(self.choices, "queryset", None)
        if qs is None:
            return False
        if self.kind in ALWAYS_SEARCH:
            # Nothing to choose yet (a new organization, outside a page): the empty select
            # says so. The newest row also names the organization the search box asks.
            if not hasattr(self, "_large"):
                self._large = self._org_slug() is not None
            return self._large
        if not hasattr(self, "_large"):
            # Newest first, off the org's index: the oldest rows are those a choice list
            # most often leaves out (closed periods' key results), which an unordered read
            # walks through first.
            newest = qs.order_by("-pk").values("pk")[: PICKER_THRESHOLD + 1]
            self._large = newest.count() > PICKER_THRESHOLD
        return self._large

    def _org_slug(self) -> str | None:
        """The organization of the choices: the page's, where one is being served (every
        choice is of it), else named by any row: the newest, off the org's index (`.first()`
        sorted every choice, a whole organization's key results, by label), and None when
        there is no choice at all."""
        if not hasattr(self, "_slug"):
            from accord.org.middleware import request_org
            from accord.org.models import Organization

            org = request_org()
            if org is not None:
                self._slug = org.slug
                return self._slug

            # As a subquery: joined, SQLite sorted every choice to find the newest.
            newest = self.choices.queryset.order_by("-pk").values("org_id")[:1]
            found = Organization.objects.filter(pk=Subquery(newest)).values_list("slug")[:1]
            self._slug = found[0][0] if found else None
        return self._slug

    def render(self, name, value, attrs=None, renderer=None):
        if not self._is_large():
            return super().render(name, value, attrs, renderer)
        return render_to_string(self.picker_template, self._picker_context(name, value, attrs))

    def _picker_context(self, name, value, attrs):
        field = self.choices.field
        qs = self.choices.queryset
        # Teams of a list filter are chosen by slug (`to_field_name="slug"`), as URLs name them.
        key = "slug" if self.kind == "team" and field.to_field_name == "slug" else "pk"
        # Text typed and not chosen is shown again as typed (it names no row, even where it
        # spells a slug).
        typed = value.typed if isinstance(value, TypedList) else ""
        if isinstance(value, Typed):
            typed, value = str(value), None
        elif isinstance(value, Chosen):  # the box as it was sent, over the id sent with it
            typed = value.typed
        # (an id no database integer holds names nothing: SQLite would overflow on it)
        values = [v for v in self.format_value(value) if v and (key != "pk" or as_id(v))]
        chosen = []
        if values:
            found = {str(getattr(o, key)): o for o in qs.filter(**{f"{key}__in": values})}
            chosen = [
                {"value": v, "label": field.label_from_instance(found[v])}
                for v in values
                if v in found
            ]
        org_slug = self._org_slug()
        final = self.build_attrs(self.attrs, attrs)
        widget_id = final.get("id") or f"id_{name}"
        url = reverse("web:pick", kwargs={"org_slug": org_slug, "kind": self.kind})
        params = {**({"by": "slug"} if key == "slug" else {}), **(self.search_params or {})}
        return {
            "name": name,
            "id": widget_id,
            "kind": self.kind,
            "url": f"{url}?{urlencode(params)}" if params else url,
            "placeholder": final.get("placeholder", ""),
            "multiple": self.allow_multiple_selected,
            "chosen": chosen,
            "required": self.is_required,
            "describedby": final.get("aria-describedby", ""),
            # A refused field (Django's BoundField marks it so): said as invalid, as a
            # plain select would be.
            "invalid": final.get("aria-invalid") == "true",
            # A disabled field (`Field.disabled`: shown, not to change) is a disabled box,
            # as a plain select would be; what it holds is not posted, nor searched for.
            "disabled": bool(final.get("disabled")),
            "typed": typed,
            "text_name": f"{name}{TEXT_SUFFIX}" if self.post_text else "",
            "not_chosen": not_chosen_message(self.kind),
        }


class PickerSelect(_Picker, forms.Select):
    pass


class PickerSelectMultiple(_Picker, forms.SelectMultiple):
    pass


class _PickerField:
    kind = "person"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", self.widget_class)
        super().__init__(*args, **kwargs)
        self.widget.kind = self.kind

    def label_from_instance(self, obj) -> str:
        return KINDS[self.kind].label(obj)

    def named(self, text: str):
        """The one row of the field's choices that `text` names exactly (`Kind.exact`, any
        case): text typed in the search box and not chosen from its matches, as shell.js
        chooses it, for a browser without script. None or several: refused, naming the
        text, never dropped nor guessed. One query."""
        spec = KINDS[self.kind]
        rows = {row.pk: row for row in self.queryset.filter(spec.exact(text))[:2]}
        if len(rows) == 1:
            return next(iter(rows.values()))
        noun = spec.noun.split(" ", 1)[1]
        if not rows:
            message = f"No {noun} is named “{text}”. {not_chosen_message(self.kind)}"
        elif self.kind in PEOPLE:
            message = (
                f"More than one person is named “{text}”. Type their email address, or "
                "choose them from the list."
            )
        else:
            message = f"More than one {noun} is named “{text}”. {not_chosen_message(self.kind)}"
        raise ValidationError(message, code="not_chosen")

    def settle(self, value):
        """A single picker's value as sent: the row of its id while the box still names it
        (`is_exact`, one query: today's), else the row the box's text names (`named`); an
        id that is none of the choices is refused, whatever the text."""
        if isinstance(value, Typed):
            return self.named(str(value))
        if not isinstance(value, Chosen) or not value.typed:
            return super().to_python(value)
        try:
            rows = self.queryset.select_related(*LABEL_RELATED.get(self.kind, ()))
            row = rows.get(**{self.to_field_name or "pk": str(value)})
        except (
            ValueError,
            TypeError,
            OverflowError,
            ValidationError,
            self.queryset.model.DoesNotExist,
        ):
            # An id that names none of the choices (another organization's, say): refused
            # as any unknown choice is, whatever the box says; only a real choice typed
            # over gives way to the text.
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)},
            ) from None
        if is_exact(self.kind, row, value.typed):
            return row
        return self.named(value.typed)

    def keep(self, pks, org_id: int) -> None:
        """Also accept, and show as chosen, the rows `pks` of organization `org_id`: what a
        record being edited already holds (a retired team, a deactivated owner), though the
        field offers only current ones. Any other row outside the queryset stays refused."""
        pks = {pk for pk in pks if pk is not None}
        if pks:
            held = self.queryset.model._default_manager.filter(pk__in=pks, org_id=org_id)
            self.queryset = self.queryset | held


class PickerChoiceField(_PickerField, forms.ModelChoiceField):
    widget_class = PickerSelect

    def to_python(self, value):
        return self.settle(value)


class PickerMultipleChoiceField(_PickerField, forms.ModelMultipleChoiceField):
    widget_class = PickerSelectMultiple

    def clean(self, value):
        """The chosen ids, and the row that text left in the box names (`named`)."""
        typed = getattr(value, "typed", "")
        if typed:
            row = self.named(typed)
            key = str(getattr(row, self.to_field_name or "pk"))
            value = [*(v for v in value if str(v) != key), key]
        return super().clean(value)

    def prepare_value(self, value):
        prepared = super().prepare_value(value)
        if isinstance(value, TypedList):  # shown again with its text (`_picker_context`)
            return TypedList(prepared, value.typed)
        return prepared


class PersonChoiceField(PickerChoiceField):
    kind = "person"


class PersonMultipleChoiceField(PickerMultipleChoiceField):
    kind = "person"


class HumanChoiceField(PickerChoiceField):
    """A person, never an agent. Give it a queryset without agents (`humans(org)`); the
    search box offers none either. One who must also act (a decision's approver, an
    objective's accountable owner) is chosen with `AccountableChoiceField`."""

    kind = "human"


def keep_held(form: forms.Form, record) -> None:
    """Let every picker of `form` keep what `record` holds in the field of the same name
    (a foreign key or a many-to-many): editing an objective of a retired team, or an action
    item owned by someone since deactivated, saves the other changes without forcing a
    new choice. Only the record's own values widen the choices; another retired team or
    inactive person, or anything of another organization, is still refused."""
    for name, field in form.fields.items():
        if not isinstance(field, _PickerField) or field.to_field_name:
            continue
        try:
            model_field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.many_to_many:
            pks = list(getattr(record, name).values_list("pk", flat=True))
        elif model_field.many_to_one:
            pks = [getattr(record, model_field.attname)]
        else:
            continue
        field.keep(pks, record.org_id)


def humans(queryset: QuerySet) -> QuerySet:
    """`queryset` of people without the agents."""
    return queryset.exclude(kind="agent")


def assignees(queryset: QuerySet) -> QuerySet:
    """`queryset` of people without those who may not be given work: viewers, who change
    nothing (`org.permissions.refuse_viewer`, which the services still ask)."""
    from accord.org.models import ROLE_RANK, Role

    may_act = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.MEMBER]]
    return queryset.filter(role__in=may_act)


class AssigneeChoiceField(PickerChoiceField):
    """A person who may be given work (an action item's or an issue's owner), never a
    viewer: give it `assignees(queryset)`; the search box offers no viewer either."""

    kind = "assignee"


class AccountableChoiceField(PickerChoiceField):
    """A person, never an agent nor a viewer, who answers for something (a decision's
    approver): give it `assignees(humans(queryset))`; so does the search box."""

    kind = "accountable"


class TeamChoiceField(PickerChoiceField):
    kind = "team"


class TeamMultipleChoiceField(PickerMultipleChoiceField):
    kind = "team"


class WorkTeamChoiceField(PickerChoiceField):
    """A team whose objectives and initiatives the person filling in the form may set:
    give it `alignment.services.teams_acted_for(org, person)`; the search box, asked by
    that person, offers the same teams."""

    kind = "work_team"


class ObjectiveChoiceField(PickerChoiceField):
    kind = "objective"


class ObjectiveMultipleChoiceField(PickerMultipleChoiceField):
    kind = "objective"


class KeyResultChoiceField(PickerChoiceField):
    kind = "key_result"


class KeyResultMultipleChoiceField(PickerMultipleChoiceField):
    kind = "key_result"


class InitiativeChoiceField(PickerChoiceField):
    kind = "initiative"


class InitiativeMultipleChoiceField(PickerMultipleChoiceField):
    kind = "initiative"


class DecisionChoiceField(PickerChoiceField):
    kind = "decision"


class DependencyChoiceField(PickerChoiceField):
    kind = "dependency"


class MeetingChoiceField(PickerChoiceField):
    kind = "meeting"


class CheckInChoiceField(PickerChoiceField):
    kind = "checkin"


class IssueChoiceField(PickerChoiceField):
    kind = "issue"


class OpenIssueChoiceField(PickerChoiceField):
    """An open issue (give it the organization's open issues); the search box offers
    only those."""

    kind = "open_issue"


def team_filter_picker(
    org, team, *, name: str = "team", id: str, by_slug: bool = True, placeholder: str = ""
) -> str:
    """The team search box of a list's GET filter that is not a Django form: the hidden
    input `name` carries the chosen team's slug (the `?team=SLUG` that
    `web.helpers.team_filter` reads) or, with `by_slug=False`, its id; `team` is the one
    chosen now, or None. Never a select of every team, whatever the organization's size."""
    field = TeamChoiceField(
        queryset=_teams(org), required=False, to_field_name="slug" if by_slug else None
    )
    field.widget.post_text = False
    attrs = {"id": id, "placeholder": placeholder} if placeholder else {"id": id}
    return field.widget.render(name, field.prepare_value(team), attrs=attrs)
