"""Alignment's own detectors in the intelligence catalogue (found by `registry.discover`).

"Likely duplicate work": initiatives (and objectives) of different teams that read alike
and serve the same things, scored by `accord.intelligence.duplicates`. Pairs a person
judged (not a duplicate, related, one replaces the other) stay quiet; a "not a duplicate"
comes back once either text changed substantially since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from accord.alignment.models import (
    OPEN_INITIATIVE_STATUSES,
    OPEN_OBJECTIVE_STATUSES,
    Initiative,
    InitiativeLink,
    Objective,
)
from accord.intelligence import duplicates
from accord.intelligence.models import DuplicateJudgement, DuplicateVerdict
from accord.intelligence.registry import Found, detector
from accord.intelligence.registry import evidence as ev
from accord.intelligence.snapshot import Snapshot

KIND = "work.likely_duplicate"
SUBJECT_TYPE = "intelligence.duplicatepair"
MODEL = {"initiative": "alignment.initiative", "objective": "alignment.objective"}


def subject_id(object_type: str, a: int, b: int) -> str:
    return f"{object_type}:{min(a, b)}:{max(a, b)}"


def parse_subject(value: str) -> tuple[str, int, int] | None:
    """(object type, a, b) from a signal's subject id, or None when it is not one."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] not in MODEL or not (parts[1] + parts[2]).isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


def text_of(title: str, description: str) -> str:
    return f"{title}\n{description or ''}".strip()


def load_items(snap: Snapshot) -> dict[str, dict[int, tuple[duplicates.Item, str]]]:
    """The open initiatives and team objectives as of the snapshot, as items with their
    titles (three queries: the texts are not part of the snapshot; the dependencies that
    join initiatives are)."""
    providers: dict[int, set[int]] = defaultdict(set)
    joined: dict[int, set[int]] = defaultdict(set)  # by a dependency: never a pair
    for d in snap.dependencies.values():
        if d.active:
            providers[d.requester_initiative_id].add(d.provider_team_id)
        if (d.active or d.state == "delivered") and d.provider_initiative_id:
            joined[d.requester_initiative_id].add(d.provider_initiative_id)
            joined[d.provider_initiative_id].add(d.requester_initiative_id)

    def members(team_id: int | None) -> frozenset[int]:
        team = snap.teams.get(team_id) if team_id is not None else None
        return frozenset(team.members) if team else frozenset()

    out: dict[str, dict[int, tuple[duplicates.Item, str]]] = {"initiative": {}, "objective": {}}
    open_inits = {
        i.id: i
        for i in snap.initiatives.values()
        if i.status in OPEN_INITIATIVE_STATUSES
        and i.team_id in snap.teams
        and i.team_id not in snap.retired  # a retired team's work is no one's to merge
    }
    # The whole organization's rows, not `id__in` a list (SQLite caps a query's parameters
    # at 32,766); statuses as of the snapshot decide which count.
    rows = Initiative.objects.filter(org_id=snap.org_id).values_list("id", "title", "description")
    for iid, title, description in rows.iterator(chunk_size=5000):
        i = open_inits.get(iid)
        if i is None:
            continue
        item = duplicates.Item(
            id=iid,
            team_id=i.team_id,
            text=text_of(i.title or title, description),
            owner_id=i.owner_id,
            objective_ids=frozenset(i.objective_ids),
            key_result_ids=frozenset(i.key_result_ids),
            provider_team_ids=frozenset(providers.get(iid, ())),
            member_ids=members(i.team_id),
            joined_ids=frozenset(joined.get(iid, ())),
        )
        out["initiative"][iid] = (item, i.title or title)
    # A closed period's objectives are a record (one carried over reads as its copy).
    closed = {p.id for p in snap.periods.values() if p.closed_at and p.closed_at <= snap.as_of}
    open_objs = {
        o.id: o
        for o in snap.objectives.values()
        if o.status in OPEN_OBJECTIVE_STATUSES
        and o.team_id in snap.teams
        and o.team_id not in snap.retired
        and o.period_id not in closed
    }
    # Ancestors through the links as of the snapshot, closed objectives included (a
    # grandchild under a closed child is still a cascade), with no query.
    above = duplicates.ancestors(
        {oid: o.parent_ids for oid, o in snap.objectives.items() if o.parent_ids}, open_objs
    )
    rows = Objective.objects.filter(org_id=snap.org_id).values_list("id", "title", "description")
    for oid, title, description in rows.iterator(chunk_size=5000):
        o = open_objs.get(oid)
        if o is None:
            continue
        item = duplicates.Item(
            id=oid,
            team_id=o.team_id,
            text=text_of(o.title or title, description),
            owner_id=o.owner_id,
            objective_ids=frozenset(o.parent_ids),
            member_ids=members(o.team_id),
            parent_ids=frozenset(o.parent_ids),
            ancestor_ids=above[oid],
        )
        out["objective"][oid] = (item, o.title or title)
    return out


