"""The organization's own detectors in the intelligence catalogue (found by
`registry.discover`).

"Work owned by someone who left": a deactivated person still owns open work (action
items, objectives of a live period and their key results, initiatives, cadences that run),
which nobody now answers for until it is handed on (`leaving.hand_over`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from accord.intelligence.registry import Found, detector
from accord.intelligence.registry import evidence as ev
from accord.intelligence.snapshot import Snapshot
from accord.web.templatetags.numbers import counted

KIND = "org.owner_left"
OPEN_OBJECTIVE = ("draft", "active")
OPEN_INITIATIVE = ("proposed", "active", "paused")
SHOWN = 5  # items named in the evidence


@detector(
    KIND,
    title="Work owned by someone who left",
    dimension="decisions",
    defaults={"min_items": 1},
)
def owner_left(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """Someone deactivated still owns open work: open action items, open objectives of a
    period under way and their key results, open initiatives, cadences that run. One
    signal a person, listing what they own; the owner is the lead of the team most of it
    belongs to (or the nearest lead above), who hands it on."""
    live = {p.id for p in snap.periods.values() if p.live(snap)}
    open_objs = {
        o.id: o
        for o in snap.objectives.values()
        if o.status in OPEN_OBJECTIVE and o.period_id in live
    }
    # person -> [(label, type, id, name, team id)]
    owned: dict[int, list[tuple[str, str, int, str, int | None]]] = {}

    def add(person_id, label, kind, pk, name, team_id) -> None:
        person = snap.people.get(person_id) if person_id is not None else None
        if person is not None and not person.is_active:
            owned.setdefault(person_id, []).append((label, kind, pk, name, team_id))

    for a in snap.action_items.values():
        if a.status == "open":
            add(a.owner_id, "Action item", "decisions.actionitem", a.id, a.title, a.team_id)
    for o in open_objs.values():
        add(o.owner_id, "Objective", "alignment.objective", o.id, o.title, o.team_id)
    for k in snap.key_results.values():
        o = open_objs.get(k.objective_id)
        if o is not None and k.owner_id != o.owner_id:  # its objective's owner: counted there
            add(k.owner_id, "Key result", "alignment.keyresult", k.id, k.name, o.team_id)
    for i in snap.initiatives.values():
        if i.status in OPEN_INITIATIVE:
            add(i.owner_id, "Initiative", "alignment.initiative", i.id, i.title, i.team_id)
    for c in snap.cadences.values():
        team_id = min(c.team_ids) if len(c.team_ids) == 1 else None
        add(c.owner_id, "Cadence", "rhythm.cadence", c.id, c.name, team_id)

    for person_id, items in sorted(owned.items()):
        if len(items) < int(cfg["min_items"]):
            continue
        person = snap.people[person_id]
        kinds = Counter(label for label, *_ in items)
        teams = Counter(t for *_, t in items if t is not None and t in snap.teams)
        main = teams.most_common(1)[0][0] if teams else None
        what = ", ".join(counted(n, label.lower()) for label, n in kinds.items())
        yield Found(
            kind=KIND,
            subject_type="org.person",
            subject_id=str(person_id),
            subject_label=person.name,
            severity="warning",
            title=f"{person.name} left and still owns {counted(len(items), 'open item')}",
            explanation=(
                f"{person.name} is deactivated but still owns {what}: nobody answers for "
                "them until they are handed on."
            ),
            next_step=f"Hand on {person.name}'s work from their page (Hand on their work).",
            team_ids=set(teams),
            owner_id=snap.lead_of(main),
            evidence=[ev("Person who left", person.name, "org.person", person_id)]
            + [ev(label, name, kind, pk) for label, kind, pk, name, _ in items[:SHOWN]],
            numbers={"items": len(items), **{k.lower(): n for k, n in kinds.items()}},
        )
