"""Every write of people on signals and the intelligence settings.

Acknowledge, snooze until a date, dismiss with a reason, reopen: each validated, changed
and recorded as an event in one transaction. Who may: a lead of a team the signal
concerns (or of a team above it), leaders and admins; viewers never. Evaluation itself
(`evaluate.py`) writes signals in bulk as Accord, not through these.

Putting aside a signal about one's own team is accountable: whoever dismisses it (it then
costs the team's health nothing), or snoozes it beyond SNOOZE_TOLD_AFTER_DAYS (it leaves
the lists people act from for weeks), while leading or belonging to a team it concerns,
has the leads of the team above told, with the reason and a link to reopen it
(`answerable_to`, `_tell_above`): an inbox item each and an e-mail as each chose, in the
same transaction (the e-mail held until their working hours, as a new signal's is).
Nobody is told when the person is above the team themselves. Whoever dismissed a signal is
told, the same way, when someone else reopens it (`_tell_dismisser`).
A dismissed signal is only reopened: nothing else is done with it until then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.core.days import own_zone
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import parse_date, require_same_org, update_and_record
from accord.intelligence import config as config_mod
from accord.intelligence import tasks
from accord.intelligence.models import (
    IntelligenceSettings,
    Signal,
    SignalState,
    SignalTeam,
)
from accord.intelligence.notifications import PUT_ASIDE, working_hours_from
from accord.org import queries as org_queries
from accord.org.models import (
    Membership,
    Organization,
    Person,
    PersonKind,
    Role,
    Team,
)
from accord.web.templatetags.dates import day

MAX_SNOOZE_DAYS = 180
# A longer snooze hides a signal from the lists people act from (top signals, home) for
# weeks, as a dismissal without a reason would: the team above is told of it
# (`answerable_to`). Up to two weeks is a pause, told to nobody.
SNOOZE_TOLD_AFTER_DAYS = 14


def can_act_on(actor: Person | None, signal: Signal) -> bool:
    """Leaders and admins; a member who leads a concerned team or a team above one."""
    if actor is None:
        return True
    if not actor.is_active or actor.org_id != signal.org_id:
        return False
    if actor.has_role(Role.LEADER):
        return True
    if not actor.has_role(Role.MEMBER):
        return False
    led = set(
        Membership.objects.leading()
        .filter(org_id=signal.org_id, person=actor)
        .values_list("team_id", flat=True)
    )
    if not led:
        return False
    concerned = set(SignalTeam.objects.filter(signal=signal).values_list("team_id", flat=True))
    if concerned & led:
        return True
    parents = org_queries.parent_map(signal.org)
    return any(set(org_queries.ancestors_of(t, parents)) & led for t in concerned)


def can_act_on_each(org: Organization, actor: Person | None, signals: list[Signal]) -> set[int]:
    """The ids of those of `signals` that `can_act_on` allows `actor` to act on, for a list
    of them: three queries at most, read up from the signals' teams."""
    ids = [s.pk for s in signals if s.org_id == org.pk]
    if actor is None:
        return set(ids)
    if not ids or not actor.is_active or actor.org_id != org.pk:
        return set()
    if actor.has_role(Role.LEADER):
        return set(ids)
    if not actor.has_role(Role.MEMBER):
        return set()
    led = set(
        Membership.objects.leading().filter(org=org, person=actor).values_list("team_id", flat=True)
    )
    if not led:
        return set()
    concerned: dict[int, set[int]] = defaultdict(set)
    for sid, tid in SignalTeam.objects.filter(org=org, signal_id__in=ids).values_list(
        "signal_id", "team_id"
    ):
        concerned[sid].add(tid)
    above = org_queries.ancestor_ids(org, {t for ts in concerned.values() for t in ts})
    return {
        sid
        for sid, teams in concerned.items()
        if teams & led or any(set(above[t]) & led for t in teams)
    }


def _require(actor: Person | None, signal: Signal, action: str) -> None:
    if not can_act_on(actor, signal):
        raise PermissionDenied(
            f"Only a lead of a team this signal concerns, a leader or an admin may {action} it."
        )


def _locked(org: Organization, signal: Signal) -> Signal:
    require_same_org(org, signal, "signal")
    return Signal.objects.select_for_update().get(pk=signal.pk)


