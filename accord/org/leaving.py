"""What a team leaves behind when it is retired, and what a person leaves behind when they
are deactivated: the open work that still names them, as counts with a few names and a
link to the list where it can be handed on. Shown before the change (the retire
confirmation, the person form), so that nobody leaves work behind without knowing.

Each kind of work is counted with one query and named with one more (at most `NAMES`
names), whatever the size of the organization. The other apps sit above this one, so
their models are imported inside the functions, when a page asks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.core.services import require_same_org
from accord.org.models import Membership, MembershipRole, Organization, Person, Role, Team
from accord.org.permissions import refuse_agent_actor, require_role
from accord.web.templatetags.people import name_of

NAMES = 3  # names shown of each kind of work; the count says how many more


@dataclass(slots=True)
class Left:
    """One kind of open work: "2 active initiatives: Points, Rewards"."""

    one: str  # the noun for one, e.g. "open initiative"
    many: str  # for several, e.g. "open initiatives"
    count: int
    names: list[str] = field(default_factory=list)
    url: str = ""  # the filtered list where it can be reassigned
    fate: str = ""  # what the change does to it ("Cancelled, …"), when the page says

    @property
    def label(self) -> str:
        return self.one if self.count == 1 else self.many

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.names))


def _left(label: str, qs: QuerySet, name_field: str, url: str = "") -> Left | None:
    """`label`: "open initiative|open initiatives" (one|many)."""
    count = qs.order_by().count()
    if not count:
        return None
    names = list(qs.order_by(name_field, "pk").values_list(name_field, flat=True)[:NAMES])
    one, _, many = label.partition("|")
    return Left(one, many or one, count, [str(n) for n in names], url)


def _url(org: Organization, name: str, query: str) -> str:
    return f"{reverse(name, kwargs={'org_slug': org.slug})}?{query}"


def team_leaves(org: Organization, team: Team) -> list[Left]:
    """The open work of `team`, each with what retiring it does to it: current members,
    open initiatives and objectives, open requests either way, open action items filed to
    it, open issues with it, active cadences. A bounded number of queries."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        Objective,
    )
    from accord.coordination.models import ACTIVE_STATES, Dependency
    from accord.decisions.models import ActionItem, ActionStatus, Issue, IssueStatus
    from accord.rhythm.models import Cadence

    only = f"team={team.slug}&only=1"
    deps = Dependency.objects.filter(org=org, state__in=ACTIVE_STATES)
    deps_url = _url(org, "coordination:list", only)
    why = f"“{team.name} was retired”"
    parent = team.parent
    out = [
        (
            _left("current member|current members", team_members(team), "person__name"),
            "Their terms end on the day it retires; they stay in its past terms.",
        ),
        (
            _left(
                "open initiative|open initiatives",
                Initiative.objects.filter(org=org, team=team, status__in=OPEN_INITIATIVE_STATUSES),
                "title",
                _url(org, "alignment:initiatives", only),
            ),
            "Stay as they are: hand them to another team first if they go on.",
        ),
        (
            _left(
                "open objective|open objectives",
                Objective.objects.filter(org=org, team=team, status__in=OPEN_OBJECTIVE_STATUSES),
                "title",
            ),
            "Stay as they are: hand them to another team first if they go on.",
        ),
        (
            _left(
                "open request to another team|open requests to other teams",
                deps.filter(requester_team=team),
                "title",
                deps_url,
            ),
            f"Cancelled, with the reason {why}; the teams asked are told.",
        ),
        (
            _left(
                "open request from another team|open requests from other teams",
                deps.filter(provider_team=team),
                "title",
                deps_url,
            ),
            f"Declined (or, once accepted, flagged blocked) with the reason {why}; the "
            "teams that asked are told, to ask another team.",
        ),
        (
            _left(
                "open action item filed to it|open action items filed to it",
                ActionItem.objects.filter(org=org, team=team, status=ActionStatus.OPEN),
                "title",
                _url(org, "decisions:actions", f"team={team.slug}"),
            ),
            "Stay open with their owners: hand them on if they go on.",
        ),
        (
            _left(
                "open issue|open issues",
                Issue.objects.filter(org=org, team=team, status=IssueStatus.OPEN),
                "title",
            ),
            f"Escalated to {parent.name}, with the reason {why}."
            if parent is not None
            else "Stay open here, with nobody above to take them: solve or drop them first.",
        ),
        (
            _left(
                "active cadence|active cadences",
                Cadence.objects.filter(org=org, team=team, is_active=True),
                "name",
            ),
            "Stop while it is retired (no meetings, reminders or check-ins); they come back "
            "if it is reactivated.",
        ),
    ]
    found = []
    for left, fate in out:
        if left is not None:
            left.fate = fate
            found.append(left)
    return found


