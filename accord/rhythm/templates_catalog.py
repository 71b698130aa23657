"""Well-known rhythms offered when creating a cadence: each sets the rule, length and agenda.

Agenda sections name a *source*: where the meeting page finds the section's items at the
moment the agenda is built (see accord.rhythm.agenda).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# source -> what the section shows
SECTION_SOURCES = {
    "none": "A conversation: no items, notes only.",
    "checkins": "Check-ins submitted since the last occurrence, with their blockers.",
    "metrics": "The scorecard: this week's values of the team's measurables, red first.",
    "key_results": "Key results that moved since the last occurrence or are off track.",
    "quarter_results": "How the quarter went: the key results of the quarter that ended "
    "(or was closed) by the meeting, with where each ended.",
    "objectives": "Objectives whose confidence dropped or is at risk.",
    "initiatives": "Initiatives past their target date.",
    "dependencies": "New or late cross-team dependencies in scope.",
    "blockers": "What blocks these teams: what they asked of other teams that is late, "
    "flagged or promised for after they need it, and what they owe that is flagged blocked.",
    "requests": "Waiting on us: what other teams asked of these teams that is not answered "
    "yet, late, flagged or promised for after it is needed.",
    "headlines": "Headlines shared for this meeting ahead of it, then those cascaded to "
    "these teams from other meetings.",
    "issues": "Open issues of the teams in scope, and those they raised that were escalated "
    "beyond them.",
    "action_items": "Action items due or overdue for the participants: those falling due "
    "first, then the overdue ones, the most recently due first.",
    "decisions": "Decisions awaiting the participants.",
    "carried": "What the last occurrence left unfinished.",
    "milestones": "Milestones of the organization and the teams in scope in the next three "
    "weeks (added by itself when there are some).",
    "initiative_work": "The initiatives the cadence is the sync of: their requests both ways "
    "(declined ones marked) with the provider's initiative's status and target, and the "
    "decisions and action items about them (in place of the dependencies section when it "
    "names initiatives).",
}

# source -> what a page calls it: "5 min · from check-ins"
SOURCE_LABELS = {
    "none": "",
    "checkins": "check-ins",
    "metrics": "the scorecard",
    "key_results": "key results",
    "quarter_results": "the quarter's results",
    "objectives": "objectives",
    "initiatives": "initiatives",
    "dependencies": "dependencies",
    "blockers": "requests blocking these teams",
    "requests": "requests waiting on these teams",
    "headlines": "headlines",
    "issues": "issues",
    "action_items": "action items",
    "decisions": "decisions",
    "carried": "the last meeting",
    "milestones": "milestones",
    "initiative_work": "its initiatives",
}


def section(key: str, title: str, source: str = "none", minutes: int = 5) -> dict:
    return {"key": key, "title": title, "source": source, "minutes": minutes}


def blockers_and_waiting(title: str, minutes: int) -> list[dict]:
    """A team's cross-team dependencies as two sections, never one: what blocks it (what it
    asked of others that is late, flagged or promised too late, and what it owes that is
    flagged blocked) under `title`, then what other teams wait on it for, "Waiting on us",
    which takes no minutes of its own (the meeting keeps its length)."""
    return [
        section("blockers", title, "blockers", minutes),
        section("waiting", "Waiting on us", "requests", 0),
    ]


@dataclass(frozen=True)
class Template:
    slug: str
    name: str
    kind: str
    rrule: str
    time: dt.time
    duration_minutes: int
    scope: str
    description: str
    sections: list[dict] = field(default_factory=list)
    checkin_owed_by: str = "everyone"


TEMPLATES: dict[str, Template] = {
    t.slug: t
    for t in [
        Template(
            slug="weekly-checkin",
            name="Weekly team check-in",
            kind="checkin",
            rrule="FREQ=WEEKLY;BYDAY=FR",
            time=dt.time(16, 0),
            duration_minutes=15,
            scope="team",
            description="Everyone updates their key results, confidence, initiatives, "
            "blockers and highlights before Friday 16:00; what blocks the team across teams "
            "and what other teams wait on it for are listed apart.",
            sections=[
                section("checkins", "Check-ins", "checkins", 10),
                *blockers_and_waiting("Blockers across teams", 5),
            ],
        ),
        Template(
            slug="weekly-sync",
            name="Weekly team sync (Level 10)",
            kind="sync",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10, 0),
            duration_minutes=90,
            scope="team",
            description="Check-in, metrics, priorities, headlines, what other teams need "
            "from us and we from them, decisions waiting, action items, issues, and a "
            "wrap-up with a rating from everyone.",
            sections=[
                section("segue", "Check-in: good news", "none", 5),
                section("metrics", "Scorecard", "metrics", 5),
                section("priorities", "Priorities review", "key_results", 5),
                section("confidence", "Objectives at risk", "objectives", 5),
                section("headlines", "Headlines", "headlines", 5),
                section(
                    "dependencies", "Across teams: new and late dependencies", "dependencies", 5
                ),
                section("decisions", "Decisions waiting on us", "decisions", 5),
                section("todos", "Action items", "action_items", 5),
                section("issues", "Issues", "issues", 45),
                section("carried", "Carried forward", "carried", 0),
                section("wrapup", "Wrap-up and rating", "none", 5),
            ],
        ),
        Template(
            slug="monthly-review",
            name="Monthly operating review",
            kind="review",
            rrule="FREQ=MONTHLY;BYDAY=1TU",
            time=dt.time(14, 0),
            duration_minutes=120,
            scope="subtree",
            description="A department and its teams on the first Tuesday of the month: "
            "results, confidence, late work, dependencies, decisions.",
            sections=[
                section("metrics", "Scorecards", "metrics", 15),
                section("krs", "Key results", "key_results", 20),
                section("confidence", "Confidence", "objectives", 15),
                section("late", "Late initiatives", "initiatives", 15),
                section("deps", "Cross-team dependencies", "dependencies", 20),
                section("decisions", "Decisions awaiting us", "decisions", 20),
                section("issues", "Issues", "issues", 10),
                section("carried", "Carried forward", "carried", 5),
            ],
            checkin_owed_by="leads",
        ),
        Template(
            slug="quarterly-planning",
            name="Quarterly planning",
            kind="planning",
            # The last business day of each quarter.
            rrule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            time=dt.time(9, 0),
            duration_minutes=240,
            scope="org",
            description="On the last business day of the quarter: review the quarter, "
            "set the next one's objectives, agree the dependencies.",
            sections=[
                section("review", "How the quarter went", "quarter_results", 60),
                section("confidence", "Objectives", "objectives", 45),
                section("deps", "Dependencies for next quarter", "dependencies", 60),
                section("decisions", "Decisions to take", "decisions", 45),
                section("wrapup", "Commitments", "none", 30),
            ],
            checkin_owed_by="leads",
        ),
        Template(
            slug="daily-standup",
            name="Daily stand-up",
            kind="sync",
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            time=dt.time(9, 30),
            duration_minutes=15,
            scope="team",
            description="Fifteen minutes every working day: blockers, what other teams "
            "wait on us for, and what is due.",
            sections=[
                section("round", "Round the room", "none", 10),
                *blockers_and_waiting("Blockers", 3),
                section("todos", "Due or overdue", "action_items", 2),
            ],
        ),
    ]
}


def template_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.name) for t in TEMPLATES.values()]