def _require_live(signal: Signal, action: str) -> None:
    if signal.state == SignalState.RESOLVED:
        raise ServiceError(
            f"This signal was resolved on {day(timezone.localdate(signal.resolved_at))}: its cause "
            f"is gone, there is nothing to {action}.",
            code="resolved",
        )


def _require_not_dismissed(signal: Signal, action: str) -> None:
    """A dismissed signal is reopened first: acknowledging or snoozing it (or dismissing it
    again for another reason) would quietly put back, or keep hiding, what someone
    judged, and told the team above, did not matter here."""
    if signal.state == SignalState.DISMISSED:
        raise ServiceError(
            f"This signal is dismissed: reopen it before you {action} it.",
            code="dismissed",
        )


def _refresh_health(org: Organization) -> None:
    """Dismissing or reopening changes what the signal costs: ask for the next evaluation
    (within minutes, `tasks.DEBOUNCE_SECONDS`) to recompute the stored health."""
    org_id = org.pk
    transaction.on_commit(lambda: tasks.request_evaluation(org_id))


def _set_state(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    verb: str,
    state: str,
    *,
    snoozed_until: dt.date | None = None,
    dismissed_reason: str = "",
    expected_version: int | None,
) -> Signal:
    """Move a signal to `state` (clearing what the others hold), recording `verb`."""
    changes = {
        "state": state,
        "snoozed_until": snoozed_until,
        "dismissed_reason": dismissed_reason,
        "state_changed_at": timezone.now(),
        "state_changed_by": actor,
    }
    return update_and_record(
        org, actor, signal, changes, verb=verb, expected_version=expected_version
    )


# --- telling the team above ---------------------------------------------------------------


@dataclass
class Audience:
    """Who is told that someone put a signal aside, and why each of them is."""

    people: list[Person]
    teams: list[str]  # the names of the teams it concerns that the person is of
    why: dict[int, str]  # person id -> why they are told ("You lead Engineering, above …")


def _org_level(org: Organization) -> set[int]:
    """The organization's admins and the leaders who lead no team: those whom Insights
    shows the whole organization (`queries.default_scope`), above every top team."""
    leading = Membership.objects.for_org(org).in_current_teams().leading()
    return set(
        Person.objects.for_org(org)
        .filter(is_active=True, kind=PersonKind.PERSON)
        .filter(Q(role=Role.ADMIN) | (Q(role=Role.LEADER) & ~Q(pk__in=leading.values("person_id"))))
        .values_list("pk", flat=True)
    )


def answerable_to(org: Organization, actor: Person | None, signal: Signal) -> Audience:
    """Who is told when `actor` puts `signal` aside: for each team it concerns that the
    actor leads or belongs to, the leads of the nearest team above it that has a lead;
    when no team above it has one (the top of the tree), the organization's admins and
    the leaders who lead no team. Nobody for a team the actor is above already (they lead
    a team above it, or are one of those admins and leaders for a top team), and never
    the actor. Six queries at most, read up from the signal's teams."""
    none = Audience([], [], {})
    if actor is None:
        return none
    concerned = SignalTeam.objects.filter(org=org, signal=signal).values("team_id")
    mine = sorted(
        set(
            Membership.objects.for_org(org)
            .in_current_teams()
            .filter(person=actor, team_id__in=concerned)
            .values_list("team_id", flat=True)
        )
    )
    if not mine:
        return none
    above = org_queries.ancestor_ids(org, mine)
    leads: dict[int, set[int]] = defaultdict(set)
    for team_id, person_id in (
        Membership.objects.for_org(org)
        .in_current_teams()
        .leading()
        .filter(
            team_id__in={t for chain in above.values() for t in chain},
            person__is_active=True,
        )
        .values_list("team_id", "person_id")
    ):
        leads[team_id].add(person_id)
    names = dict(Team.objects.for_org(org).filter(pk__in={*mine, *leads}).values_list("pk", "name"))
    why: dict[int, str] = {}
    told_for: list[int] = []
    org_level: set[int] | None = None
    for team_id in mine:
        chain = above[team_id]
        if any(actor.pk in leads[t] for t in chain):
            continue  # they lead a team above it: it is theirs to judge
        nearest = next((t for t in chain if leads[t]), None)
        if nearest is not None:
            wanted = leads[nearest]
            reason = f"You lead {names[nearest]}, above {names[team_id]}."
        else:
            if org_level is None:
                org_level = _org_level(org)
            if actor.pk in org_level:
                continue
            wanted = org_level
            reason = (
                f"No team above {names[team_id]} has a lead, so the organization's admins "
                "and leaders are told."
            )
        told_for.append(team_id)
        for pid in wanted - {actor.pk}:
            why.setdefault(pid, reason)
    if not why:
        return none
    people = list(Person.objects.for_org(org).filter(pk__in=why, is_active=True).order_by("name"))
    return Audience(people, sorted(names[t] for t in told_for), why)