def _more_owned(org: Organization, person: Person) -> list[Left | None]:
    """The teams whose lead they are (or were until they left: `_teams_led`), the key
    results (of open objectives) and active cadences `person` owns, and the open requests
    they asked of other teams (`person_leaves`)."""
    from accord.coordination.models import ACTIVE_STATES, Dependency

    handed = {kind: (label, qs, name) for kind, label, qs, name, _ in _handed_on(org, person)}
    return [
        _left(*handed["team_lead"]),
        _left(*handed["key_result"]),
        _left(*handed["cadence"]),
        _left(
            "open request they asked of another team|open requests they asked of other teams",
            Dependency.objects.filter(org=org, requested_by=person, state__in=ACTIVE_STATES),
            "title",
        ),
    ]


def team_members(team: Team) -> QuerySet:
    """The team's current terms of active people (as its page lists them)."""
    return Membership.objects.filter(team=team, person__is_active=True)


def person_leaves(org: Organization, person: Person) -> list[Left]:
    """The open work of `person`: the teams they lead (once they left: those they led,
    without a lead since), their current terms, the open
    action items, initiatives and objectives they own, the undecided decisions they
    approve or drive. A bounded number of queries."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        Objective,
    )
    from accord.decisions.models import UNDECIDED, ActionItem, ActionStatus, Decision

    terms = Membership.objects.filter(person=person)
    more = _more_owned(org, person)
    out = [
        more.pop(0),  # the teams they lead (or led until they left, without a lead since)
        _left("current term in a team|current terms in teams", terms, "team__name"),
        _left(
            "open action item|open action items",
            ActionItem.objects.filter(org=org, owner=person, status=ActionStatus.OPEN),
            "title",
            _url(org, "decisions:actions", f"person={person.pk}"),
        ),
        _left(
            "open initiative they own|open initiatives they own",
            Initiative.objects.filter(org=org, owner=person, status__in=OPEN_INITIATIVE_STATUSES),
            "title",
            _url(org, "alignment:initiatives", f"owner={person.pk}"),
        ),
        _left(
            "open objective they own|open objectives they own",
            Objective.objects.filter(org=org, owner=person, status__in=OPEN_OBJECTIVE_STATUSES),
            "title",
        ),
        *more,
        _left(
            "undecided decision they approve|undecided decisions they approve",
            Decision.objects.filter(org=org, status__in=UNDECIDED, approver=person),
            "question",
            _url(org, "decisions:index", f"approver={person.pk}"),
        ),
        _left(
            "undecided decision they drive|undecided decisions they drive",
            Decision.objects.filter(org=org, status__in=UNDECIDED, driver=person).exclude(
                approver=person
            ),
            "question",
            _url(org, "decisions:index", f"driver={person.pk}"),
        ),
    ]
    return [x for x in out if x is not None]


# --- what deleting a team would destroy ----------------------------------------------------


def _counted(qs: QuerySet, *, distinct: bool = False) -> Any:
    """`SELECT COUNT(id) FROM …` of `qs` as a subquery, so that many counts are one query."""
    how = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    return Coalesce(
        Subquery(qs.order_by().values(n=Func(F("pk"), template=how))[:1]),
        0,
        output_field=IntegerField(),
    )


def _tally(team: Team, kinds: dict[str, tuple[str, Any]]) -> list[Left]:
    """`kinds`: key → ("one|many", counting subquery); one query for them all."""
    counts = {f"n_{k}": q for k, (_, q) in kinds.items()}  # not the names of relations
    row = Team.objects.filter(pk=team.pk).values(**counts).first()
    out = []
    for key, (label, _) in kinds.items():
        count = (row or {}).get(f"n_{key}") or 0
        if count:
            one, _, many = label.partition("|")
            out.append(Left(one, many or one, count))
    return out


def _history_kinds() -> dict[str, tuple[str, Any]]:
    from accord.alignment.models import Initiative, Milestone, Objective
    from accord.coordination.models import Dependency
    from accord.decisions.models import ActionItem, Decision, Issue
    from accord.rhythm.models import Cadence, CheckIn, Measurable

    team = OuterRef("pk")
    issues = Issue.objects.filter(
        Q(team=team)
        | Q(raised_in=team)
        | Q(escalations__from_team=team)
        | Q(escalations__to_team=team)
    )
    met = Cadence.objects.filter(team=team).filter(
        Q(meetings__isnull=False) | Q(checkins__isnull=False)
    )
    requests = Dependency.objects.filter(Q(requester_team=team) | Q(provider_team=team))
    measured = Measurable.objects.filter(team=team, values__isnull=False)
    return {
        "issues": ("issue|issues", _counted(issues, distinct=True)),
        "decisions": (
            "decision|decisions",
            _counted(Decision.teams.through.objects.filter(team=team)),
        ),
        "actions": ("action item|action items", _counted(ActionItem.objects.filter(team=team))),
        "requests": (
            "request to or from another team|requests to or from other teams",
            _counted(requests),
        ),
        "objectives": ("objective|objectives", _counted(Objective.objects.filter(team=team))),
        "initiatives": ("initiative|initiatives", _counted(Initiative.objects.filter(team=team))),
        "milestones": (
            "milestone|milestones",
            _counted(Milestone.teams.through.objects.filter(team=team)),
        ),
        "cadences": (
            "cadence with minutes or check-ins|cadences with minutes or check-ins",
            _counted(met, distinct=True),
        ),
        "blockers": (
            "check-in naming it as a blocker|check-ins naming it as a blocker",
            _counted(CheckIn.objects.filter(blocker_team=team)),
        ),
        "measurables": (
            "measurable with values|measurables with values",
            _counted(measured, distinct=True),
        ),
    }


def _goes_with_kinds() -> dict[str, tuple[str, Any]]:
    from accord.org.models import TeamLink, TeamVacancy
    from accord.rhythm.models import Cadence

    team = OuterRef("pk")
    links = TeamLink.objects.filter(Q(from_team=team) | Q(to_team=team))
    return {
        "terms": ("term in it|terms in it", _counted(Membership.terms.filter(team=team))),
        "vacancies": (
            "open position|open positions",
            _counted(TeamVacancy.objects.filter(team=team)),
        ),
        "links": ("link to another team|links to other teams", _counted(links)),
        # Only those that never met or took a check-in are left once it has no history.
        "never_met": (
            "cadence that never met|cadences that never met",
            _counted(Cadence.objects.filter(team=team)),
        ),
    }


def team_history(org: Organization, team: Team) -> list[Left]:
    """What `team` has that deleting it would destroy or cut loose: issues (sitting in it,
    raised in it or escalated through it), decisions and action items filed to it, requests
    to or from it, objectives, initiatives, milestones, cadences that met or took check-ins,
    check-ins naming it as a blocker, measurables with values. Any of it refuses deletion
    (`services.delete_team`): retiring keeps it. One query."""
    return _tally(team, _history_kinds())


def team_deletion(org: Organization, team: Team) -> tuple[list[Left], list[Left]]:
    """What deleting `team` would meet, in one query: its history (`team_history`; any
    refuses it) and what would go with it (terms, open positions, links, cadences that
    never met), for the team page's Delete button and its confirmation."""
    history = _history_kinds()
    found = _tally(team, {**history, **_goes_with_kinds()})
    labels = {v[0].partition("|")[0] for v in history.values()}
    return [x for x in found if x.one in labels], [x for x in found if x.one not in labels]


