"""Every write of people on signals and the intelligence settings.

Acknowledge, snooze until a date, dismiss with a reason, reopen: each validated, changed
and recorded as an event in one transaction. Who may: a lead of a team the signal
concerns (or of a team above it), leaders and admins; viewers never. Evaluation itself
(`evaluate.py`) writes signals in bulk as Accord, not through these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

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
from accord.org import queries as org_queries
from accord.org.models import Membership, MembershipRole, Organization, Person, Role

MAX_SNOOZE_DAYS = 180


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
        Membership.objects.filter(
            org_id=signal.org_id, person=actor, role=MembershipRole.LEAD
        ).values_list("team_id", flat=True)
    )
    if not led:
        return False
    concerned = set(SignalTeam.objects.filter(signal=signal).values_list("team_id", flat=True))
    if concerned & led:
        return True
    parents = org_queries.parent_map(signal.org)
    return any(set(org_queries.ancestors_of(t, parents)) & led for t in concerned)


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
            f"This signal was resolved on {timezone.localdate(signal.resolved_at)}: its cause "
            f"is gone, there is nothing to {action}.",
            code="resolved",
        )


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
    """Hide it until a date; it comes back on that date's next evaluation if still true."""
    signal = _locked(org, signal)
    _require(actor, signal, "snooze")
    day = parse_date(until, "until", required=True)
    assert day is not None
    today = timezone.localdate()
    if day <= today:
        raise ServiceError(
            f"Snooze until a date after today ({today}), not {day}.",
            fields={"until": ["Pick a date in the future."]},
        )
    if day > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise ServiceError(
            f"Snooze for at most {MAX_SNOOZE_DAYS} days; dismiss it if it does not matter.",
            fields={"until": [f"At most {MAX_SNOOZE_DAYS} days ahead."]},
        )
    _require_live(signal, "snooze")
    return _set_state(
        org,
        actor,
        signal,
        "snoozed",
        SignalState.SNOOZED,
        snoozed_until=day,
        expected_version=expected_version,
    )


@transaction.atomic
def dismiss(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    reason: str,
    *,
    expected_version: int | None = None,
) -> Signal:
    """Not a problem here, and why; it no longer costs health while its cause holds."""
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
    return _set_state(
        org,
        actor,
        signal,
        "dismissed",
        SignalState.DISMISSED,
        dismissed_reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def reopen(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    *,
    expected_version: int | None = None,
) -> Signal:
    """Undo an acknowledgement, a snooze or a dismissal."""
    signal = _locked(org, signal)
    _require(actor, signal, "reopen")
    _require_live(signal, "reopen")
    if signal.state == SignalState.OPEN:
        return signal
    return _set_state(
        org, actor, signal, "reopened", SignalState.OPEN, expected_version=expected_version
    )


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
