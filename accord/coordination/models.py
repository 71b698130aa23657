"""Cross-team dependencies: team A asks team B for a deliverable by a date.

The lifecycle is an explicit state machine (`TRANSITIONS`, enforced in services.py):

    requested ──accept──▶ accepted ──confirm_delivery──▶ delivered    (requester)
        │  ╲                 ▲  │ ⇅ mark_delivered (provider) / not_delivered (requester):
        │   propose      agree  propose      still accepted, said delivered or not (a stamp)
        │     ╲              │  ▼
        │      ▶ negotiating ◀─counter / propose ─▶ (turns alternate)
        ├──decline──▶ declined         (provider, from requested or negotiating)
        └──cancel───▶ cancelled        (requester, from any active state)

Delivery: the requester confirms it (`confirm_delivery`: the one who needed it says it
arrived), whenever it is accepted. The provider may say it is done first
(`mark_delivered`): it stays accepted, stamped with the day (`marked_delivered_on`) and
awaiting the requester, who confirms it (→ delivered) or says it is not delivered yet
(`not_delivered`, with a note: the stamp goes, it is the provider's move again). While
stamped it is neither late nor at risk (`queries.late_q`, `queries.risk_reasons`), and
neither side proposes or flags it: the requester confirms, says not yet, or cancels.

At any active state either side may flag it at risk or blocked with a note, or clear the
flag. Every transition is one event (verb = the action) with who and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from accord.org.models import OrgScoped, Person, Team


class State(models.TextChoices):
    REQUESTED = "requested", "Requested"
    NEGOTIATING = "negotiating", "Negotiating"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (State.REQUESTED, State.NEGOTIATING, State.ACCEPTED)
CLOSED_STATES = (State.DECLINED, State.DELIVERED, State.CANCELLED)


class Flag(models.TextChoices):
    NONE = "", "None"
    AT_RISK = "at_risk", "At risk"
    BLOCKED = "blocked", "Blocked"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Side(models.TextChoices):
    REQUESTER = "requester", "Requester"
    PROVIDER = "provider", "Provider"


EITHER = "either"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (flags, the delivery stamp)
    side: str  # Side.REQUESTER, Side.PROVIDER or EITHER
    turn: str | None = None  # in negotiation, whose turn it must be
    done: str = ""  # what a page says once it is done: "Accepted “Feed”."


# The one table of legal moves. Services, pages and the API all read it.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "accept",
            "Accept",
            (State.REQUESTED, State.NEGOTIATING),
            State.ACCEPTED,
            Side.PROVIDER,
            turn=Side.PROVIDER,
            done="Accepted",
        ),
        Transition(
            "decline",
            "Decline",
            (State.REQUESTED, State.NEGOTIATING),
            State.DECLINED,
            Side.PROVIDER,
            turn=Side.PROVIDER,
            done="Declined",
        ),
        Transition(
            "mark_delivered",
            "Mark delivered",
            (State.ACCEPTED,),
            None,  # still accepted, stamped: the requester confirms it
            Side.PROVIDER,
            done="Marked delivered:",
        ),
        Transition(
            "propose",
            "Propose another date or scope",
            (State.REQUESTED, State.NEGOTIATING, State.ACCEPTED),
            State.NEGOTIATING,
            Side.PROVIDER,
            turn=Side.PROVIDER,
            done="Proposed another date or scope for",
        ),
        Transition(
            "counter",
            "Counter-propose",
            (State.NEGOTIATING,),
            State.NEGOTIATING,
            Side.REQUESTER,
            turn=Side.REQUESTER,
            done="Counter-proposed on",
        ),
        Transition(
            "agree",
            "Agree to the proposal",
            (State.NEGOTIATING,),
            State.ACCEPTED,
            Side.REQUESTER,
            turn=Side.REQUESTER,
            done="Agreed to the proposal for",
        ),
        Transition(
            "confirm_delivery",
            "Confirm delivery",
            (State.ACCEPTED,),
            State.DELIVERED,
            Side.REQUESTER,
            done="Confirmed the delivery of",
        ),
        Transition(
            "not_delivered",
            "Not delivered yet",
            (State.ACCEPTED,),
            None,  # the stamp goes: it is the provider's to deliver again
            Side.REQUESTER,
            done="Told the provider it is not delivered yet:",
        ),
        Transition(
            "cancel", "Cancel", ACTIVE_STATES, State.CANCELLED, Side.REQUESTER, done="Cancelled"
        ),
        Transition(
            "flag_at_risk", "Flag at risk", ACTIVE_STATES, None, EITHER, done="Flagged at risk:"
        ),
        Transition(
            "flag_blocked", "Flag blocked", ACTIVE_STATES, None, EITHER, done="Flagged blocked:"
        ),
        Transition(
            "clear_flag", "Clear the flag", ACTIVE_STATES, None, EITHER, done="Cleared the flag of"
        ),
    )
}


class Dependency(OrgScoped):
    """Team A (requester) needs a deliverable from team B (provider) by a date."""

    requester_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    requester_initiative = models.ForeignKey(
        "alignment.Initiative", on_delete=models.PROTECT, related_name="dependencies"
    )
    provider_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    provider_initiative = models.ForeignKey(
        "alignment.Initiative",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text="The provider's initiative that delivers it, once accepted.",
    )
    title = models.CharField(max_length=300, help_text="The deliverable.")
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    need_by = models.DateField()
    need_by_milestone = models.ForeignKey(
        "alignment.Milestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependencies",
        help_text="When set, the need-by date is the milestone's and moves with it.",
    )
    committed_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED)
    awaiting = models.CharField(
        max_length=10,
        choices=Side.choices,
        default=Side.PROVIDER,
        help_text="Whose move it is.",
    )
    # The open proposal while negotiating (from either side, see `awaiting`).
    proposed_date = models.DateField(null=True, blank=True)
    proposed_scope = models.TextField(blank=True)
    proposed_initiative = models.ForeignKey(
        "alignment.Initiative", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag = models.CharField(max_length=10, choices=Flag.choices, default=Flag.NONE, blank=True)
    flag_note = models.TextField(blank=True)
    flag_auto = models.BooleanField(
        default=False, help_text="Flagged by Accord itself (a provider's slip)."
    )
    resolution = models.TextField(blank=True, help_text="Why it was declined or cancelled.")
    requested_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    marked_delivered_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the provider said it was delivered, until the requester confirms "
        "it (delivered) or says it is not delivered yet.",
    )
    late_announced_for = models.DateField(
        null=True, blank=True, help_text="The due date whose passing was announced (once)."
    )
    version = models.PositiveIntegerField(default=1)
    # The date that counts, kept by the database itself (every write path, bulk inserts
    # included, gets it right): lists sort and filter "late" on it through an index.
    due = models.GeneratedField(
        expression=Coalesce(F("committed_date"), F("need_by")),
        output_field=models.DateField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["need_by", "id"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester_team=models.F("provider_team")),
                name="dependency_between_two_teams",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "state"]),
            models.Index(fields=["org", "requester_team", "state"]),
            models.Index(fields=["org", "provider_team", "state"]),
            models.Index(fields=["org", "due", "id"]),
            models.Index(fields=["org", "state", "due"]),
            # The organization-wide agenda reads its first dependencies in need-by order.
            models.Index(fields=["org", "need_by", "id"], name="coordination_dep_need_by"),
            # Walks along the graph (blast radius, critical path) step by initiative.
            models.Index(fields=["provider_initiative", "state", "org"]),
            models.Index(fields=["requester_initiative", "state", "org"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def due_date(self) -> dt.date:
        """The date that counts: the committed one once there is one, else the need-by
        (`due` is the same, stored; this one is right before the row is read back)."""
        return self.committed_date or self.need_by

    @property
    def said_delivered(self) -> bool:
        """The provider said it was delivered; it waits on the requester's confirmation."""
        return self.state == State.ACCEPTED and self.marked_delivered_on is not None

    @property
    def days_after_need_by(self) -> int:
        """How many days after the need-by the provider committed (0: on or before it)."""
        return _days_after(self.committed_date, self.need_by)

    @property
    def proposed_days_after_need_by(self) -> int:
        """How many days after the need-by the open proposal's date is (0: not after)."""
        return _days_after(self.proposed_date, self.need_by)

    @property
    def late_since(self) -> dt.date:
        """The day it is late from (if it is): the day after its date (`due_date`)."""
        return self.due_date + dt.timedelta(days=1)

    def is_late(self, today: dt.date) -> bool:
        """`queries.late_q` for one row: active, its date passed, not said delivered."""
        return self.is_active and self.due_date < today and not self.said_delivered

    def allowed_actions(self) -> list[str]:
        """Actions legal in the current state (whoever may take them)."""
        out = []
        for t in TRANSITIONS.values():
            if self.state not in t.sources:
                continue
            if t.turn and self.state == State.NEGOTIATING and self.awaiting != t.turn:
                continue
            if t.action == "clear_flag" and not self.flag:
                continue
            if self.said_delivered:
                # Said delivered: the requester confirms it, says it is not yet, or cancels.
                if t.action not in ("confirm_delivery", "not_delivered", "cancel"):
                    continue
            elif t.action == "not_delivered":
                continue
            if t.action == "flag_at_risk" and self.flag == Flag.AT_RISK:
                continue
            if t.action == "flag_blocked" and self.flag == Flag.BLOCKED:
                continue
            out.append(t.action)
        return out


def _days_after(date: dt.date | None, need_by: dt.date) -> int:
    return (date - need_by).days if date is not None and date > need_by else 0