def counted_text(items: list[Left]) -> str:
    """ "3 issues and 2 cadences with minutes or check-ins"."""
    parts = [f"{x.count} {x.label}" for x in items]
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- handing someone's work on -------------------------------------------------------------


def _handed_on(org: Organization, person: Person) -> list[tuple[str, str, QuerySet, str, Any]]:
    """What `hand_over` reassigns: (kind, "one|many" label, the open ones `person` owns,
    their name field, the app's own service that changes an owner: its rules apply)."""
    from accord.alignment import services as alignment
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        KeyResult,
        Objective,
    )
    from accord.decisions import services as decisions
    from accord.decisions.models import UNDECIDED, ActionItem, ActionStatus, Decision
    from accord.rhythm import services as rhythm
    from accord.rhythm.models import Cadence

    undecided = Decision.objects.filter(org=org, status__in=UNDECIDED)
    return [
        (
            "team_lead",
            "team they lead|teams they lead"
            if person.is_active
            else "team they led, without a lead since|teams they led, without a lead since",
            _teams_led(org, person),
            "name",
            functools.partial(_give_lead, leaver=person),
        ),
        (
            "action_item",
            "open action item|open action items",
            ActionItem.objects.filter(org=org, owner=person, status=ActionStatus.OPEN),
            "title",
            decisions.update_action_item,
        ),
        (
            "objective",
            "open objective|open objectives",
            Objective.objects.filter(org=org, owner=person, status__in=OPEN_OBJECTIVE_STATUSES),
            "title",
            alignment.update_objective,
        ),
        (
            "key_result",
            "key result they own|key results they own",
            KeyResult.objects.filter(
                org=org, owner=person, objective__status__in=OPEN_OBJECTIVE_STATUSES
            ),
            "name",
            alignment.update_key_result,
        ),
        (
            "initiative",
            "open initiative|open initiatives",
            Initiative.objects.filter(org=org, owner=person, status__in=OPEN_INITIATIVE_STATUSES),
            "title",
            alignment.update_initiative,
        ),
        (
            "cadence",
            "active cadence they own|active cadences they own",
            Cadence.objects.filter(org=org, owner=person, is_active=True),
            "name",
            rhythm.update_cadence,
        ),
        # Who decides and who drives: the decision's own roles, changed as its page does.
        (
            "decision_to_approve",
            "undecided decision they approve|undecided decisions they approve",
            undecided.filter(approver=person),
            "question",
            _as_role(decisions.update_decision, "approver"),
        ),
        (
            "decision_to_drive",
            "undecided decision they drive|undecided decisions they drive",
            undecided.filter(driver=person),
            "question",
            _as_role(decisions.update_decision, "driver"),
        ),
    ]