def _tell_above(
    org: Organization, actor: Person | None, signal: Signal, *, reason: str = ""
) -> int:
    """Tell the team above (`answerable_to`) that `actor` dismissed `signal` with `reason`,
    or snoozed it (its `snoozed_until`): an inbox item and an e-mail each, as each chose
    (`notifications.PUT_ASIDE`), once per change of its state (its version). Inside the
    write's transaction. Returns how many people were told."""
    from accord import demo
    from accord.conversation import services as conversation
    from accord.conversation.models import InboxItem, InboxKind

    audience = answerable_to(org, actor, signal)
    if not audience.people:
        return 0
    assert actor is not None
    about = ", ".join(audience.teams)
    dismissed = signal.state == SignalState.DISMISSED
    if dismissed:
        did = f"{actor.name} dismissed a signal about {about}"
        lines = [
            f"{actor.name} dismissed “{signal.title}”, a signal about {about}.",
            f"Their reason: {reason}",
            f"While it is dismissed it costs {about} no coordination health.",
        ]
    else:
        until = day(signal.snoozed_until)
        did = f"{actor.name} snoozed until {until} a signal about {about}"
        lines = [
            f"{actor.name} snoozed “{signal.title}”, a signal about {about}, until {until}.",
            "Until then it is left out of the top signals and of the lists people act "
            "from; it still costs health.",
        ]
    path = reverse("intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": signal.pk})
    key = f"signal:{signal.pk}:aside:{signal.version}"
    title = f"{did}: {signal.title}"
    if dismissed:
        title += f". Reason: {reason}"
    conversation.add_items(
        org,
        [
            InboxItem(
                org=org,
                person=p,
                kind=InboxKind.SIGNAL,
                key=key,
                title=title[:300],
                link=path,
                actor=actor,
                target_type="intelligence.signal",
                target_id=signal.pk,
            )
            for p in audience.people
        ],
    )
    if demo.loading():
        return len(audience.people)  # the demo's story: its inbox, no e-mail
    # Each e-mail waits for its reader's working hours, as a new signal's does.
    now = timezone.now()
    by_why: dict[tuple[str, dt.datetime], list[Person]] = defaultdict(list)
    for p in audience.people:
        by_why[audience.why[p.pk], _working_hours(now, p)].append(p)
    for (why, not_before), people in by_why.items():
        delivery.notify(
            org,
            kind=PUT_ASIDE,
            key=key,
            subject=f"{did}: {signal.title}",
            text="\n".join([*lines, f"{why} You can reopen it from its page."]),
            link=delivery.site_link(path),
            link_label="See the signal (and reopen it)",
            people=people,
            not_before=not_before,
        )
    return len(audience.people)


def _working_hours(now: dt.datetime, person: Person) -> dt.datetime:
    """When a put-aside notice may reach `person`: `now`, or the start of their next
    working hours (`notifications.working_hours_from`, in their own zone)."""
    return working_hours_from(now, own_zone(person) or dt.UTC)


