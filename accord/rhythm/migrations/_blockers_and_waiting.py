"""Shared by the data migrations that split an agenda's cross-team section (0010, 0011):
a section that listed every new or late dependency on either side of the team as its
"Blockers" now reads what blocks the team (source `blockers`), and is followed by "Waiting
on us" (source `requests`): what other teams asked of it. Only agendas still as their
template wrote them (keys, titles and sources; minutes as they are) move; one changed by
hand is left as it is. (Not a migration itself: the loader skips names starting with _.)"""

from __future__ import annotations

import json

# "Waiting on us" takes no minutes of its own: the meeting keeps its length.
WAITING = {"key": "waiting", "title": "Waiting on us", "source": "requests", "minutes": 0}

BATCH = 500  # cadences updated at a time


def is_agenda(agenda, old: list[tuple[str, str, str]]) -> bool:
    """Whether `agenda` is `old`'s sections, each (key, title, source), in order."""
    if not isinstance(agenda, list) or len(agenda) != len(old):
        return False
    return all(
        isinstance(s, dict) and (s.get("key"), s.get("title"), s.get("source")) == section
        for s, section in zip(agenda, old, strict=True)
    )


def split(agenda: list[dict]) -> list[dict]:
    """`agenda` with its "blockers" section read from `blockers`, "Waiting on us" after it."""
    out: list[dict] = []
    for s in agenda:
        if s.get("key") == "blockers":
            out += [{**s, "source": "blockers"}, WAITING]
        else:
            out.append(s)
    return out


def split_blockers(apps, kind: str, old: list[tuple[str, str, str]]) -> None:
    """Split the cadences of `kind` whose agenda is still `old` (`is_agenda`): a query per
    distinct new agenda and BATCH cadences, not one per cadence (an organization of 10,000
    teams has as many check-ins)."""
    Cadence = apps.get_model("rhythm", "Cadence")
    moved: dict[str, list[int]] = {}
    for pk, agenda in Cadence.objects.filter(kind=kind).values_list("pk", "agenda").iterator():
        if is_agenda(agenda, old):
            moved.setdefault(json.dumps(split(agenda)), []).append(pk)
    for agenda, pks in moved.items():
        for n in range(0, len(pks), BATCH):
            Cadence.objects.filter(pk__in=pks[n : n + BATCH]).update(agenda=json.loads(agenda))