def _as_role(change: Any, role: str) -> Any:
    """`change(org, actor, obj, owner=…)` as `hand_over` calls it, for a service whose
    field of that person is `role` (a decision's approver, its driver)."""

    def give(org: Organization, actor: Person | None, obj: Any, *, owner: Person) -> Any:
        return change(org, actor, obj, **{role: owner})

    return give


def _teams_led(org: Organization, person: Person) -> QuerySet:
    """The teams whose lead `hand_over` gives on: those `person` leads now; once they are
    deactivated (which ended their terms), those they led until they left (their terms that
    ended last) that are not retired and have had no lead since."""
    led = Membership.terms.filter(org=org, person=person).leading()
    if person.is_active:
        return Team.objects.filter(org=org, pk__in=led.current().values("team"))
    last = (
        Membership.terms.filter(org=org, person=person, ended_on__isnull=False)
        .order_by("-ended_on")
        .values("ended_on")
    )
    until_left = led.filter(ended_on=Subquery(last[:1]))
    led_now = Membership.objects.filter(org=org, person__is_active=True).leading()
    return (
        Team.objects.current()
        .filter(org=org, pk__in=until_left.values("team"))
        .exclude(pk__in=led_now.values("team"))
    )


def _give_lead(
    org: Organization, actor: Person | None, team: Team, *, owner: Person, leaver: Person
) -> None:
    """Make `owner` a lead of `team` in the leading role `leaver` held there (lead, co-lead,
    chair), through the org's own services: a new term, its share of their time left
    unknown for the team to set (so no share they have elsewhere is exceeded), or the role
    of the term they have there already. A viewer, who changes nothing, leads no team."""
    from accord.org import services
    from accord.org.permissions import refuse_viewer

    refuse_viewer(owner, "to", "lead a team")
    held = (
        Membership.terms.filter(org=org, person=leaver, team=team)
        .leading()
        .order_by(F("ended_on").desc(nulls_first=True), "-pk")
        .values_list("role", flat=True)
        .first()
    )
    role = held or MembershipRole.LEAD
    term = Membership.objects.filter(org=org, person=owner, team=team).first()
    if term is None:
        services.add_membership(org, actor, person=owner, team=team, role=role, allocation=None)
    elif term.is_leading:  # nothing to hand on: said so, not counted as handed
        raise ServiceError(f"{owner.name} already leads {team.name}.", code="already_leads")
    else:
        services.update_membership(org, actor, term, role=role)


