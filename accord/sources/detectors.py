"""The sources' own detector in the intelligence catalogue (found by `registry.discover`)."""

from __future__ import annotations

from collections.abc import Iterator

from accord.intelligence.registry import Found, detector
from accord.intelligence.registry import evidence as ev
from accord.intelligence.snapshot import Snapshot
from accord.sources.models import KeyResultSource, TrackerLink


@detector(
    "sources.failing",
    title="Source failing",
    dimension="execution",
    defaults={"failures": 3},
)
def failing(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A key result's (or scorecard measurable's) source, or an initiative's tracker link,
    whose last 3 pulls in a row failed: its number or progress is no longer updated
    (critical after three times as many). Reads the pulls' state as it is now, whatever
    the date evaluated."""
    limit = max(1, int(cfg["failures"]))
    failing = KeyResultSource.objects.filter(org_id=snap.org_id, failures__gte=limit)
    sources = failing.filter(key_result__isnull=False).values_list(
        "key_result_id", "failures", "last_error", "url"
    )
    for kr_id, failures, error, url in sources:
        kr = snap.key_results.get(kr_id)
        obj = snap.objectives.get(kr.objective_id) if kr else None
        if kr is None or obj is None:
            continue
        yield Found(
            kind="sources.failing",
            subject_type="alignment.keyresult",
            subject_id=str(kr.id),
            subject_label=kr.name,
            severity="critical" if failures >= 3 * limit else "warning",
            title=f"The source of {kr.name} failed {failures} times in a row",
            explanation=(
                f"Accord could not read {kr.name} from its source ({url}) the last {failures} "
                f"times it tried: {error}"
            ),
            next_step="Fix the source (or clear it and record values by hand).",
            team_ids={obj.team_id} if obj.team_id else set(),
            owner_id=kr.owner_id or obj.owner_id or snap.lead_of(obj.team_id),
            evidence=[ev("Consecutive failures", failures, "alignment.keyresult", kr.id)],
            numbers={"failures": failures},
        )
    measurables = failing.filter(measurable__is_active=True).values_list(
        "measurable_id",
        "measurable__name",
        "measurable__team_id",
        "measurable__owner_id",
        "failures",
        "last_error",
        "url",
    )
    for m_id, name, team_id, owner_id, failures, error, url in measurables:
        if team_id not in snap.teams:
            continue
        yield Found(
            kind="sources.failing",
            subject_type="rhythm.measurable",
            subject_id=str(m_id),
            subject_label=name,
            severity="critical" if failures >= 3 * limit else "warning",
            title=f"The source of {name} failed {failures} times in a row",
            explanation=(
                f"Accord could not read this week's {name} from its source ({url}) the last "
                f"{failures} times it tried: {error}"
            ),
            next_step="Fix the source (or clear it and record values by hand).",
            team_ids={team_id},
            owner_id=owner_id or snap.lead_of(team_id),
            evidence=[ev("Consecutive failures", failures)],
            numbers={"failures": failures},
        )
    links = TrackerLink.objects.filter(org_id=snap.org_id, failures__gte=limit).values_list(
        "initiative_id", "failures", "last_error", "url"
    )
    for init_id, failures, error, url in links:
        item = snap.initiatives.get(init_id)
        if item is None:
            continue
        yield Found(
            kind="sources.failing",
            subject_type="alignment.initiative",
            subject_id=str(item.id),
            subject_label=item.title,
            severity="critical" if failures >= 3 * limit else "warning",
            title=f"The tracker of {item.title} failed {failures} times in a row",
            explanation=(
                f"Accord could not read the progress of {item.title} from {url} the last "
                f"{failures} times it tried: {error}"
            ),
            next_step="Fix the link or the organization's tracker token.",
            team_ids={item.team_id},
            owner_id=item.owner_id or snap.lead_of(item.team_id),
            evidence=[ev("Consecutive failures", failures, "alignment.initiative", item.id)],
            numbers={"failures": failures},
        )
