"""Reads shared by pages, the API, meeting agendas and analysis.

Latency is computed in Python from plain rows (each decision's days, computed by the
database) loaded in two bulk queries, so its cost does not depend on how many objects a
page shows; follow-through is read from daily tallies kept on every write
(`followthrough.py`), so its cost does not depend on how many items a team's subtree
holds either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.db import NotSupportedError, connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accord.activity.models import Event
from accord.core import counting, twice
from accord.core.counting import (
    count_up_to,
    figures,
    first_rows,
    grouped_figures,
    kept_while_large,
)
from accord.core.days import org_day_start, org_today
from accord.decisions import followthrough
from accord.decisions.models import (
    LINKABLE,
    SEVERITY_RANK,
    UNDECIDED,
    ActionItem,
    ActionStatus,
    Decision,
    DecisionLink,
    DecisionStatus,
    FollowTally,
    Issue,
    IssueStatus,
    IssueVote,
    Severity,
    stale_after_days,
)
from accord.org.models import Membership, Organization, Person, Team
from accord.org.queries import covers_every_team, in_subtree, subtree_ids

# --- the same one again (`accord.core.twice`) ----------------------------------------------
# One rule for the forms, which ask first, and the services, which refuse (code "duplicate")
# unless asked to make it again: the same thing by the same person within `twice.WINDOW`,
# still open. None when `person` is None (an import, the demo, Accord itself).


def twin_decision(
    org: Organization, person: Person | None, question: str, approver: Person | None
) -> Decision | None:
    """`person`'s undecided decision asking `question` of `approver`, opened just now."""
    question = (question or "").strip()
    if person is None or approver is None or not question:
        return None
    return (
        Decision.objects.for_org(org)
        .filter(
            created_by=person,
            question__iexact=question,
            approver=approver,
            status__in=UNDECIDED,
            opened_at__gte=twice.since(),
        )
        .order_by("-pk")
        .first()
    )


def twin_action_item(
    org: Organization,
    person: Person | None,
    title: str,
    owner: Person | None,
    team: Team | None,
    source_type: str = "",
    source_id: int | None = None,
) -> ActionItem | None:
    """`person`'s open action item `title` for `owner` in `team` (from the same source,
    when one is named), recorded just now."""
    title = (title or "").strip()
    if person is None or owner is None or not title:
        return None
    twins = ActionItem.objects.for_org(org).filter(
        created_by=person,
        title__iexact=title,
        owner=owner,
        team=team,
        status=ActionStatus.OPEN,
        created_at__gte=twice.since(),
    )
    if source_id is not None:  # from the same issue, decision or meeting
        twins = twins.filter(source_type=source_type or "", source_id=source_id)
    return twins.order_by("-pk").first()


def twin_issue(
    org: Organization, person: Person | None, title: str, team: Team | None
) -> Issue | None:
    """`person`'s open issue `title` raised for `team`, just now."""
    title = (title or "").strip()
    if person is None or team is None or not title:
        return None
    return (
        Issue.objects.for_org(org)
        .filter(
            raised_by=person,
            title__iexact=title,
            raised_in=team,
            status=IssueStatus.OPEN,
            opened_at__gte=twice.since(),
        )
        .order_by("-pk")
        .first()
    )


# --- decisions ---------------------------------------------------------------------------

# Soonest deadline first; decisions without one after them, on every database.
DECIDE_BY_FIRST = F("decide_by").asc(nulls_last=True)
DUE_FIRST = F("due_on").asc(nulls_last=True)
# Latest closed first: done or dropped, whichever happened (the `action_closed_order` index).
# Exactly the index's order: a closed item always has its closing time (the services set
# it), so where nulls would sort, which differs between databases, never matters; asked
# for "nulls last", PostgreSQL could not use the index and sorted every closed item.
CLOSED_LAST = Coalesce("done_at", "dropped_at").desc()
# The same order in a form that index cannot serve, for the few closed items of one owner
# or a small subtree: read off their own index and sorted. Told the indexed form, SQLite
# may walk every closed item of the organization in order to find a person's twenty,
# whenever its sampled statistics favour that plan.
CLOSED_LAST_OWN = Coalesce("done_at", "dropped_at", Value(None, output_field=DateTimeField())).desc(
    nulls_last=True
)
# Due first, in a form the organization's (due on, id) index cannot serve: for the few items
# of one source, read off the source's index and sorted. Most items have no source, so the
# sampled statistics of that index can make SQLite walk every item of the organization in
# due order to find one decision's three.
DUE_FIRST_OWN = Coalesce("due_on", Value(None, output_field=DateField())).asc(nulls_last=True)


def dated_first_page(qs: QuerySet, field: str, offset: int, limit: int) -> list:
    """Rows `offset` to `offset + limit` of `qs` ordered by `field` with the undated last,
    then by id (the `NULLS LAST` order of the lists), read as the dated rows in `(field,
    id)` order and then the undated ones by id: SQLite reads no `NULLS LAST` off an index,
    so ordered as one it sorts every matching row of the organization for one page."""
    dated = list(
        qs.filter(**{f"{field}__isnull": False}).order_by(field, "id")[offset : offset + limit]
    )
    if len(dated) >= limit:
        return dated
    # The dated rows end on this page, or (no dated row here) at or before its start.
    before = (
        offset + len(dated)
        if dated
        else qs.filter(**{f"{field}__isnull": False}).order_by().count()
    )
    start = max(0, offset - before)
    undated = qs.filter(**{f"{field}__isnull": True}).order_by("id")
    return dated + list(undated[start : start + limit - len(dated)])


def decisions(org: Organization) -> QuerySet[Decision]:
    return Decision.objects.for_org(org).select_related("approver", "driver")