@dataclass(slots=True)
class Handover:
    """What `hand_over` did: (label, names) handed on per kind, and what it could not hand
    on, each with the app's reason."""

    to: Person
    handed: list[tuple[str, list[str]]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why)
    # (kind, ids) of what was handed on, in the order of `handed` (the API's answer).
    handed_ids: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(names) for _, names in self.handed)


HANDOVER_KIND = "work_handed_to_you"  # org/notifications.py


@transaction.atomic
def hand_over(org: Organization, actor: Person | None, person: Person, to: Person) -> Handover:
    """Hand every open thing `person` owns (the lead of the teams they lead, or led until
    they left and have had no lead since; action items, objectives, key results,
    initiatives, active cadences; the undecided decisions they approve or drive) to `to`,
    in one transaction: each through its app's own
    service (so its rules apply: who may own that team's objective, no viewer owns a
    cadence… and its event is recorded), one at a time. What an app refuses stays with
    `person` and is said, with why; the rest is handed. `to` is told once, through the
    delivery path, listing what they got. Admins and leaders hand work on."""
    from accord.activity import delivery
    from accord.decisions.notifications import handing_over

    require_same_org(org, person, "person")
    require_same_org(org, to, "person")
    require_role(actor, Role.LEADER, "hand someone's work on")
    refuse_agent_actor(actor, "hand someone's work on")  # a person decides who takes it on
    if to.pk == person.pk:
        raise ServiceError(
            f"Choose someone other than {person.name}.", fields={"to": ["Someone else."]}
        )
    if not to.is_active:
        raise ServiceError(
            f"{to.name} is deactivated; hand the work to someone who is still here.",
            fields={"to": [f"{to.name} is deactivated."]},
        )
    done = Handover(to)
    with handing_over():
        _hand_each(org, actor, person, to, done)
    if done.count:
        lines = [f"{len(names)} {label}: {', '.join(names)}" for label, names in done.handed]
        whose = name_of(person)  # "(left)" once they are deactivated
        delivery.notify(
            org,
            kind=HANDOVER_KIND,
            key=f"handover:{person.pk}:{to.pk}:{timezone.now().timestamp():.0f}",
            subject=f"What {whose} owned is yours now",
            text=f"{actor.name if actor else 'Accord'} handed you what {whose} owned:\n"
            + "\n".join(f"- {line}" for line in lines),
            link=delivery.site_link(
                reverse("org:person", kwargs={"org_slug": org.slug, "person_id": person.pk})
            ),
            link_label=f"The page of {whose}",
            people=[to],
        )
    return done


def _hand_each(org: Organization, actor, person: Person, to: Person, done: Handover) -> None:
    """Give each thing `person` owns to `to`, one at a time: what is refused stays, said."""
    from accord.activity.services import discard_events, event_mark

    for kind, label, owned, name_field, change in _handed_on(org, person):
        names, ids = [], []
        for obj in owned.order_by(name_field, "pk"):
            name = str(getattr(obj, name_field))
            mark = event_mark()
            try:
                with transaction.atomic():
                    change(org, actor, obj, owner=to)
            except ServiceError as exc:
                discard_events(mark)
                done.refused.append((name, exc.message))
            else:
                names.append(name)
                ids.append(obj.pk)
        if names:
            one, _, many = label.partition("|")
            done.handed.append((one if len(names) == 1 else many, names))
            done.handed_ids.append((kind, ids))
