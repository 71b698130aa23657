"""Three-way merge of lines: two people's notes of one meeting section, each written on top
of the text their box was loaded from, joined so that nobody's lines are lost."""

from __future__ import annotations

from difflib import SequenceMatcher


def lines(text: str) -> list[str]:
    """`text` as lines, whatever line endings a browser sent (a textarea posts CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else []


def _changes(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """What `other` changed in `base`: (start, end, lines) replacing base[start:end]."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _union(first: list[str], second: list[str]) -> list[str]:
    """`first` and `second` as one list: the lines they share once, where they differ
    `first`'s lines then `second`'s."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, first, second, autojunk=False).get_opcodes():
        out += first[i1:i2]
        if tag != "equal":
            out += second[j1:j2]
    return out


def _apply(base: list[str], lo: int, hi: int, changes) -> list[str]:
    """base[lo:hi] with `changes` (all within it) made."""
    out, at = [], lo
    for start, end, new in changes:
        out += base[at:start] + new
        at = end
    return out + base[at:hi]


def _kept(base: list[str], lo: int, hi: int, changes) -> list[tuple[str, int | None]]:
    """base[lo:hi] with `changes` made, each line with the index of the base line it is
    (None for a line the changes wrote)."""
    out: list[tuple[str, int | None]] = []
    at = lo
    for start, end, new in changes:
        out += [(base[k], k) for k in range(at, start)] + [(line, None) for line in new]
        at = end
    return out + [(base[k], k) for k in range(at, hi)]


def merge3(base: str, mine: str, theirs: str) -> str:
    """`mine` and `theirs`, both edited from `base`, as one text. Changes to different lines
    are both made; where both changed the same lines (or added lines at the same place,
    as two people adding notes at the end do) their lines are kept, `theirs` first."""
    b, m, t = lines(base), lines(mine), lines(theirs)
    if m in (t, b):
        return "\n".join(t)
    if t == b:
        return "\n".join(m)
    changes = sorted(
        [(s, e, new, "theirs") for s, e, new in _changes(b, t)]
        + [(s, e, new, "mine") for s, e, new in _changes(b, m)],
        key=lambda c: (c[0], c[1]),
    )
    out: list[str] = []
    at, i = 0, 0
    while i < len(changes):
        # A group: changes overlapping (or starting at the same line as) the first one.
        lo, hi = changes[i][0], changes[i][1]
        j = i + 1
        while j < len(changes) and (changes[j][0] < hi or changes[j][0] == lo):
            hi = max(hi, changes[j][1])
            j += 1
        group = changes[i:j]
        out += b[at:lo]
        sides = {c[3] for c in group}
        if len(sides) == 1:
            out += _apply(b, lo, hi, [c[:3] for c in group])
        else:
            their = _kept(b, lo, hi, [c[:3] for c in group if c[3] == "theirs"])
            my = _kept(b, lo, hi, [c[:3] for c in group if c[3] == "mine"])
            # A line of the base one side replaced or removed, and the other left as it
            # was, is gone: it must not come back beside the line that replaced it.
            their_base = {i for _, i in their if i is not None}
            my_base = {i for _, i in my if i is not None}
            out += _union(
                [line for line, i in their if i is None or i in my_base],
                [line for line, i in my if i is None or i in their_base],
            )
        at, i = hi, j
    out += b[at:]
    return "\n".join(out)