def _tell_dismisser(
    org: Organization, actor: Person | None, signal: Signal, dismissed_by: int | None
) -> bool:
    """Tell whoever dismissed `signal` that `actor` reopened it (it costs health again):
    an inbox item and an e-mail as they chose, the same notice kind as `_tell_above`'s
    (`notifications.PUT_ASIDE`). Nobody when they reopened it themselves, or are no longer
    active. Inside the write's transaction. True if someone was told."""
    from accord import demo
    from accord.conversation import services as conversation
    from accord.conversation.models import InboxItem, InboxKind

    if dismissed_by is None or actor is None or dismissed_by == actor.pk:
        return False
    person = Person.objects.for_org(org).filter(pk=dismissed_by, is_active=True).first()
    if person is None:
        return False
    path = reverse("intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": signal.pk})
    key = f"signal:{signal.pk}:reopened:{signal.version}"
    did = f"{actor.name} reopened a signal you dismissed"
    conversation.add_items(
        org,
        [
            InboxItem(
                org=org,
                person=person,
                kind=InboxKind.SIGNAL,
                key=key,
                title=f"{did}: {signal.title}"[:300],
                link=path,
                actor=actor,
                target_type="intelligence.signal",
                target_id=signal.pk,
            )
        ],
    )
    if demo.loading():
        return True
    delivery.notify(
        org,
        kind=PUT_ASIDE,
        key=key,
        subject=f"{did}: {signal.title}",
        text="\n".join(
            [
                f"{actor.name} reopened “{signal.title}”, which you had dismissed.",
                "It is open again and costs health again while its cause holds.",
            ]
        ),
        link=delivery.site_link(path),
        link_label="See the signal",
        people=[person],
        not_before=_working_hours(timezone.now(), person),
    )
    return True


def _close_told(org: Organization, signal: Signal) -> None:
    """The inbox items telling of the signal put aside are done once it is reopened."""
    from accord.conversation.models import InboxItem, InboxKind

    InboxItem.objects.filter(
        org=org,
        kind=InboxKind.SIGNAL,
        target_type="intelligence.signal",
        target_id=signal.pk,
    ).close()


@transaction.atomic
def acknowledge(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    *,
    expected_version: int | None = None,
) -> Signal:
    """Someone has seen it and is on it; it stays on the list until its cause clears."""
    signal = _locked(org, signal)
    _require(actor, signal, "acknowledge")
    _require_live(signal, "acknowledge")
    _require_not_dismissed(signal, "acknowledge")
    if signal.state == SignalState.ACKNOWLEDGED:
        return signal
    return _set_state(
        org,
        actor,
        signal,
        "acknowledged",
        SignalState.ACKNOWLEDGED,
        expected_version=expected_version,
    )


@transaction.atomic
def snooze(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    until: Any,
    *,
    expected_version: int | None = None,
) -> Signal:
    """Hide it until a date; it comes back on that date's next evaluation if still true.
    Beyond SNOOZE_TOLD_AFTER_DAYS, the team above is told (`_tell_above`)."""
    signal = _locked(org, signal)
    _require(actor, signal, "snooze")
    until_day = parse_date(until, "until", required=True)
    assert until_day is not None
    today = timezone.localdate()
    if until_day <= today:
        raise ServiceError(
            f"Snooze until a date after today ({day(today)}), not {day(until_day)}.",
            fields={"until": ["Pick a date in the future."]},
        )
    if until_day > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise ServiceError(
            f"Snooze for at most {MAX_SNOOZE_DAYS} days; dismiss it if it does not matter.",
            fields={"until": [f"At most {MAX_SNOOZE_DAYS} days ahead."]},
        )
    _require_live(signal, "snooze")
    _require_not_dismissed(signal, "snooze")
    if signal.state == SignalState.SNOOZED and signal.snoozed_until == until_day:
        return signal  # said already: nothing new to record or tell
    version = signal.version
    signal = _set_state(
        org,
        actor,
        signal,
        "snoozed",
        SignalState.SNOOZED,
        snoozed_until=until_day,
        expected_version=expected_version,
    )
    if signal.version != version and until_day > today + dt.timedelta(days=SNOOZE_TOLD_AFTER_DAYS):
        _tell_above(org, actor, signal)
    return signal