def with_subjects(links: QuerySet[DecisionLink]) -> QuerySet[DecisionLink]:
    """`links` (a decision's, or a page of decisions' as a prefetch), each with what became
    of what it concerns, read in the same query (no query per link or per kind):
    `subject_gone`, it was deleted since (its page is no more), and `last_name`, for one
    deleted that was linked with no label, the name the activity log last knew it by.
    `subject_name` (below) gives the name a link keeps."""
    gone = Case(
        *(
            When(
                target_type=kind,
                then=~Exists(
                    apps.get_model(kind)._base_manager.filter(
                        org_id=OuterRef("org_id"), pk=OuterRef("target_id")
                    )
                ),
            )
            for kind in sorted(LINKABLE)
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    # Off the events' (org, target_type, target_id, created_at, id) index, newest first.
    known_as = (
        Event.objects.filter(
            org_id=OuterRef("org_id"),
            target_type=OuterRef("target_type"),
            target_id=Cast(OuterRef("target_id"), CharField()),
        )
        .exclude(target_label="")
        .order_by("-created_at", "-id")
        .values("target_label")[:1]
    )
    # Read for the links with no label (`subject_name` uses it for the deleted ones only).
    return links.annotate(
        subject_gone=gone,
        last_name=Case(
            When(label="", then=Subquery(known_as)), default=Value(""), output_field=CharField()
        ),
    )


# What names a subject of these kinds (`str()`) beyond its own row.
NAMED_WITH = {"rhythm.meeting": ("cadence",), "rhythm.checkin": ("cadence", "person")}


def with_subject_titles(links: Iterable[DecisionLink]) -> list[DecisionLink]:
    """`links` (read by `with_subjects`), each linked with no label given `subject_title`:
    the name what it concerns goes by now, as its page and the activity log name it
    (`str()`). One query per kind among them, whether or not the subject still exists."""
    links = list(links)
    wanted: dict[tuple[str, int], set[int]] = defaultdict(set)
    for link in links:
        if not link.label and link.target_type in LINKABLE:
            wanted[link.target_type, link.org_id].add(link.target_id)
    titles: dict[tuple[str, int], str] = {}
    for (kind, org_id), ids in wanted.items():
        rows = (
            apps.get_model(kind)
            ._base_manager.filter(org_id=org_id, pk__in=ids)
            .select_related(*NAMED_WITH.get(kind, ()))
        )
        titles.update(((kind, obj.pk), str(obj)) for obj in rows)
    for link in links:
        link.subject_title = titles.get((link.target_type, link.target_id), "")
    return links


def subject_name(link: DecisionLink) -> str:
    """The name a link gives what it concerns: its label, else (what it concerns deleted,
    read by `with_subjects`) the name that had, else (its name read by
    `with_subject_titles`) the name it has now, else ""."""
    if link.label:
        return link.label
    if getattr(link, "subject_gone", False):
        return getattr(link, "last_name", "") or ""
    return getattr(link, "subject_title", "")


# How many of the decisions about one thing its page lists, the latest first.
LINKED_SHOWN = 5


@dataclass
class LinkedDecisions:
    """The decisions about one thing (`linked_decisions`): the latest first, and how many
    there are in all (`count_up_to`'s count: past a thousand it reads 1,001)."""

    decisions: list[Decision]
    count: int

    @property
    def more(self) -> int:
        """How many are not listed."""
        return self.count - len(self.decisions)


def linked_decisions(
    org: Organization, target_type: str, target_id: int, limit: int | None = LINKED_SHOWN
) -> LinkedDecisions:
    """The decisions of `org` linked to one thing ("app.model", id; see `LINKABLE`), the
    latest first (by when each was decided, else opened: the date a page shows): the first
    `limit` (None: all of them) and how many there are. Read off the links' (org, target)
    index, each with its decision in the same query, their few rows sorted: one query, two
    when there are more than `limit`. The link and the decision are both `org`'s, so a stray
    link of another organization to the same id never shows."""
    links = (
        DecisionLink.objects.for_org(org)
        .filter(target_type=target_type, target_id=target_id, decision__org=org)
        .select_related("decision")
        .order_by(Coalesce("decision__decided_at", "decision__opened_at").desc(), "-decision_id")
    )
    if limit is None:
        found = list(links)
        total = len(found)
    else:
        found, total = first_rows(links, limit)
    return LinkedDecisions([link.decision for link in found], total)


def is_linkable(org: Organization, target_type: str, target_id: int | None) -> bool:
    """Whether decisions can be about this thing: a kind of `LINKABLE` and an object of
    `org` (as `services.link` requires), never another organization's. One query."""
    if target_type not in LINKABLE or target_id is None:
        return False
    return apps.get_model(target_type).objects.filter(org=org, pk=target_id).exists()


def department_decisions(org: Organization, team: Team, n: int = 6) -> list[Decision]:
    """The first `n` decisions of `team` and the teams below it, as a department head reads
    them: those waiting (soonest deadline first), then the newest of the others. Read as
    the log cut to the department reads them, by the subtree's decisions' ids: walking the
    decisions in their order instead, testing each against the subtree, took 3 ms for a
    division of 1,000 teams but 35-260 ms for a department of nine teams and 59 decisions
    (at 10,000 teams), which the walk reaches only after most of the organization's."""
    log = filter_log(org, team=team)
    out = list(log.filter(status__in=UNDECIDED).order_by(DECIDE_BY_FIRST, "-opened_at", "-id")[:n])
    if len(out) < n:
        out += log.exclude(status__in=UNDECIDED).order_by("-opened_at", "-id")[: n - len(out)]
    return out


def waiting_on(person: Person) -> QuerySet[Decision]:
    """Open or proposed decisions this person is the approver of, soonest deadline first."""
    return (
        Decision.objects.for_org(person.org)
        .filter(approver=person, status__in=UNDECIDED)
        .select_related("approver", "driver")
        .order_by(DECIDE_BY_FIRST, "opened_at", "id")
    )


def overdue_decisions(org: Organization, today: dt.date | None = None) -> QuerySet[Decision]:
    """Open or proposed decisions past their decide-by date, most overdue first."""
    today = today or org_today()
    return (
        Decision.objects.for_org(org)
        .filter(status__in=UNDECIDED, decide_by__lt=today)
        .select_related("approver", "driver")
        .order_by("decide_by", "id")
    )


def _ids(ids: Iterable[int] | QuerySet) -> list[int] | QuerySet:
    """Ids to filter by: a query stays a subquery, anything else becomes a list."""
    return ids if isinstance(ids, QuerySet) else list(ids)


def decisions_awaiting(
    org: Organization, person_ids: Iterable[int] | QuerySet
) -> QuerySet[Decision]:
    """Undecided decisions any of these people (ids, or a query of them) approve or drive
    (for meeting agendas)."""
    ids = _ids(person_ids)
    return (
        Decision.objects.for_org(org)
        .filter(status__in=UNDECIDED)
        .filter(Q(approver_id__in=ids) | Q(driver_id__in=ids))
        .select_related("approver", "driver")
        .order_by(DECIDE_BY_FIRST, "opened_at", "id")
    )


def search(qs: QuerySet[Decision], text: str) -> QuerySet[Decision]:
    """Full-text search over question, context, outcome and rationale.

    PostgreSQL: a weighted `tsvector` ranked by relevance (English stemming, so
    "migrate" finds "migration"). SQLite: every word must appear in one of those fields.
    """
    text = (text or "").strip()
    if not text:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("question", weight="A", config="english")
            + SearchVector("outcome", weight="B", config="english")
            + SearchVector("context", weight="C", config="english")
            + SearchVector("rationale", weight="C", config="english")
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-opened_at", "-id")
        )
    for word in text.split():
        word = word.strip("\"'")
        if not word:
            continue
        qs = qs.filter(
            Q(question__icontains=word)
            | Q(context__icontains=word)
            | Q(outcome__icontains=word)
            | Q(rationale__icontains=word)
        )
    return qs


def log_figures(
    org: Organization,
    team: Team | None = None,
    only: bool = False,
    about: tuple[str, int] | None = None,
    **filters,
) -> dict[str, int]:
    """How many decisions have each status, and how many are overdue today: the decision
    log's figures (`accord.core.counting.figures`), of the organization or, as the log is
    filtered, of `team` and the teams below it (`only`: the team alone), of the decisions
    linked to one thing (`about`: "app.model", id) and of those the log's other `filters`
    select (`filter_log`'s words, dates, approver and driver; not its status or "overdue",
    which these figures count by)."""
    today = org_today()
    filters = {k: v for k, v in filters.items() if v}
    if team is None and about is None and not filters:
        decisions = Decision.objects.for_org(org)
        return figures(
            f"decision-figures:{org.pk}::{today.isoformat()}",
            {
                **{status: decisions.filter(status=status) for status in DecisionStatus.values},
                "overdue": overdue_decisions(org, today),
            },
        )
    # A subtree's (or one thing's, or a filter's) decisions are found once for all the
    # statuses, not once per status.
    key = f"decision-figures:{org.pk}:{team.pk if team else ''}:{int(only)}:{today.isoformat()}"
    linked_type, linked_id = about or ("", None)
    if about:
        key += f":{linked_type}:{linked_id}"
    if filters:
        said = repr(sorted((k, str(v)) for k, v in filters.items()))
        key += ":" + hashlib.sha256(said.encode()).hexdigest()[:32]
    decisions = filter_log(
        org, team=team, only=only, linked_type=linked_type, linked_id=linked_id, **filters
    )
    return {
        **grouped_figures(key, decisions, "status", DecisionStatus.values),
        **figures(
            key + ":overdue",
            {"overdue": decisions.filter(status__in=UNDECIDED, decide_by__lt=today)},
        ),
    }


def overdue_figure(org: Organization) -> int:
    """How many decisions are overdue today, as a figure, for a page that shows that alone."""
    today = org_today()
    key = f"decision-overdue:{org.pk}:{today.isoformat()}"
    return figures(key, {"overdue": overdue_decisions(org, today)})["overdue"]


def team_decisions(
    org: Organization, ids: Iterable[int] | QuerySet | None = None
) -> tuple[QuerySet, QuerySet]:
    """A team's decisions: those it is affected by ("Teams affected"), and those about an
    issue it holds (recorded without "Teams affected", a decision about its issue is still
    its own). As the two sets of rows that say so, each row one decision (`decision_id`)
    of one team (`team_id`), of the teams `ids` (a list or a subquery). None: of every
    team; the rows of "Teams affected" are then every organization's, to be read for one
    decision or filtered by its organization. The decision log's team filter reads them
    (`filter_log`), and so does a briefing for its teams' decisions (`issue_teams`):
    a count of a briefing and the log it links to agree."""
    affected = Decision.teams.through.objects.all()
    held = Issue.objects.for_org(org)
    if ids is not None:
        affected = affected.filter(team_id__in=ids)
        held = held.filter(team_id__in=ids)
    about = DecisionLink.objects.filter(
        org=org, target_type="decisions.issue", target_id__in=held.values("pk")
    ).annotate(team_id=Subquery(Issue.objects.filter(pk=OuterRef("target_id")).values("team_id")))
    return affected, about


def issue_teams(org: Organization) -> dict[int, set[int]]:
    """The teams holding an issue each decision of `org` is about (`team_decisions`' second
    set of rows), by the decision's id: with its teams affected, the teams whose decision
    it is. One query, one row per link of a decision to an issue."""
    _, about = team_decisions(org)
    out: dict[int, set[int]] = defaultdict(set)
    for decision_id, team_id in about.values_list("decision_id", "team_id"):
        if team_id is not None:
            out[decision_id].add(team_id)
    return dict(out)


# The log's status filter for decisions open or proposed (`UNDECIDED`): both still wait for
# their decision, as "Decisions due" of a briefing counts them.
UNDECIDED_FILTER = "undecided"


def filter_log(
    org: Organization,
    *,
    q: str = "",
    status: str = "",
    team_id: int | None = None,
    approver_id: int | None = None,
    driver_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    decided_since: dt.date | None = None,
    decided_until: dt.date | None = None,
    due_since: dt.date | None = None,
    due_until: dt.date | None = None,
    overdue: bool | None = None,
    team: Team | None = None,
    only: bool = False,
    linked_type: str = "",
    linked_id: int | None = None,
) -> QuerySet[Decision]:
    """The decision log with its filters; `since` and `until` apply to when it was opened,
    `decided_since` and `decided_until` to when it was decided (a decision later reversed
    or superseded keeps that day: it was decided then, whatever became of it),
    `due_since` and `due_until` to its decide-by date (one with none is left out by
    either; "Decisions due" of a briefing links to next week's days). `team`: the
    decisions of that team and the teams below it (`only`: of the team alone): those they
    are affected by, and those about an issue one of them holds.
    `linked_type` and `linked_id` (both, or neither): the decisions linked to that one
    thing ("app.model", id; see `LINKABLE`), by a link of `org`'s. `overdue`: True keeps
    the overdue (open or proposed past their decide-by date), False the others, None all."""
    qs = decisions(org)
    if linked_type and linked_id is not None:
        # Joined, read off the links' (org, target) index and each decision by its id, then
        # its few rows sorted: as `id IN (the links' subquery)`, SQLite without statistics
        # walked every decision of the organization in the log's order, testing each. A
        # decision links to one thing once (`decision_link_once`): no row comes twice.
        qs = qs.filter(links__org=org, links__target_type=linked_type, links__target_id=linked_id)
    if status == UNDECIDED_FILTER:
        qs = qs.filter(status__in=UNDECIDED)
    elif status:
        qs = qs.filter(status=status)
    if team_id:
        qs = qs.filter(teams__id=team_id)
    if team is not None:
        if not only and covers_every_team(team):
            # Every team: a decision filed to any team, tested row by row as the log is
            # read in its order (the subtree's ids gathered every link of the organization).
            affected, about = team_decisions(org)
            qs = qs.filter(
                Exists(affected.filter(decision_id=OuterRef("pk")))
                | Exists(about.filter(decision_id=OuterRef("pk")))
            )
        else:
            affected, about = team_decisions(org, subtree_ids(team, only=only))
            qs = qs.filter(
                Q(pk__in=affected.values("decision_id")) | Q(pk__in=about.values("decision_id"))
            )
    if approver_id:
        qs = qs.filter(approver_id=approver_id)
    if driver_id:
        qs = qs.filter(driver_id=driver_id)
    if since:
        qs = qs.filter(opened_at__date__gte=since)
    if until:
        qs = qs.filter(opened_at__date__lte=until)
    # Days as moments in the current time zone, as `latency_rows` reads them.
    if decided_since:
        qs = qs.filter(decided_at__gte=day_start(decided_since))
    if decided_until:
        qs = qs.filter(decided_at__lt=day_start(decided_until + dt.timedelta(days=1)))
    if due_since:
        qs = qs.filter(decide_by__gte=due_since)
    if due_until:
        qs = qs.filter(decide_by__lte=due_until)
    if overdue is not None:
        late = Q(status__in=UNDECIDED, decide_by__lt=org_today())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return search(qs, q)


@dataclass
class Latency:
    """Days from opened to decided over a set of decisions."""

    days: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.days), 1) if self.days else None

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.days), 1) if self.days else None

    @property
    def max(self) -> float | None:
        return round(max(self.days), 1) if self.days else None


