"""API of signals, coordination health and the detector catalogue."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accord.api.common import InputSchema, actor_of, get_or_404, if_match, org_of
from accord.core.errors import PermissionDenied
from accord.intelligence import config as config_mod
from accord.intelligence import duplicate_services, queries, services
from accord.intelligence import health as health_mod
from accord.intelligence.models import (
    DIMENSIONS,
    IntelligenceSettings,
    Signal,
    SignalSeverity,
    SignalState,
)
from accord.intelligence.registry import discover
from accord.org.models import Role, Team

router = Router(tags=["Insights"])


class EvidenceOut(Schema):
    label: str
    value: Any
    target_type: str
    target_id: str
    url: str | None = None


class SignalOut(Schema):
    id: int
    kind: str
    severity: SignalSeverity
    state: SignalState
    subject_type: str
    subject_id: str
    subject_label: str
    title: str
    explanation: str
    next_step: str
    owner_id: int | None
    team_ids: list[int]
    reach_teams: int
    reach_people: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    snoozed_until: dt.date | None
    dismissed_reason: str
    resolved_at: dt.datetime | None
    closed_reason: str = Field(
        description="Why a resolved signal went away when it was not fixed: `team_retired` "
        "(the teams it concerned were retired), `taken_over` (a more serious signal about the "
        "same subject replaced it, e.g. a dependency predicted late that is now overdue); "
        "empty otherwise."
    )
    version: int

    @staticmethod
    def resolve_team_ids(obj):
        return sorted(link.team_id for link in obj.team_links.all())


class SignalDetailOut(SignalOut):
    evidence: list[EvidenceOut]
    numbers: dict[str, Any]
    subject_url: str | None


class SnoozeIn(InputSchema):
    until: dt.date = Field(..., description="The date the signal comes back if still true.")


class DismissIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


_UNSCORED = "None when there was nothing to judge (see `left_out`), never 100 for nothing."


class DimensionScores(Schema):
    alignment: float | None = Field(description=_UNSCORED)
    execution: float | None = Field(description=_UNSCORED)
    dependencies: float | None = Field(description=_UNSCORED)
    rhythm: float | None = Field(description=_UNSCORED)
    decisions: float | None = Field(description=_UNSCORED)
    overall: float | None = Field(
        description="The weighted mean of the dimensions that have a score; None when none "
        "has (see `reason`)."
    )
    reason: str | None = Field(
        description='Why `overall` is None: "Not enough activity to score: " and the inputs '
        "that were empty; None when there is a score."
    )
    left_out: dict[str, str] = Field(
        description="The dimensions without a score (left out of `overall`, not counted as "
        "100), each with what it found nothing of."
    )


class HealthOut(Schema):
    team_id: int
    team_name: str
    date: dt.date
    computed_at: dt.datetime = Field(
        description="When the evaluation that stored these scores ran. Each evaluation of "
        "a day replaces that day's scores, so today's change until the day is over; a past "
        "day's stay as the last evaluation of that day stored them."
    )
    people: int
    own: DimensionScores
    rollup_people: int
    rollup: DimensionScores
    explanation: dict[str, list[dict[str, Any]]]
    open_signals: dict[str, int]
    rollup_open_signals: dict[str, int]


class SignalKindOut(Schema):
    kind: str
    title: str
    dimension: str
    description: str
    defaults: dict[str, Any]
    settings: dict[str, Any]


class CatalogueOut(Schema):
    kinds: list[SignalKindOut]
    health_defaults: dict[str, Any]
    health: dict[str, Any]
    version: int


class IntelligenceSettingsIn(InputSchema):
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    health: dict[str, Any] = Field(default_factory=dict)


def _scores(values: dict[str, float | None]) -> dict[str, Any]:
    return {
        **values,
        "reason": health_mod.unscored_reason(values),
        "left_out": health_mod.left_out(values),
    }


def _health_out(h) -> dict:
    return {
        "team_id": h.team_id,
        "team_name": h.team.name,
        "date": h.date,
        "computed_at": h.computed_at,
        "people": h.people,
        "own": _scores({d: getattr(h, d) for d in (*DIMENSIONS, "overall")}),
        "rollup_people": h.rollup_people,
        "rollup": _scores({d: getattr(h, f"rollup_{d}") for d in (*DIMENSIONS, "overall")}),
        "explanation": h.explanation,
        "open_signals": {
            "info": h.open_info,
            "warning": h.open_warning,
            "critical": h.open_critical,
        },
        "rollup_open_signals": {
            "info": h.rollup_open_info,
            "warning": h.rollup_open_warning,
            "critical": h.rollup_open_critical,
        },
    }


@router.get("/signals", response=list[SignalOut], summary="List signals")
@paginate
def list_signals(
    request,
    team_id: int | None = None,
    kind: str | None = None,
    severity: SignalSeverity | None = None,
    state: str = Query("live", description="live (the default: neither resolved nor "
                       "dismissed, what Insights lists and the health counts open), open, "
                       "acknowledged, snoozed, dismissed, resolved, or any (every state)"),
    as_of: dt.date | None = None,
):  # fmt: skip
    """Ranked by severity, then reach. `team_id` takes that team and every team below it;
    `state` is `live` unless given, as on the Insights page and in `accord signals`;
    `as_of` gives the signals as they were stored on that date, today in UTC (the day
    evaluations date what they store, as on Insights, whatever the token's person's zone
    says the date is) or earlier (a later day, of which nothing is known yet, is a 422
    naming it, code `future_date`)."""
    org = org_of(request)
    if as_of is not None:
        queries.check_as_of(as_of)
        rows = queries.signals_as_of(
            org, as_of, team_id=team_id, kind=kind, severity=severity, state=state
        )
        return rows
    return queries.signals(org, team_id=team_id, kind=kind, severity=severity, state=state)


def _signal(request, signal_id: int) -> Signal:
    return get_or_404(Signal.objects.filter(org=org_of(request)), signal_id, "signal")


def _detail(request, s: Signal) -> Signal:
    """The signal decorated for SignalDetailOut: evidence with links (not saved)."""
    org = org_of(request)
    s.evidence = queries.resolve_links(org, s.evidence)
    s.subject_url = queries.subject_url(org, s)
    return s


@router.get("/signals/{signal_id}", response=SignalDetailOut, summary="Get a signal")
def get_signal(request, signal_id: int):
    """With its evidence, each item linked to the page of what it names."""
    return _detail(request, _signal(request, signal_id))


@router.post(
    "/signals/{signal_id}/acknowledge", response=SignalDetailOut, summary="Acknowledge a signal"
)
def acknowledge(request, signal_id: int):
    s = services.acknowledge(
        org_of(request),
        actor_of(request),
        _signal(request, signal_id),
        expected_version=if_match(request),
    )
    return _detail(request, s)


@router.post("/signals/{signal_id}/snooze", response=SignalDetailOut, summary="Snooze a signal")
def snooze(request, signal_id: int, payload: SnoozeIn):
    s = services.snooze(
        org_of(request),
        actor_of(request),
        _signal(request, signal_id),
        payload.until,
        expected_version=if_match(request),
    )
    return _detail(request, s)


@router.post("/signals/{signal_id}/dismiss", response=SignalDetailOut, summary="Dismiss a signal")
def dismiss(request, signal_id: int, payload: DismissIn):
    s = services.dismiss(
        org_of(request),
        actor_of(request),
        _signal(request, signal_id),
        payload.reason,
        expected_version=if_match(request),
    )
    return _detail(request, s)


@router.post("/signals/{signal_id}/reopen", response=SignalDetailOut, summary="Reopen a signal")
def reopen(request, signal_id: int):
    s = services.reopen(
        org_of(request),
        actor_of(request),
        _signal(request, signal_id),
        expected_version=if_match(request),
    )
    return _detail(request, s)


def _team(request, team_id: int) -> Team:
    return get_or_404(Team.objects.for_org(org_of(request)), team_id, "team")


@router.get("/health/{team_id}", response=HealthOut, summary="Coordination health of a team")
def team_health(request, team_id: int, as_of: dt.date | None = None):
    """The team's own scores and those rolled up over its subtree, on the last evaluated
    day on or before `as_of` (default: the latest), today in UTC or earlier (a later day,
    of which nothing is known yet, is a 422 naming it, code `future_date`)."""
    if as_of is not None:
        queries.check_as_of(as_of)
    team = _team(request, team_id)
    h = queries.health(org_of(request), team.pk, as_of)
    if h is None:
        from accord.core.errors import NotFound

        raise NotFound(f"No health computed for {team.name} yet.")
    return _health_out(h)


@router.get(
    "/health/{team_id}/history",
    response=list[HealthOut],
    summary="Weekly coordination health of a team",
)
def team_health_history(
    request, team_id: int, weeks: int = Query(13, ge=1, le=104), until: dt.date | None = None
):
    """One entry per week (its last evaluated day), oldest first; the last is the week
    ending on `until` (default: the latest), today in UTC or earlier (a later day is a 422
    naming it, code `future_date`)."""
    if until is not None:
        queries.check_as_of(until, "until", "until")
    team = _team(request, team_id)
    rows = queries.health_history(org_of(request), team.pk, weeks=weeks, until=until)
    return [_health_out(h) for h in rows]


def _catalogue(org) -> dict:
    cfg = config_mod.for_org(org)
    version = IntelligenceSettings.objects.filter(org=org).values_list("version", flat=True).first()
    kinds = [
        {
            "kind": d.kind,
            "title": d.title,
            "dimension": d.dimension,
            "description": d.description,
            "defaults": d.defaults,
            "settings": cfg.detectors.get(d.kind, d.defaults),
        }
        for d in sorted(discover().values(), key=lambda d: d.kind)
    ]
    return {
        "kinds": kinds,
        "health_defaults": config_mod.HEALTH_DEFAULTS,
        "health": cfg.health,
        "version": version or 1,
    }


@router.get("/signal-kinds", response=CatalogueOut, summary="The detector catalogue")
def catalogue(request):
    """Every detector with its documented defaults and this organization's settings."""
    return _catalogue(org_of(request))


