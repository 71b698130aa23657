"""What people say of a pair of likely duplicate work, from its signal.

- "not a duplicate": remembered with each text's fingerprint, so the pair stays quiet until
  either text changes substantially;
- "related": the two are linked as related work (the judgement row is the link);
- "one replaces the other" (initiatives): the alignment replaces-link is made, through
  alignment's services.

Each validates, writes the judgement, records an event and dismisses the signal (with the
verdict as the reason) in one transaction. Who may: whoever may act on the signal.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.alignment import services as alignment_services
from accord.alignment.detectors import KIND, parse_subject, text_of
from accord.alignment.models import Initiative, InitiativeLink, Objective
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import require_same_org, update_and_record
from accord.intelligence import duplicates
from accord.intelligence import services as signal_services
from accord.intelligence.models import DuplicateJudgement, DuplicateVerdict, Signal
from accord.org.models import Organization, Person

MODELS: dict[str, Any] = {"initiative": Initiative, "objective": Objective}
REASONS = {
    DuplicateVerdict.NOT_DUPLICATE: "Not a duplicate",
    DuplicateVerdict.RELATED: "Related work, linked",
    DuplicateVerdict.REPLACES: "One replaces the other",
}


def pair_of(org: Organization, signal: Signal) -> tuple[str, Any, Any]:
    """(object type, first, second) of a likely-duplicate signal; a clear error when the
    signal is of another kind or either item is gone."""
    require_same_org(org, signal, "signal")
    parsed = parse_subject(signal.subject_id) if signal.kind == KIND else None
    if parsed is None:
        raise ServiceError("This signal is not about a pair of likely duplicate work.")
    object_type, a_id, b_id = parsed
    found = MODELS[object_type].objects.for_org(org).in_bulk([a_id, b_id])
    if a_id not in found or b_id not in found:
        raise ServiceError(
            f"One of the two {object_type}s no longer exists; there is nothing to judge.",
            code="gone",
        )
    return object_type, found[a_id], found[b_id]


def judgement_of(org: Organization, signal: Signal) -> DuplicateJudgement | None:
    parsed = parse_subject(signal.subject_id) if signal.kind == KIND else None
    if parsed is None:
        return None
    object_type, a_id, b_id = parsed
    return DuplicateJudgement.objects.filter(
        org=org, object_type=object_type, a_id=a_id, b_id=b_id
    ).first()


@transaction.atomic
def judge(
    org: Organization,
    actor: Person | None,
    signal: Signal,
    verdict: str,
    *,
    replacement_id: Any = None,
) -> DuplicateJudgement:
    """Record `verdict` on the signal's pair. For "replaces", `replacement_id` is the id of
    the initiative that replaces the other."""
    require_same_org(org, signal, "signal")
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if not signal_services.can_act_on(actor, signal):  # who asks, before what they ask
        raise PermissionDenied(
            "Only a lead of a team this signal concerns, a leader or an admin may judge this pair."
        )
    object_type, a, b = pair_of(org, signal)
    if verdict not in DuplicateVerdict.values:
        raise ServiceError(
            f"Unknown verdict {verdict!r}; use one of {', '.join(DuplicateVerdict.values)}.",
            fields={"verdict": ["Unknown verdict."]},
        )
    if verdict == DuplicateVerdict.REPLACES:
        _replace(org, actor, object_type, a, b, replacement_id)
    changes = {
        "verdict": verdict,
        "a_fingerprint": duplicates.fingerprint(text_of(a.title, a.description)),
        "b_fingerprint": duplicates.fingerprint(text_of(b.title, b.description)),
        "score": float((signal.numbers or {}).get("score") or 0),
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    label = f"{a.title} / {b.title}"[:300]
    row = (
        DuplicateJudgement.objects.select_for_update()
        .filter(org=org, object_type=object_type, a_id=a.pk, b_id=b.pk)
        .first()
    )
    if row is None:
        row = DuplicateJudgement.objects.create(
            org=org, object_type=object_type, a_id=a.pk, b_id=b.pk, **changes
        )
        activity.record(
            org,
            actor,
            f"judged {verdict.replace('_', ' ')}",
            row,
            after={"verdict": verdict, "object_type": object_type, "a": a.pk, "b": b.pk},
            label=label,
        )
    else:
        update_and_record(org, actor, row, changes, verb=f"judged {verdict.replace('_', ' ')}")
    if signal.is_live and signal.state != "dismissed":
        who = f" ({actor.name})" if actor else ""
        # "Not a duplicate" puts the signal aside (the team above is told); linking the two
        # acts on it.
        signal_services.dismiss(
            org,
            actor,
            signal,
            f"{REASONS[verdict]}{who}.",
            tell=verdict == DuplicateVerdict.NOT_DUPLICATE,
        )
    return row


def _replace(org, actor, object_type: str, a, b, replacement_id: Any) -> None:
    if object_type != "initiative":
        raise ServiceError(
            "Only an initiative can replace another; mark these objectives as related instead.",
            fields={"verdict": ["Not for objectives."]},
        )
    try:
        chosen = int(replacement_id)
    except (TypeError, ValueError):
        chosen = None
    if chosen not in (a.pk, b.pk):
        raise ServiceError(
            "Say which of the two initiatives replaces the other.",
            fields={"replacement": [f"Choose {a.pk} or {b.pk}."]},
        )
    new, old = (a, b) if chosen == a.pk else (b, a)
    if InitiativeLink.objects.filter(org=org, from_initiative=new, to_initiative=old).exists():
        return  # said already, in alignment
    alignment_services.link_initiatives(org, actor, new, old)
