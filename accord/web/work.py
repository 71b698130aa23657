"""One person's work, as home ("Your work") and their person page show it: the open
initiatives they own and the objective each serves, their open action items, the
decisions waiting on them as approver, the open issues at the teams they lead (most
severe first), their last and next check-in, and the rounds they missed since the last
one they gave.

Each part is read by the app that owns it (`alignment.queries.owned_initiatives`,
`decisions.queries.open_items_of`, `decisions_to_make` and `issues_to_solve`,
`rhythm.queries`), from the person's own indexes: a bounded number of queries, whatever
the organization's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.alignment import queries as alignment_queries
from accord.core.counting import shown_count
from accord.core.days import org_today
from accord.decisions import queries as decision_queries
from accord.decisions.services import changeable_actions
from accord.org.models import Membership, Person
from accord.rhythm import queries as rhythm_queries
from accord.rhythm.recurrence import occurrence_key

SHOWN = 5  # rows of each kind before "N more"


@dataclass
class Work:
    person: Person
    own: bool  # the viewer's own work (home, or their own person page)
    initiatives: list[Any]
    initiatives_total: int
    items: list[Any]
    items_total: int
    changeable: set[int]  # the items whose Done the viewer may use (`changeable_actions`)
    decisions: list[Any]
    decisions_total: int
    issues: list[Any]  # open issues at the teams they lead, most severe first
    issues_total: int
    issue_teams: list[Any]  # the teams they lead, read only when there are more to link to
    last_checkin: Any
    next_checkin: Any
    missed_checkins: list[Any]  # rounds missed since the last given (`rhythm.queries.Owed`)
    today: Any
    tz: str  # the viewer's time zone, for when a check-in is due
    labels: dict[str, str]  # what the organization calls initiatives and objectives

    @property
    def last_checkin_key(self) -> str:
        return occurrence_key(self.last_checkin.occurrence_start) if self.last_checkin else ""

    @property
    def empty(self) -> bool:
        return not (
            self.initiatives
            or self.items
            or self.decisions
            or self.issues
            or self.last_checkin
            or self.next_checkin
            or self.missed_checkins
        )

    # "12" or "1,000+": how many of each in all, for its "All N" link.
    @property
    def initiatives_more(self) -> str:
        return shown_count(self.initiatives_total)

    @property
    def items_more(self) -> str:
        return shown_count(self.items_total)

    @property
    def decisions_more(self) -> str:
        return shown_count(self.decisions_total)

    @property
    def issues_more(self) -> str:
        return shown_count(self.issues_total)


def work_of(org, person: Person, viewer: Person, *, next_checkin: bool = True) -> Work:
    """`person`'s work as `viewer` sees it. Everyone in the organization may read another's
    initiatives, action items, decisions, the issues at the teams they lead and whether they
    checked in (as the lists of each show them); the text of a check-in stays on its own
    page, which decides who reads it.
    `next_checkin=False` leaves out the next one owed and those missed (home lists them in
    its rhythm panel)."""
    initiatives, initiatives_total = alignment_queries.owned_initiatives(org, person, SHOWN)
    items, items_total = decision_queries.open_items_of(org, person, SHOWN)
    # Whose Done the viewer may use: their own items; on another's work, a leader's, and
    # those of a team the viewer leads (its led teams among these items': one query, then).
    teams = {a.team_id for a in items if a.team_id}
    led = (
        set(
            Membership.objects.for_org(org)
            .leading()
            .filter(person=viewer, team_id__in=teams)
            .values_list("team_id", flat=True)
        )
        if teams and person.pk != viewer.pk
        else set()
    )
    decisions, decisions_total = decision_queries.decisions_to_make(org, person, SHOWN)
    issues, issues_total = decision_queries.issues_to_solve(org, person, SHOWN)
    # Past the first few: a link to each led team's own list (one query, only then).
    issue_teams = decision_queries.teams_led(org, person) if issues_total > len(issues) else []
    upcoming, missed = rhythm_queries.checkin_standing(org, person) if next_checkin else (None, [])
    return Work(
        person=person,
        own=person.pk == viewer.pk,
        initiatives=initiatives,
        initiatives_total=initiatives_total,
        items=items,
        items_total=items_total,
        changeable=changeable_actions(viewer, items, led),
        decisions=decisions,
        decisions_total=decisions_total,
        issues=issues,
        issues_total=issues_total,
        issue_teams=issue_teams,
        last_checkin=rhythm_queries.latest_checkin(org, person),
        next_checkin=upcoming,
        missed_checkins=missed,
        today=org_today(),  # late and overdue: as the figures and signals count them
        tz=viewer.timezone,
        labels=alignment_queries.labels(org),
    )