@router.put(
    "/signal-kinds/settings", response=CatalogueOut, summary="Change detector and health settings"
)
def update_settings(request, payload: IntelligenceSettingsIn):
    """Admins only. Replaces the organization's overrides; what is not named takes its
    default."""
    actor = actor_of(request)
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin may change how Accord computes signals and health.")
    services.update_settings(
        org_of(request),
        actor,
        detectors=payload.detectors,
        health=payload.health,
        expected_version=if_match(request),
    )
    return _catalogue(org_of(request))


# --- likely duplicate work -----------------------------------------------------------------


class DuplicateJudgementIn(InputSchema):
    verdict: str = Field(description="not_duplicate, related or replaces")
    replacement: int | None = Field(
        None, description="For replaces: the id of the initiative that replaces the other."
    )


class DuplicateJudgementOut(Schema):
    object_type: str
    a_id: int
    b_id: int
    verdict: str
    decided_by_id: int | None
    decided_at: dt.datetime
    signal: SignalDetailOut


@router.post(
    "/signals/{signal_id}/duplicate",
    response=DuplicateJudgementOut,
    summary="Judge a pair of likely duplicate work",
)
def judge_duplicate(request, signal_id: int, payload: DuplicateJudgementIn):
    """Not a duplicate (remembered until either text changes substantially), related (links
    the two), or replaces (the initiative `replacement` replaces the other). The signal is
    dismissed with the verdict as its reason."""
    signal = _signal(request, signal_id)
    row = duplicate_services.judge(
        org_of(request),
        actor_of(request),
        signal,
        payload.verdict,
        replacement_id=payload.replacement,
    )
    signal.refresh_from_db()
    row.signal = _detail(request, signal)
    return row
