"""Team scorecards: weekly measurables, red/amber/green from the goal rule, trailing views;
and each cadence's adherence over the same trailing weeks (a team's rhythm page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accord.org.models import Organization
from accord.rhythm import queries
from accord.rhythm.models import Cadence, GoalRule, Measurable, MeasurableValue

GREEN, AMBER, RED = "green", "amber", "red"

# The windows a team's rhythm page offers, in weeks; the first without a choice. Eight is
# Insights' health window (`intelligence.health.WINDOW_WEEKS`): its links ask for it.
WEEKS = (4, 8, 13)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rag(
    rule: str,
    low: Decimal | None,
    high: Decimal | None,
    value: Decimal | None,
    margin_pct: Decimal = Decimal(10),
) -> str:
    """green when the goal is met; amber when missed by at most `margin_pct` percent of the
    goal (of the range's width for ranges); red otherwise; "" without a value."""
    if value is None:
        return ""
    m = Decimal(margin_pct) / 100

    def slack(goal: Decimal) -> Decimal:
        return abs(goal) * m if goal else m

    if rule == GoalRule.AT_LEAST and low is not None:
        if value >= low:
            return GREEN
        return AMBER if value >= low - slack(low) else RED
    if rule == GoalRule.AT_MOST and high is not None:
        if value <= high:
            return GREEN
        return AMBER if value <= high + slack(high) else RED
    if rule == GoalRule.BETWEEN and low is not None and high is not None:
        if low <= value <= high:
            return GREEN
        width = (high - low) * m if high > low else slack(high)
        return AMBER if low - width <= value <= high + width else RED
    return ""


def goal_text(m: Measurable) -> str:
    unit = f" {m.unit}" if m.unit else ""

    def f(v):
        return f"{v:,.2f}".rstrip("0").rstrip(".")

    if m.goal_rule == GoalRule.AT_LEAST:
        return f"≥ {f(m.goal_low)}{unit}"
    if m.goal_rule == GoalRule.AT_MOST:
        return f"≤ {f(m.goal_high)}{unit}"
    return f"{f(m.goal_low)}-{f(m.goal_high)}{unit}"


@dataclass
class Cell:
    week: dt.date
    value: Decimal | None
    rag: str
    source: str = ""  # how the value was recorded: "web", "api", "source" (pulled), ...

    @property
    def display(self) -> str:
        if self.value is None:
            return ""
        return f"{self.value:,.2f}".rstrip("0").rstrip(".")


@dataclass
class Row:
    measurable: Measurable
    cells: list[Cell]

    @property
    def goal_text(self) -> str:
        return goal_text(self.measurable)

    @property
    def on_goal_share(self) -> float | None:
        known = [c for c in self.cells if c.rag]
        return None if not known else sum(c.rag == GREEN for c in known) / len(known)


def team_scorecards(
    org: Organization,
    team_ids: Iterable[int],
    *,
    weeks: int = 4,
    until: dt.date | None = None,
) -> list[Row]:
    """Active measurables of the teams with their last `weeks` weekly values (2 queries).
    Without `until`, up to this week, or to next week once a value is in for it (a check-in
    round due early next week, given now, describes this week: `services.scorecard_week`;
    one due mid-week may be given before that week begins)."""
    last = monday(until or timezone.localdate())
    ahead = last + dt.timedelta(weeks=1) if until is None else last
    ms = list(
        Measurable.objects.for_org(org)
        .filter(team_id__in=list(team_ids), is_active=True)
        .select_related("team", "owner")
    )
    values = {
        (mid, wk): (v, source)
        for mid, wk, v, source in MeasurableValue.objects.for_org(org)
        .filter(
            measurable__in=ms,
            week_start__gte=last - dt.timedelta(weeks=weeks - 1),
            week_start__lte=ahead,
        )
        .values_list("measurable_id", "week_start", "value", "source")
    }
    if any(wk == ahead for _, wk in values):
        last = ahead
    week_list = [last - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    rows = []
    for m in ms:
        cells = []
        for wk in week_list:
            v, source = values.get((m.pk, wk), (None, ""))
            cells.append(
                Cell(wk, v, rag(m.goal_rule, m.goal_low, m.goal_high, v, m.amber_margin), source)
            )
        rows.append(Row(m, cells))
    return rows


def adherence(
    org: Organization,
    cads: list[Cadence],
    *,
    weeks: int,
    now: dt.datetime | None = None,
) -> list[queries.Adherence]:
    """Each cadence's adherence (`queries.adherence`: its rules of due, held, owed, on time)
    over its occurrences of the last `weeks` weeks: those begun from `now` less `weeks`
    weeks on, as Insights' health counts the check-ins of its window. Each cadence reads
    only as many of its last occurrences as the window holds (a few more: a meeting held
    off its schedule), the cadences with as many together: a few queries per count."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    need = {c.pk: len(queries.past_occurrences(c, since, now)) + 3 for c in cads}
    out: dict[int, queries.Adherence] = {}
    for last in sorted(set(need.values())):
        group = [c for c in cads if need[c.pk] == last]
        for a in queries.adherence(org, group, now=now, last=last):
            kept = [o for o in a.occurrences if o.occurrence.start >= since]
            out[a.cadence.pk] = queries.Adherence(a.cadence, kept)
    return [out[c.pk] for c in cads]