@dataclass
class LatencyReport:
    overall: Latency
    per_decision: dict[int, float]  # decision id -> days
    per_team: dict[int, Latency]  # team id -> stats (a decision counts for each team)
    per_approver: dict[int, Latency]  # person id -> stats


def decision_latency(
    org: Organization,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    team_ids: Iterable[int] | None = None,
) -> LatencyReport:
    """Latency of decisions decided in [since, until], per decision, team and approver.

    Superseded and reversed decisions count too: they were decided. Two queries.
    """
    return latency_report(latency_rows(org, since=since, until=until, team_ids=team_ids))


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the current time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class DaysBetween(Func):
    """Days (a float) from the moment `start` to the moment `end`, computed by the
    database: turning each decision's two moments into Python datetimes cost more than
    the rest of a year's latency report."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(julianday(%(end)s) - julianday(%(start)s))", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(end)s - %(start)s))::double precision / 86400)",
            **extra,
        )

    def as_sql(self, compiler, connection, template=None, **extra):
        if template is None:
            raise NotSupportedError("DaysBetween is written for SQLite and PostgreSQL.")
        (start, start_params), (end, end_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return template % {"start": start, "end": end}, (*start_params, *end_params)


@dataclass
class LatencyRows:
    """What a latency report is computed from: (id, approver id, days from opened to
    decided, how many of the `marks` asked for it was decided before) per decision
    decided, and the teams of each."""

    decisions: list[tuple]
    teams_of: dict[int, list[int]]

    def decided_since(self, mark: int) -> LatencyRows:
        """The decisions decided at or after the `mark`th of the marks (0: the first)."""
        kept = [r for r in self.decisions if r[3] <= mark]
        return LatencyRows(kept, self.teams_of)


def latency_rows(
    org: Organization,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    team_ids: Iterable[int] | None = None,
    marks: Sequence[dt.datetime] = (),
) -> LatencyRows:
    """The decisions decided in [since, until] (concerning `team_ids`) and their teams, each
    placed among `marks` (moments, the latest first) as `decided_since` reads. Two queries."""
    # Unordered: a median needs no order, and sorting a year's decisions cost a tenth.
    qs = Decision.objects.for_org(org).filter(decided_at__isnull=False).order_by()
    # Days as moments in the current time zone: `decided_at__date` made SQLite convert every
    # decision's moment to a date in Python (70 s for the 50,000 of a 10,000-team organization).
    if since:
        qs = qs.filter(decided_at__gte=day_start(since))
    if until:
        qs = qs.filter(decided_at__lt=day_start(until + dt.timedelta(days=1)))
    if team_ids is not None:
        qs = qs.filter(teams__id__in=list(team_ids)).distinct()
    # Where each decision falls among the marks, compared by the database too.
    placed = Case(
        *(When(decided_at__gte=m, then=Value(i)) for i, m in enumerate(marks)),
        default=Value(len(marks)),
        output_field=IntegerField(),
    )
    days = DaysBetween("opened_at", "decided_at")
    rows = list(qs.values_list("id", "approver_id", days, placed))
    teams_of: dict[int, list[int]] = defaultdict(list)
    if rows:
        # The decisions by subquery: given their ids as a list (a year of a large
        # organization's is more than SQLite takes), SQLite walked every team and looked
        # each decision up for it (17 s for a month of 8,000).
        through = Decision.teams.through.objects.filter(decision_id__in=qs.values("id"))
        for did, tid in through.values_list("decision_id", "team_id"):
            teams_of[did].append(tid)
    return LatencyRows(rows, teams_of)


def latency_report(rows: LatencyRows) -> LatencyReport:
    """The figures of `rows`: overall, per decision, per team and per approver."""
    overall = Latency()
    per_decision: dict[int, float] = {}
    per_team: dict[int, Latency] = defaultdict(Latency)
    per_approver: dict[int, Latency] = defaultdict(Latency)
    for did, approver_id, days, _ in rows.decisions:
        # To the second: the database's arithmetic on moments leaves noise far below it,
        # which must not tip a figure rounded to a tenth of a day.
        days = max(0.0, round(days, 6))
        per_decision[did] = round(days, 2)
        overall.days.append(days)
        per_approver[approver_id].days.append(days)
        for tid in rows.teams_of.get(did, ()):
            per_team[tid].days.append(days)
    return LatencyReport(
        overall=overall,
        per_decision=per_decision,
        per_team=dict(per_team),
        per_approver=dict(per_approver),
    )


# --- action items ------------------------------------------------------------------------


@dataclass
class FollowThrough:
    """Action items due in the window (the last `days` days, up to yesterday), not dropped.

    `on_time` were done by their due date, `late` were done after it, `overdue` are still
    open. `rate` is on_time / due (None when nothing fell due). Items with no due date
    cannot be late; they are counted apart (`undated_done`, `undated_open`). An item that
    slipped (re-dated once overdue) is never on time: done, it is late on the day it
    slipped from, whatever its new date (see `followthrough.py`).
    """

    days: int
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    undated_done: int = 0
    undated_open: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


_FT_FIELDS = ("owner_id", "team_id", "due_on", "status", "done_at", "created_at", "slipped_from")


def _follow_rows(org: Organization, days: int, today: dt.date, **filters) -> list[tuple]:
    start = today - dt.timedelta(days=days)
    # Done after it slipped: late on the day it slipped from, whatever its due date now.
    slipped_done = Q(status=ActionStatus.DONE, slipped_from__isnull=False)
    qs = (
        ActionItem.objects.for_org(org)
        .exclude(status=ActionStatus.DROPPED)
        .filter(
            (Q(due_on__gte=start, due_on__lt=today) & ~slipped_done)
            | Q(due_on__isnull=True, status=ActionStatus.OPEN)
            # done on or after `start`, the organization's day (`followthrough.item_counts`)
            | Q(due_on__isnull=True, slipped_from__isnull=True, done_at__gte=org_day_start(start))
            | (slipped_done & Q(slipped_from__gte=start, slipped_from__lt=today))
        )
        .order_by()  # a tally needs no order; asking for one lets SQLite walk the due-date index
    )
    if filters:
        # By id, read off the owner's or team's index: told the owner or teams beside the
        # due-date ranges, SQLite walks the organization's due-date index instead.
        mine = ActionItem.objects.filter(org_id=org.pk, **filters).order_by().values("id")
        qs = qs.filter(pk__in=mine)
    return list(qs.values_list(*_FT_FIELDS))


def _tally(ft: FollowThrough, row: tuple) -> None:
    """Add one item (`_FT_FIELDS`) to `ft` by the stored tallies' rule
    (`followthrough.item_counts`); what is due and not done is overdue."""
    _, _, due_on, status, done_at, _, slipped_from = row
    counted = followthrough.item_counts(due_on, status, done_at, slipped_from)
    if counted is None:
        return
    due, on_time, late, undated_done, undated_open = counted[1]
    ft.due += due
    ft.on_time += on_time
    ft.late += late
    ft.overdue += due - on_time - late
    ft.undated_done += undated_done
    ft.undated_open += undated_open


def counted_follow_through(
    org: Organization,
    person: Person | None = None,
    team=None,
    days: int = 30,
    today: dt.date | None = None,
    team_ids=None,
) -> FollowThrough:
    """`follow_through` counted from the action items themselves rather than read from
    the stored tallies: what those must always equal (see `followthrough.py`)."""
    today = today or org_today()
    filters = {}
    if person is not None:
        filters["owner"] = person
    if team is not None:
        filters["team"] = team
    if team_ids is not None:
        filters["team_id__in"] = team_ids
    ft = FollowThrough(days=days)
    for row in _follow_rows(org, days, today, **filters):
        _tally(ft, row)
    return ft


def _window_sums(start: dt.date, today: dt.date) -> dict:
    in_window = Q(day__gte=start, day__lt=today)
    return {
        "due": Sum("due", filter=in_window),
        "on_time": Sum("on_time", filter=in_window),
        "late": Sum("late", filter=in_window),
        "undated_done": Sum("undated_done"),
        "undated_open": Sum("undated_open"),
    }


def _figure(days: int, sums: dict) -> FollowThrough:
    n = {k: sums.get(k) or 0 for k in ("due", "on_time", "late", "undated_done", "undated_open")}
    return FollowThrough(days=days, overdue=n["due"] - n["on_time"] - n["late"], **n)


def _tallies(org: Organization, kind: str, days: int, today: dt.date, **subjects) -> QuerySet:
    """The stored rows of `kind` a window reads: its days, the undated open items' day,
    and the days after it (undated items done since the window began)."""
    start = today - dt.timedelta(days=days)
    return FollowTally.objects.filter(org_id=org.pk, kind=kind, **subjects).filter(
        Q(day__gte=start) | Q(day=followthrough.UNDATED)
    )


def follow_through(
    org: Organization,
    person: Person | None = None,
    team=None,
    days: int = 30,
    today: dt.date | None = None,
    team_ids=None,
    *,
    subtree: bool = False,
) -> FollowThrough:
    """Follow-through of a person (as owner), a team (items filed to it; `subtree`: to it
    or any team below it), teams (`team_ids`, a list or subquery), or everyone.

    Read from the stored daily tallies (`followthrough.py`): one query summing one row per
    day of the window, whatever the size of the team's subtree."""
    today = today or org_today()
    if person is not None and (team is not None or team_ids is not None):
        return counted_follow_through(org, person, team, days, today, team_ids)
    if person is not None:
        qs = _tallies(org, followthrough.OWNER, days, today, subject=person.pk)
    elif team is not None:
        kind = followthrough.TREE if subtree else followthrough.TEAM
        qs = _tallies(org, kind, days, today, subject=team.pk)
    elif team_ids is not None:
        qs = _tallies(org, followthrough.TEAM, days, today, subject__in=team_ids)
    else:
        qs = _tallies(org, followthrough.ORG, days, today, subject=org.pk)
    start = today - dt.timedelta(days=days)
    return _figure(days, qs.aggregate(**_window_sums(start, today)))


