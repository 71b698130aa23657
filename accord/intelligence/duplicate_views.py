"""The "is this the same work?" part of a likely-duplicate signal's page, and its form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accord.core.errors import ServiceError
from accord.intelligence import duplicate_services, queries, services
from accord.intelligence.models import DuplicateVerdict, Signal
from accord.web.helpers import flash_error, org_view

DONE = {
    DuplicateVerdict.NOT_DUPLICATE: "Marked as not a duplicate: the pair stays quiet unless "
    "either text changes substantially.",
    DuplicateVerdict.RELATED: "Marked as related work: the two are linked.",
    DuplicateVerdict.REPLACES: "Noted: one initiative replaces the other.",
}


def context(org, me, signal: Signal) -> dict | None:
    """What the signal page shows of the pair (None for other signals)."""
    try:
        object_type, a, b = duplicate_services.pair_of(org, signal)
    except ServiceError:
        return None
    model = f"alignment.{object_type}"
    links = queries.resolve_links(
        org,
        [
            {"target_type": model, "target_id": a.pk, "label": a.title},
            {"target_type": model, "target_id": b.pk, "label": b.title},
        ],
    )
    return {
        "object_type": object_type,
        "items": [(a, links[0]["url"]), (b, links[1]["url"])],
        "judgement": duplicate_services.judgement_of(org, signal),
        "can_judge": services.can_act_on(me, signal),
        "can_replace": object_type == "initiative",
    }


@org_view
@require_POST
def judge(request, signal_id: int):
    org, me = request.org, request.person
    signal = queries.signal(org, signal_id)
    if signal is None:
        raise Http404("No such signal.")
    verdict = request.POST.get("verdict", "")
    try:
        duplicate_services.judge(
            org, me, signal, verdict, replacement_id=request.POST.get("replacement")
        )
        messages.success(request, DONE[DuplicateVerdict(verdict)])
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect("intelligence:signal", org_slug=org.slug, signal_id=signal.pk)