@transaction.atomic
def dismiss(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    reason: str,
    *,
    expected_version: int | None = None,
    tell: bool = True,
) -> Signal:
    """Not a problem here, and why; it no longer costs health while its cause holds. The
    team above is told (`_tell_above`) unless `tell` is False (a verdict on a likely
    duplicate that links the two: it acts on the signal rather than putting it aside)."""
    signal = _locked(org, signal)
    _require(actor, signal, "dismiss")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "Say why this signal does not matter, so others understand.",
            fields={"reason": ["Required."]},
        )
    if len(reason) > 2000:
        raise ServiceError(
            "The reason is too long (at most 2000 characters).",
            fields={"reason": ["At most 2000 characters."]},
        )
    _require_live(signal, "dismiss")
    if signal.state == SignalState.DISMISSED and signal.dismissed_reason == reason:
        return signal  # said already: nothing new to record or tell
    _require_not_dismissed(signal, "dismiss")
    version = signal.version
    signal = _set_state(
        org,
        actor,
        signal,
        "dismissed",
        SignalState.DISMISSED,
        dismissed_reason=reason,
        expected_version=expected_version,
    )
    if signal.version != version:
        _refresh_health(org)
        if tell:
            _tell_above(org, actor, signal, reason=reason)
    return signal


@transaction.atomic
def reopen(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    *,
    expected_version: int | None = None,
) -> Signal:
    """Undo an acknowledgement, a snooze or a dismissal. Whoever dismissed it is told,
    unless they reopen it themselves (`_tell_dismisser`)."""
    signal = _locked(org, signal)
    _require(actor, signal, "reopen")
    _require_live(signal, "reopen")
    if signal.state == SignalState.OPEN:
        return signal
    was_dismissed = signal.state == SignalState.DISMISSED
    dismissed_by = signal.state_changed_by_id if was_dismissed else None
    signal = _set_state(
        org, actor, signal, "reopened", SignalState.OPEN, expected_version=expected_version
    )
    _close_told(org, signal)
    if was_dismissed:
        _refresh_health(org)
        _tell_dismisser(org, actor, signal, dismissed_by)
    return signal


# --- settings and preferences ------------------------------------------------------------


def settings_row(org: Organization) -> IntelligenceSettings:
    row, _ = IntelligenceSettings.objects.get_or_create(org=org)
    return row


SETTINGS_LABEL = "Insights settings"  # how the settings are named in the activity log


def _require_admin(actor: Person | None) -> None:
    if actor is not None and not (actor.is_active and actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only an admin may change how Accord computes signals and health.")


@transaction.atomic
def update_settings(
    org: Organization,
    actor: Person | None,
    *,
    detectors: Any = None,
    health: Any = None,
    expected_version: int | None = None,
) -> IntelligenceSettings:
    """Replace the organization's overrides of detector thresholds and health weights.
    Admins only; anything not named takes its documented default, and only values that
    differ from their default are stored (so a later change of a default reaches the
    organizations that never changed it). The next evaluation applies them: one is asked
    for once the change commits."""
    _require_admin(actor)
    detectors, health = config_mod.changes_only(*config_mod.validate(detectors, health))
    row = IntelligenceSettings.objects.select_for_update().filter(pk=settings_row(org).pk).get()
    version = row.version
    row = update_and_record(
        org,
        actor,
        row,
        {"detectors": detectors, "health": health},
        expected_version=expected_version,
        label=SETTINGS_LABEL,
    )
    if row.version != version:
        org_id = org.pk
        transaction.on_commit(lambda: tasks.request_evaluation(org_id))
    return row


RESET_ALL = "all"
RESET_HEALTH = "health"


@transaction.atomic
def reset_settings(
    org: Organization,
    actor: Person | None,
    part: str,
    *,
    expected_version: int | None = None,
) -> IntelligenceSettings:
    """Put one detector (`part` is its kind), the health rules (`"health"`) or everything
    (`"all"`) back to the documented defaults, keeping the organization's other changes."""
    _require_admin(actor)
    row = IntelligenceSettings.objects.select_for_update().filter(pk=settings_row(org).pk).get()
    detectors, health = dict(row.detectors or {}), dict(row.health or {})
    if part == RESET_ALL:
        detectors, health = {}, {}
    elif part == RESET_HEALTH:
        health = {}
    elif part in config_mod.defaults().detectors:
        detectors.pop(part, None)
    else:
        raise ServiceError(
            f"Nothing called {part!r} to reset: name a detector, health or all.",
            fields={"part": ["Unknown."]},
        )
    return update_settings(
        org, actor, detectors=detectors, health=health, expected_version=expected_version
    )