def quiet_pairs(org_id: int, items: dict[str, dict], change: float) -> set[tuple[str, int, int]]:
    """Pairs not to raise: judged related or replacing, linked by a replaces-link, or
    judged not a duplicate while neither text changed substantially (keeps less than
    `change` of its words)."""
    quiet: set[tuple[str, int, int]] = set()
    for j in DuplicateJudgement.objects.filter(org_id=org_id).iterator():
        if j.verdict != DuplicateVerdict.NOT_DUPLICATE:
            quiet.add((j.object_type, j.a_id, j.b_id))
            continue
        known = items.get(j.object_type, {})
        a, b = known.get(j.a_id), known.get(j.b_id)
        if a is None or b is None:
            continue
        same_a = duplicates.resemblance(j.a_fingerprint, duplicates.fingerprint(a[0].text))
        same_b = duplicates.resemblance(j.b_fingerprint, duplicates.fingerprint(b[0].text))
        if same_a >= change and same_b >= change:
            quiet.add((j.object_type, j.a_id, j.b_id))
    for x, y in InitiativeLink.objects.filter(org_id=org_id).values_list(
        "from_initiative_id", "to_initiative_id"
    ):
        quiet.add(("initiative", min(x, y), max(x, y)))
    return quiet


def _common_lead(snap: Snapshot, a: int | None, b: int | None) -> int | None:
    """The lead of the lowest team above both (the one who can settle it)."""
    above: list[int] = []
    t, hops = a, 0
    while t is not None and hops < 1000:
        above.append(t)
        team = snap.teams.get(t)
        t = team.parent_id if team else None
        hops += 1
    seen = set(above)
    t, hops = b, 0
    while t is not None and hops < 1000:
        if t in seen:
            return snap.lead_of(t)
        team = snap.teams.get(t)
        t = team.parent_id if team else None
        hops += 1
    return snap.lead_of(a)