def follow_through_by(
    org: Organization,
    key: str = "owner",
    days: int = 30,
    today: dt.date | None = None,
    ids: Iterable[int] | None = None,
) -> dict[int, FollowThrough]:
    """Follow-through per owner (`key="owner"`), per team (`key="team"`) or per team with
    the teams below it (`key="tree"`), in one query; only of the owners or teams in `ids`
    when given (a team's people, say). Owners and teams with nothing counted are left out."""
    today = today or org_today()
    kind = {"owner": followthrough.OWNER, "tree": followthrough.TREE}.get(key, followthrough.TEAM)
    subjects = {} if ids is None else {"subject__in": list(ids)}
    start = today - dt.timedelta(days=days)
    rows = (
        _tallies(org, kind, days, today, **subjects)
        .values("subject")
        .annotate(**_window_sums(start, today))
        .order_by()
    )
    out: dict[int, FollowThrough] = {}
    for row in rows:
        ft = _figure(days, row)
        if ft.due or ft.undated_done or ft.undated_open:
            out[row["subject"]] = ft
    return out


def counted_follow_through_by(
    org: Organization,
    key: str = "owner",
    days: int = 30,
    today: dt.date | None = None,
    ids: Iterable[int] | None = None,
) -> dict[int, FollowThrough]:
    """`follow_through_by` counted from the action items themselves."""
    today = today or org_today()
    index = 0 if key == "owner" else 1
    filters = {} if ids is None else {f"{key}_id__in": list(ids)}
    out: dict[int, FollowThrough] = {}
    for row in _follow_rows(org, days, today, **filters):
        k = row[index]
        if k is None:
            continue
        _tally(out.setdefault(k, FollowThrough(days=days)), row)
    return out