@detector(
    KIND,
    title="Likely duplicate work",
    dimension="alignment",
    defaults=dict(duplicates.DEFAULTS),
)
def likely_duplicate(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """Two teams' initiatives (or objectives) that read alike — TF-IDF over words and
    character n-grams, cosine similarity among each item's 5 nearest — plus serving the
    same objectives or key results, depending on the same provider, sharing people: a
    combined score of at least 0.4. At most 200 pairs per kind, the likeliest first. Never
    a cascade: an objective and one it contributes to (at any depth), nor two initiatives
    joined by a dependency, active or delivered (one asked, the other delivers it)."""
    threshold = float(cfg.get("threshold", duplicates.DEFAULTS["threshold"]))
    top_k = int(cfg.get("top_k", duplicates.DEFAULTS["top_k"]))
    max_pairs = int(cfg.get("max_pairs", duplicates.DEFAULTS["max_pairs"]))
    change = float(cfg.get("change", duplicates.DEFAULTS["change"]))
    items = load_items(snap)
    quiet = quiet_pairs(snap.org_id, items, change)
    for object_type, known in items.items():
        pairs = duplicates.find_pairs(
            [item for item, _ in known.values()],
            threshold=threshold,
            top_k=top_k,
            # The kept index is the organization's now: a past date's items (a backfill,
            # the demo's history) get an index of their own, else its vocabulary would
            # score the next evaluation of now (accord/intelligence/duplicates.py).
            key=(snap.org_id, object_type) if snap.live else None,
            skip=lambda a, b, t=object_type: (t, a, b) in quiet,
            limit=max_pairs,
        )
        for p in pairs:
            yield _found(snap, object_type, known, p)


def _found(snap: Snapshot, object_type: str, known: dict, p: duplicates.Pair) -> Found:
    (a, a_title), (b, b_title) = known[p.a], known[p.b]
    model = MODEL[object_type]
    team_a, team_b = snap.team_name(a.team_id), snap.team_name(b.team_id)
    terms = ", ".join(p.terms) if p.terms else "none in particular"
    ties = []
    if p.objectives or p.key_results:
        ties.append("serve the same objectives or key results")
    if p.providers:
        ties.append("depend on the same team")
    if p.people:
        ties.append("share people")
    tied = f"; both {' and '.join(ties)}" if ties else ""
    items = [
        ev(f"{object_type.capitalize()} of {team_a}", a_title, model, a.id),
        ev(f"{object_type.capitalize()} of {team_b}", b_title, model, b.id),
        ev("Similarity of the texts", f"{p.text:.0%}"),
        ev("Score with shared links", f"{p.score:.0%}"),
        ev("Distinctive terms both use", terms),
        ev(f"Team of the first {object_type}", team_a, "org.team", a.team_id),
        ev(f"Team of the second {object_type}", team_b, "org.team", b.team_id),
    ]
    for who, item in (("first", a), ("second", b)):
        if item.owner_id is not None:
            items.append(
                ev(
                    f"Owner of the {who}",
                    snap.person_name(item.owner_id),
                    "org.person",
                    item.owner_id,
                )
            )
    for oid in p.objectives:
        o = snap.objectives.get(oid)
        items.append(ev("Objective both serve", o.title if o else oid, "alignment.objective", oid))
    for kid in p.key_results:
        k = snap.key_results.get(kid)
        items.append(ev("Key result both serve", k.name if k else kid, "alignment.keyresult", kid))
    for tid in p.providers:
        items.append(ev("Team both depend on", snap.team_name(tid), "org.team", tid))
    for pid in p.people:
        items.append(ev("Person in both", snap.person_name(pid), "org.person", pid))
    return Found(
        kind=KIND,
        subject_type=SUBJECT_TYPE,
        subject_id=subject_id(object_type, a.id, b.id),
        subject_label=f"{a_title} / {b_title}"[:300],
        severity="warning" if p.score >= 0.8 else "info",
        title=f"Likely duplicate work: {a_title} ({team_a}) and {b_title} ({team_b})"[:300],
        explanation=(
            f"The {object_type} “{a_title}” of {team_a} and “{b_title}” of {team_b} read "
            f"alike ({p.text:.0%} similar; shared terms: {terms}){tied}."
        ),
        next_step=(
            "Ask both owners whether this is the same work. Mark the pair as not a duplicate, "
            "as related, or say which one replaces the other."
        ),
        team_ids={t for t in (a.team_id, b.team_id) if t is not None},
        owner_id=_common_lead(snap, a.team_id, b.team_id),
        evidence=items,
        numbers={
            "similarity": round(p.text, 3),
            "score": round(p.score, 3),
            "object_type": object_type,
            "a_id": a.id,
            "b_id": b.id,
        },
        initiative_ids={a.id, b.id} if object_type == "initiative" else set(),
    )