def overdue_now_by(
    org: Organization,
    key: str = "owner",
    ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> dict[int, int]:
    """How many action items are overdue today (open, their due date past, whenever it
    was) per owner (`key="owner"`), per team (`"team"`) or per team with the teams below it
    (`"tree"`), of the subjects in `ids`: what the action items page lists as overdue and
    counts as "Overdue now". Read from the stored tallies (an open dated item is
    `due - on_time - late` on its due day), one query; subjects with none are left out."""
    today = today or org_today()
    kind = {
        "owner": followthrough.OWNER,
        "tree": followthrough.TREE,
        "org": followthrough.ORG,
    }.get(key, followthrough.TEAM)
    rows = (
        FollowTally.objects.filter(org_id=org.pk, kind=kind, subject__in=list(ids), day__lt=today)
        .exclude(day=followthrough.UNDATED)
        .values("subject")
        .annotate(n=Sum(F("due") - F("on_time") - F("late")))
        .order_by()
    )
    return {row["subject"]: row["n"] for row in rows if row["n"]}


def open_action_figures(
    org: Organization, team: Team, *, subtree: bool = False, today: dt.date | None = None
) -> dict[str, int]:
    """How many action items filed to `team` (`subtree`: to it or any team below it) are
    open, and how many of those are overdue today: read from the stored follow-through
    tallies (an open dated item is `due - on_time - late` on its due day; `undated_open`),
    one query over the subject's days, whatever the number of items in its subtree."""
    today = today or org_today()
    kind = followthrough.TREE if subtree else followthrough.TEAM
    open_dated = F("due") - F("on_time") - F("late")
    sums = FollowTally.objects.filter(org_id=org.pk, kind=kind, subject=team.pk).aggregate(
        dated=Sum(open_dated),
        undated=Sum("undated_open"),
        overdue=Sum(open_dated, filter=Q(day__lt=today)),
    )
    return {
        "open": (sums["dated"] or 0) + (sums["undated"] or 0),
        "overdue": sums["overdue"] or 0,
    }


OWNERS_SHOWN = 20  # owners of a team's open items, a screen of them on its action items page
# Beyond this many owners, a team's breakdown by owner is kept a minute (`kept_while_large`).
OWNERS_EXACT = 200


@dataclass
class OwnerLoad:
    """What one person owes of a team's open action items: how many, and how many of those
    are overdue today."""

    person: Person
    open: int
    overdue: int


def owners_of_open_items(
    org: Organization,
    team: Team | None,
    *,
    only: bool = False,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int = OWNERS_SHOWN,
) -> tuple[list[OwnerLoad], int]:
    """Who owes the open action items filed to `team` and the teams below it (`only`: to
    the team alone), whether or not they are its members (a head who took an item in the
    leadership meeting, someone of another team who took one in a sync), or (`team`
    None) of every open item of the organization, filed to a team or not: `limit` of them
    from `offset`, the most overdue first, then the most open, then by name, each with
    their open and overdue items of the subtree (overdue as the page lists it: open, due
    before the organization's day); and how many owners there are
    (`count_up_to`).

    One grouped read of the subtree's open items (near the top of the tree, off the
    `decisions_action_open_owner` index alone: 47,000 open items at 10,000 teams) and one
    of the page's owners; a team of more than OWNERS_EXACT owners has its breakdown kept a
    minute, as a large organization's figures are (`core.counting`)."""
    today = today or org_today()
    if team is None:
        items = ActionItem.objects.filter(org_id=org.pk, status=ActionStatus.OPEN)
    elif not only and covers_every_team(team):
        # The only team at the top: every item filed to a team is in its subtree (a test of
        # the row itself, rather than a list of every team of the organization).
        items = ActionItem.objects.filter(
            org_id=org.pk, status=ActionStatus.OPEN, team_id__isnull=False
        )
    else:
        items = action_item_list(org, team=team, only=only, status=ActionStatus.OPEN)
    # Grouped by the owner's id alone, their name looked up once an owner (a subquery of
    # each group, for owners of as many items by their name): joined to the people, the
    # read looked up a person for every item (half a second at the top of 10,000 teams).
    grouped = (
        items.values("owner_id")
        .annotate(n_open=Count("id"), n_overdue=Count("id", filter=Q(due_on__lt=today)))
        .annotate(
            owner_name=Subquery(
                Person.objects.filter(pk=OuterRef("owner_id")).order_by().values("name")
            )
        )
        .order_by("-n_overdue", "-n_open", "owner_name", "owner_id")
    )

    def read() -> dict:
        rows = list(grouped[offset : offset + limit + 1])
        counted = len(rows) <= limit and (rows or not offset)
        return {
            "rows": [(r["owner_id"], r["n_open"], r["n_overdue"]) for r in rows[:limit]],
            "owners": offset + len(rows) if counted else count_up_to(grouped),
        }

    whose = f"{team.pk}:{int(only)}" if team else "all"
    key = f"action-owners:{org.pk}:{whose}:{today.isoformat()}:{offset}:{limit}"
    found = kept_while_large(key, read, OWNERS_EXACT)
    people = Person.objects.for_org(org).in_bulk([pk for pk, _, _ in found["rows"]])
    loads = [OwnerLoad(people[pk], n, late) for pk, n, late in found["rows"] if pk in people]
    return loads, found["owners"]


def action_items(org: Organization) -> QuerySet[ActionItem]:
    return ActionItem.objects.for_org(org).select_related("owner", "team")


HANDED_OUT_SHOWN = 10  # open items a person gave others, on their own action items page


def handed_out(org: Organization, person: Person) -> tuple[list[ActionItem], int]:
    """Open action items `person` recorded for someone else, soonest due first: the first
    few and how many there are (both off the giver's index)."""
    qs = (
        action_items(org)
        .filter(created_by=person, status=ActionStatus.OPEN)
        .exclude(owner=person)
        .order_by(DUE_FIRST, "id")
    )
    shown = list(qs[:HANDED_OUT_SHOWN])
    return shown, len(shown) if len(shown) < HANDED_OUT_SHOWN else count_up_to(qs)


def action_item_list(
    org: Organization,
    *,
    team: Team | None = None,
    only: bool = False,
    owner: Person | int | None = None,
    status: str = "",
) -> QuerySet[ActionItem]:
    """Action items for a list: filed to `team` and the teams below it (`only`: to the team
    alone), owned by `owner` (a person or their id), in `status`; soonest due first."""
    qs = action_items(org)
    if team is not None and owner is not None:
        # One owner's few items, read off the owner's index and tested for their team: by
        # id from the team index, a team near the top would first gather most of the
        # organization's items.
        qs = qs.filter(team_id__in=subtree_ids(team, only=only))
    elif team is not None:
        # By id, read from the team index: told only "team in (subquery)", SQLite would
        # walk every open item of the organization by its status index instead.
        mine = ActionItem.objects.filter(org_id=org.pk, team_id__in=subtree_ids(team, only=only))
        qs = qs.filter(pk__in=mine.order_by().values("id"))
    if owner is not None:
        qs = qs.filter(owner=owner)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(DUE_FIRST, "id")


# A subtree with at least this share of the organization's action items reads its lists
# off the organization's index in their order, keeping the subtree's rows as it goes; a
# smaller one reads its teams' items by team and sorts them (there are few).
WALK_SHARE = 0.1


def _walks_in_order(org: Organization, team: Team, only: bool) -> bool:
    """Whether the lists of `team` (and the teams below it unless `only`) hold so much of
    the organization that reading the organization's index in list order, and skipping
    the items of other teams, finds a screen sooner than gathering the subtree's items:
    from the stored follow-through tallies (every item not dropped), one query."""
    counted = Sum(F("due") + F("undated_done") + F("undated_open"))

    def items(kind: str, subject: int) -> int:  # each off the tallies' unique index
        rows = FollowTally.objects.filter(org_id=org.pk, kind=kind, subject=subject)
        return rows.aggregate(n=counted)["n"] or 0

    whole = items(followthrough.ORG, org.pk)
    mine = items(followthrough.TEAM if only else followthrough.TREE, team.pk)
    return whole > 0 and mine >= whole * WALK_SHARE


def team_action_lists(
    org: Organization,
    team: Team,
    *,
    only: bool = False,
    open_limit: int,
    closed_limit: int,
    open_offset: int = 0,
) -> tuple[list[ActionItem], list[ActionItem]]:
    """A team's list page: `open_limit` of its open items from `open_offset` (soonest due
    first, the undated last) and its last `closed_limit` closed ones (latest closed
    first), of the team and the teams below it (`only`: the team alone) — what
    `action_item_list` gives, read so that neither grows with the subtree: near the top of
    the tree, off the organization's indexes in list order, testing each item's team;
    below, by team."""
    if not _walks_in_order(org, team, only):
        items = action_item_list(org, team=team, only=only)
        opened = items.filter(status=ActionStatus.OPEN)
        closed = items.exclude(status=ActionStatus.OPEN).order_by(CLOSED_LAST_OWN, "-id")
        # The dated, then the undated: the same reads either way.
        open_items = dated_first_page(opened, "due_on", open_offset, open_limit)
        return open_items, list(closed[:closed_limit])
    # `team_id + 0`: a value the team index cannot serve, so the list's own index is read.
    mine = action_items(org).alias(
        filed_to=ExpressionWrapper(F("team_id") + 0, output_field=IntegerField())
    )
    if not only and covers_every_team(team):
        # The only team at the top: any item filed to a team is filed to its subtree, a
        # test of the row itself (the subtree as a subquery is a list PostgreSQL searched
        # from the start for every item it skipped).
        mine = mine.filter(filed_to__isnull=False)
    else:
        mine = mine.filter(filed_to__in=subtree_ids(team, only=only))
    opened = mine.filter(status=ActionStatus.OPEN)
    open_items = dated_first_page(opened, "due_on", open_offset, open_limit)
    closed = mine.exclude(status=ActionStatus.OPEN).order_by(CLOSED_LAST, "-id")
    return open_items, list(closed[:closed_limit])


def overdue_action_items(
    org: Organization,
    *,
    person: Person | None = None,
    team=None,
    today: dt.date | None = None,
) -> QuerySet[ActionItem]:
    today = today or org_today()
    qs = action_items(org).filter(status=ActionStatus.OPEN, due_on__lt=today)
    if person is not None:
        qs = qs.filter(owner=person)
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("due_on", "id")


def action_items_due(
    org: Organization,
    person_ids: Iterable[int] | QuerySet | None = None,
    team_ids: Iterable[int] | None = None,
    until: dt.date | None = None,
) -> QuerySet[ActionItem]:
    """Open action items due on or before `until` (overdue ones included), for agendas.

    With both person_ids (ids, or a query of them) and team_ids, an item matching either
    is included.
    """
    qs = action_items(org).filter(status=ActionStatus.OPEN, due_on__isnull=False)
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    # Each side off its own index (owner, team), then the few found in due order: as one
    # filter of ORs, SQLite walked every open item of the organization due by then in due
    # order to keep a team's (130 ms for a team's agenda at 10,000 teams).
    sides = []
    if person_ids is not None:
        sides.append(qs.filter(owner_id__in=_ids(person_ids)).order_by().values("id"))
    if team_ids is not None:
        sides.append(qs.filter(team_id__in=list(team_ids)).order_by().values("id"))
    if sides:
        qs = qs.filter(pk__in=sides[0].union(*sides[1:]))
    return qs.order_by("due_on", "id")


def action_items_from(org: Organization, source_type: str, source_id: int) -> QuerySet[ActionItem]:
    """The action items that came from one meeting, decision, check-in or issue, due first."""
    items = action_items(org).filter(source_type=source_type, source_id=source_id)
    return items.order_by(DUE_FIRST_OWN, "id")


# --- issues ------------------------------------------------------------------------------


def open_issues(org: Organization, team_ids: Iterable[int] | None = None) -> QuerySet[Issue]:
    """Open issues, at the given teams' level if team_ids is given; longest at their level
    first (the issues list ranks them most severe first: `issue_list`)."""
    qs = (
        Issue.objects.for_org(org)
        .filter(status=IssueStatus.OPEN)
        .select_related("team", "raised_by", "raised_in")
    )
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    return qs.order_by("level_since", "id")


# Severities as the issues list orders, counts and offers them: the most severe first.
SEVERITIES_FIRST = sorted(Severity.values, key=lambda s: -SEVERITY_RANK[s])


def issue_list(
    org: Organization,
    *,
    team: Team | None = None,
    only: bool = False,
    show: str = "open",
    raised: bool = False,
    severity: str = "",
) -> QuerySet[Issue]:
    """Issues for a list: at `team` and the teams below it (`only`: the team alone); open
    ones most severe first (critical, high, medium, low), then longest at their level, or
    (`show="closed"`) the closed, latest first. `raised`: instead those first raised there,
    wherever they sit now (escalated up). `severity`: of that severity alone.

    Open ones are read in the order of the stored `severity_rank` off the index
    `decisions_issue_triage` (org, status, rank descending, level since, id): a page of
    the organization's, or of one severity, is its first rows, not every open issue sorted."""
    qs = Issue.objects.for_org(org).select_related("team", "raised_by", "raised_in", "team__parent")
    if team is not None:
        qs = in_subtree(qs, team, only=only, field="raised_in_id" if raised else "team_id")
    if severity:
        qs = qs.filter(severity_rank=SEVERITY_RANK[severity])  # the index's column
    if show == "open":
        return qs.filter(status=IssueStatus.OPEN).order_by("-severity_rank", "level_since", "id")
    return qs.exclude(status=IssueStatus.OPEN).order_by("-closed_at", "-id")


def issue_figures(
    org: Organization,
    *,
    team: Team | None = None,
    only: bool = False,
    show: str = "open",
    raised: bool = False,
) -> dict[str, int]:
    """How many issues the list (`issue_list` with the same arguments, any severity) holds:
    "total", and one figure per severity. In one query reading at most FIGURES_EXACT + 1
    of them (`accord.core.counting`); beyond, counted whole and kept a minute in the shared
    cache (`kept_while_large`), as the other lists' headline figures are."""
    qs = issue_list(org, team=team, only=only, show=show, raised=raised).order_by()
    by_severity = {
        s: Count("pk", filter=Q(severity_rank=SEVERITY_RANK[s])) for s in SEVERITIES_FIRST
    }

    def count() -> dict[str, int]:
        exact = counting.FIGURES_EXACT  # read when counting, as `kept_while_large` reads it
        counted = qs[: exact + 1].aggregate(total=Count("pk"), **by_severity)
        if counted["total"] > exact:
            counted = qs.aggregate(total=Count("pk"), **by_severity)
        return counted

    key = f"issue-figures:{org.pk}:{team.pk if team else ''}:{int(only)}:{int(raised)}:{show}"
    return kept_while_large(key, count)


def raised_elsewhere(
    org: Organization, team: Team, *, only: bool = False, show: str = "open"
) -> QuerySet[Issue]:
    """Open issues (`show="closed"`: closed ones) first raised at `team` (and the teams
    below it, unless `only`) that sit elsewhere: escalated above it (and closed there).
    None for the only team at the top."""
    raised = issue_list(org, team=team, only=only, raised=True, show=show)
    if not only and covers_every_team(team):
        return raised.none()
    return raised.exclude(team_id__in=subtree_ids(team, only=only))


def ranked_issues(
    org: Organization,
    team_ids: Iterable[int] | None = None,
    *,
    voter: Person | None = None,
    limit: int = 50,
) -> list[Issue]:
    """Open issues to solve in a meeting, in the order the team takes them: by rank
    (unranked last), then by votes (ups minus downs), then oldest first. Each carries
    `score`, `ups`, `downs` and, for `voter`, `my_vote` (0 when none)."""
    return list(ranked_issues_query(org, team_ids, voter=voter)[:limit])


def ranked_issues_query(
    org: Organization, team_ids: Iterable[int] | None = None, *, voter: Person | None = None
) -> QuerySet[Issue]:
    """`ranked_issues` as a query, for pages and the API to paginate."""
    qs = (
        open_issues(org, team_ids)
        .select_related("owner", "team__parent")
        .annotate(
            score=Coalesce(Sum("votes__value"), Value(0)),
            ups=Count("votes", filter=Q(votes__value=1)),
            downs=Count("votes", filter=Q(votes__value=-1)),
        )
    )
    if voter is not None:
        mine = IssueVote.objects.filter(issue=OuterRef("pk"), person=voter).values("value")[:1]
        qs = qs.annotate(my_vote=Coalesce(Subquery(mine, output_field=IntegerField()), Value(0)))
    return qs.order_by(F("rank").asc(nulls_last=True), "-score", "level_since", "id")


def stale_issues(org: Organization, now: dt.datetime | None = None) -> QuerySet[Issue]:
    """Open issues that have sat at one level longer than the threshold."""
    now = now or timezone.now()
    return open_issues(org).filter(level_since__lte=now - dt.timedelta(days=stale_after_days(org)))


def latency_days(d: Decision) -> float | None:
    if d.decided_at is None:
        return None
    return round((d.decided_at - d.opened_at).total_seconds() / 86400, 1)


__all__ = [
    "DecisionStatus",
    "FollowThrough",
    "Latency",
    "LatencyReport",
    "action_item_list",
    "action_items",
    "action_items_due",
    "action_items_from",
    "count_up_to",
    "counted_follow_through",
    "counted_follow_through_by",
    "decision_latency",
    "decisions",
    "decisions_awaiting",
    "filter_log",
    "follow_through",
    "follow_through_by",
    "issue_figures",
    "issue_list",
    "latency_days",
    "log_figures",
    "open_issues",
    "overdue_action_items",
    "overdue_decisions",
    "overdue_figure",
    "search",
    "stale_issues",
    "team_action_lists",
    "waiting_on",
]


# --- one person's work -------------------------------------------------------------------


def open_items_of(
    org: Organization, person: Person, limit: int = 5
) -> tuple[list[ActionItem], int]:
    """`person`'s open action items, overdue first (the soonest due first, undated last),
    at most `limit`, and how many are open (`count_up_to`). Read off the owner's (org,
    owner, status, due on) index: two queries, whatever the organization's size."""
    qs = action_items(org).filter(owner=person, status=ActionStatus.OPEN)
    return first_rows(qs.order_by(DUE_FIRST, "id"), limit)


def decisions_to_make(
    org: Organization, person: Person, limit: int = 5
) -> tuple[list[Decision], int]:
    """The open or proposed decisions `person` approves, the soonest deadline first, at
    most `limit`, and how many there are (`count_up_to`): two queries off the approver's
    index."""
    qs = decisions(org).filter(approver=person, status__in=UNDECIDED)
    return first_rows(
        qs.select_related("driver").order_by(DECIDE_BY_FIRST, "opened_at", "id"), limit
    )


def issues_to_solve(org: Organization, person: Person, limit: int = 5) -> tuple[list[Issue], int]:
    """The open issues sitting at the teams `person` leads (lead, co-lead, chair: raised
    there or escalated to them), most severe first, then longest at their level, at most
    `limit`, and how many there are (`count_up_to`): two queries off the issues' triage
    index, whatever the organization's size."""
    led = Membership.objects.for_org(org).leading().filter(person=person).values("team_id")
    qs = Issue.objects.for_org(org).filter(status=IssueStatus.OPEN, team_id__in=led)
    return first_rows(
        qs.select_related("team").order_by("-severity_rank", "level_since", "id"), limit
    )


def teams_led(org: Organization, person: Person) -> list[Team]:
    """The teams `person` leads now (`issues_to_solve` lists their issues), by name."""
    led = Membership.objects.for_org(org).leading().filter(person=person).values("team_id")
    return list(Team.objects.for_org(org).filter(pk__in=led).order_by("name", "id"))
