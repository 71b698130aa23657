"""Likely duplicate work: pairs of items (initiatives, objectives) of different teams that
read alike and are tied by the same things.

Text: TF-IDF (scikit-learn) over single words (`WORD_NGRAMS`, English stop words left
out) and over character 4-grams (`CHAR_NGRAMS`, within words, so "migrate" meets
"migration"), the two halves weighted equally and each row normalized, so one sparse
product gives the cosine similarity. Each item's `top_k` nearest neighbours come from
products of a block of rows with the whole matrix (`X[block] @ X.T`), pruned below `floor`
before any row is sorted: no dense all-pairs matrix is ever built, and memory grows with
the block, not the square.

Structure adds to the text score, never replaces it (two teams serving one objective is
ordinary): serving the same objectives or key results, depending on the same provider
team, and sharing people (the same owner, or an owner who is a member of the other team).

Incremental: a `TextIndex` kept per organization and object kind (in the process that
evaluates, e.g. the worker) remembers each item's text hash, the fitted vocabulary, the
matrix and the neighbours. A new run re-scores only the items whose text changed (or that
are new) against everybody, and patches the others' neighbour lists; the vocabulary is
refitted from scratch once the changed share passes `REFIT_SHARE`. Only evaluations of
now keep an index: one of a past date fits its own (the demo's 13 weeks of history once
fed the kept index, and the evaluation of now that followed scored new texts with a past
week's vocabulary, their new words counting for nothing: 71% similar where the worker's
next run, refitting, found 48%).

A cascade is never a pair (`cascade`): an objective and one it contributes to through
any number of links, nor two initiatives joined by a dependency (one asked, the other
delivers: the parts of one programme repeat its name by design).

Pure Python over plain data: the detector (`accord/alignment/detectors.py`) loads the
items in bulk, and `bench/duplicates.py` and the quality tests call `find_pairs` directly.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

# numpy, SciPy and scikit-learn are imported where they are used: together they cost
# seconds, and every process that loads the URLs (each command, worker and server) would
# pay them at start-up though only the duplicates detector and a verdict need them.

# The documented defaults (an organization may change each in its settings).
DEFAULTS = {
    "threshold": 0.4,  # a pair at or above this combined score is a signal
    "top_k": 5,  # neighbours kept per item
    "max_pairs": 200,  # signals kept per object kind, the highest scores first
    "change": 0.5,  # a "not a duplicate" comes back once a text keeps less than this share
}
FLOOR = 0.2  # text similarity below which a neighbour is not even kept
BLOCK = 1000  # rows per sparse product
DF_CAP = 250  # features in more texts than this do not propose candidates (see _top_k)
CANDIDATES = 30  # candidates per row scored exactly
REFIT_SHARE = 0.2  # refit the vocabulary when more than this share of items changed
WORD_WEIGHT = 0.5  # the word half of the text score; the character half is the rest
CHAR_MAX_DF = 0.02  # see _vectorizers
WORD_NGRAMS = (1, 1)
CHAR_NGRAMS = (4, 4)
BONUS = {"objectives": 0.1, "key_results": 0.1, "provider": 0.05, "people": 0.05}


@dataclass(slots=True)
class Item:
    """One initiative or objective as the detector sees it."""

    id: int
    team_id: int | None
    text: str
    owner_id: int | None = None
    objective_ids: frozenset[int] = frozenset()
    key_result_ids: frozenset[int] = frozenset()
    provider_team_ids: frozenset[int] = frozenset()
    member_ids: frozenset[int] = frozenset()  # the members of its team
    # Objectives only: the ones it contributes to directly (`parent_ids`) and through any
    # number of links (`ancestor_ids`, see `ancestors`). A cascade is never a pair: an
    # objective and one it contributes to, or two children of one parent of different
    # teams (a parent's target split by region or segment), repeat words by design.
    parent_ids: frozenset[int] = frozenset()
    ancestor_ids: frozenset[int] = frozenset()
    # Initiatives only: the ones joined to it by a dependency, active or delivered (one
    # requested it, the other delivers it, either way): parts of one programme, whose
    # titles repeat the programme's words by design.
    joined_ids: frozenset[int] = frozenset()


@dataclass
class Pair:
    a: int  # the smaller id
    b: int
    score: float  # text plus structure, capped at 1
    text: float  # cosine similarity of the texts
    terms: list[str] = field(default_factory=list)  # distinctive terms both use
    objectives: list[int] = field(default_factory=list)
    key_results: list[int] = field(default_factory=list)
    providers: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)


# --- text ------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return {w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS}


def fingerprint(text: str, size: int = 32) -> list[int]:
    """A MinHash of the text's words: a short list whose share of equal positions with
    another text's estimates the share of words the two have in common (Jaccard)."""
    tokens = sorted(words(text)) or [""]
    out = []
    for seed in range(size):
        salt = seed.to_bytes(2, "big")
        out.append(
            min(
                int.from_bytes(hashlib.blake2b(t.encode(), digest_size=6, salt=salt).digest())
                for t in tokens
            )
        )
    return out


def resemblance(old: Sequence[int], new: Sequence[int]) -> float:
    """The estimated share of words two fingerprints have in common (0..1)."""
    if not old or len(old) != len(new):
        return 0.0
    return sum(1 for x, y in zip(old, new, strict=True) if x == y) / len(old)


def _text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _vectorizers(n: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The two vectorizers for a corpus of `n` texts. Character n-grams found in more than
    CHAR_MAX_DF texts (at least a few hundred) are left out: they tell little apart and
    would make every block's product nearly dense."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        max_df=max(CHAR_MAX_DF, min(1.0, 300 / max(n, 1))),
        dtype=np.float32,
    )
    return word, char


def _fit(vectorizer: TfidfVectorizer, texts: list[str]):
    """(the fitted vectorizer, the texts' rows); (None, an empty column) when it finds no
    feature at all (e.g. every character n-gram is too common to keep)."""
    import numpy as np
    from scipy import sparse

    try:
        return vectorizer, vectorizer.fit_transform(texts)
    except ValueError:
        return None, sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _apply(vectorizer: TfidfVectorizer | None, texts: list[str]) -> sparse.csr_matrix:
    import numpy as np
    from scipy import sparse

    if vectorizer is None:
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    return vectorizer.transform(texts)


def _combine(xw: sparse.csr_matrix, xc: sparse.csr_matrix) -> sparse.csr_matrix:
    import numpy as np
    from scipy import sparse
    from sklearn.preprocessing import normalize

    x = sparse.hstack([xw * np.sqrt(WORD_WEIGHT), xc * np.sqrt(1 - WORD_WEIGHT)], format="csr")
    return normalize(x, copy=False).astype(np.float32)


def _top_k(
    rows: sparse.csr_matrix, x: sparse.csr_matrix, row_ids: np.ndarray, k: int
) -> list[list[tuple[int, float]]]:
    """For each row of `rows` (whose own indices in `x` are `row_ids`), its `k` most
    similar rows of `x` at or above FLOOR, best first, itself left out. In blocks.

    Candidates come from the product over the features at most DF_CAP texts have (the
    common ones make the product nearly dense and tell little apart); the CANDIDATES best
    of them per row are then scored exactly, over all features."""
    import numpy as np
    from scipy import sparse

    out: list[list[tuple[int, float]]] = []
    df = np.bincount(x.indices, minlength=x.shape[1])
    mask = sparse.diags((df <= DF_CAP).astype(np.float32))
    xt = (x @ mask).T.tocsr()
    xt.eliminate_zeros()
    m = max(k, CANDIDATES)
    for start in range(0, rows.shape[0], BLOCK):
        block = rows[start : start + BLOCK]
        s = ((block @ mask) @ xt).tocsr()
        s.data[s.data < FLOOR / 2] = 0
        s.eliminate_zeros()
        indptr, indices, data = s.indptr, s.indices, s.data
        pairs_r: list[np.ndarray] = []
        pairs_c: list[np.ndarray] = []
        for r in range(s.shape[0]):
            lo, hi = indptr[r], indptr[r + 1]
            cols, vals = indices[lo:hi], data[lo:hi]
            keep = cols != row_ids[start + r]
            cols, vals = cols[keep], vals[keep]
            if len(vals) > m:
                cols = cols[np.argpartition(-vals, m)[:m]]
            pairs_r.append(np.full(len(cols), r, dtype=np.int64))
            pairs_c.append(cols.astype(np.int64))
        rr = np.concatenate(pairs_r) if pairs_r else np.zeros(0, dtype=np.int64)
        cc = np.concatenate(pairs_c) if pairs_c else np.zeros(0, dtype=np.int64)
        exact = (
            np.asarray(block[rr].multiply(x[cc]).sum(axis=1)).ravel()
            if len(rr)
            else np.zeros(0, dtype=np.float32)
        )
        bounds = np.searchsorted(rr, np.arange(block.shape[0] + 1))
        for r in range(block.shape[0]):
            lo, hi = bounds[r], bounds[r + 1]
            cols, vals = cc[lo:hi], exact[lo:hi]
            good = vals >= FLOOR
            cols, vals = cols[good], vals[good]
            order = np.argsort(-vals, kind="stable")[:k]
            out.append([(int(cols[i]), float(vals[i])) for i in order])
    return out


class TextIndex:
    """Texts by id, their TF-IDF rows and each one's nearest neighbours (by position)."""

    def __init__(self, k: int):
        self.k = k
        self.ids: list[int] = []
        self.pos: dict[int, int] = {}
        self.hashes: dict[int, bytes] = {}
        self.word: TfidfVectorizer | None = None
        self.char: TfidfVectorizer | None = None
        self.x: sparse.csr_matrix | None = None
        self.neighbours: dict[int, list[tuple[int, float]]] = {}  # id -> [(id, sim)]
        self.rescored = 0  # items scored by the last update (all of them on a refit)
        self._names: np.ndarray | None = None

    def _transform(self, texts: list[str]) -> sparse.csr_matrix:
        return _combine(_apply(self.word, texts), _apply(self.char, texts))

    def _twins(self, ids: Iterable[int]) -> dict[int, list[int]]:
        """For each of `ids`, up to 2k other items whose text is exactly the same (whatever
        their words' frequency: identical texts are found even where every word is common)."""
        groups: dict[bytes, list[int]] = {}
        for iid in self.ids:
            groups.setdefault(self.hashes[iid], []).append(iid)
        out = {}
        for iid in ids:
            group = groups.get(self.hashes[iid], [])
            if len(group) > 1:
                n = group.index(iid)
                ring = group[n + 1 :] + group[:n]
                out[iid] = ring[: self.k * 2]
        return out

    def _add_twins(self, ids: Iterable[int]) -> None:
        for iid, twins in self._twins(ids).items():
            for other in twins:
                for a, b in ((iid, other), (other, iid)):
                    row = [(o, s) for o, s in self.neighbours.get(a, []) if o != b]
                    self.neighbours[a] = [(b, 1.0), *row][: self.k * 2]

    def refit(self, items: Sequence[Item]) -> None:
        import numpy as np

        self.ids = [i.id for i in items]
        self.pos = {i: n for n, i in enumerate(self.ids)}
        self.hashes = {i.id: _text_hash(i.text) for i in items}
        texts = [i.text for i in items]
        self.word, self.char = _vectorizers(len(texts))
        self._names = None
        self.word, xw = _fit(self.word, texts)
        self.char, xc = _fit(self.char, texts)
        self.x = _combine(xw, xc)
        near = _top_k(self.x, self.x, np.arange(len(self.ids)), self.k * 2)
        self.neighbours = {
            self.ids[r]: [(self.ids[c], s) for c, s in row] for r, row in enumerate(near)
        }
        self._add_twins(self.ids)
        self.rescored = len(self.ids)

    def update(self, items: Sequence[Item]) -> None:
        """Bring the index to `items`, re-scoring only what changed when it can."""
        import numpy as np
        from scipy import sparse

        if self.x is None or not items:
            self.refit(items)
            return
        now = {i.id: i for i in items}
        changed = [i for i in items if self.hashes.get(i.id) != _text_hash(i.text)]
        removed = set(self.pos) - set(now)
        if not changed and not removed:
            self.rescored = 0
            return
        if len(changed) + len(removed) > REFIT_SHARE * len(items):
            self.refit(items)
            return
        # Rows of the unchanged items stay; the changed ones are transformed anew with the
        # vocabulary as fitted (new words count for nothing until the next refit).
        stale = removed | {i.id for i in changed}
        kept = [i for i in self.ids if i not in stale]
        rows = [self.pos[i] for i in kept]
        new_rows = (
            self._transform([i.text for i in changed])
            if changed
            else sparse.csr_matrix((0, self.x.shape[1]), dtype=np.float32)
        )
        self.x = sparse.vstack([self.x[rows], new_rows], format="csr")
        self.ids = kept + [i.id for i in changed]
        self.pos = {i: n for n, i in enumerate(self.ids)}
        for i in removed:
            self.hashes.pop(i, None)
        for i in changed:
            self.hashes[i.id] = _text_hash(i.text)
        start = len(kept)
        near = _top_k(new_rows, self.x, np.arange(start, len(self.ids)), self.k * 2)
        fresh = {
            self.ids[start + r]: [(self.ids[c], s) for c, s in row] for r, row in enumerate(near)
        }
        # The others lose neighbours that are gone or changed, and gain the changed ones
        # that are now near them (similarity is symmetric).
        gained: dict[int, list[tuple[int, float]]] = {}
        for cid, row in fresh.items():
            for other, sim in row:
                if other not in fresh:
                    gained.setdefault(other, []).append((cid, sim))
        for iid in kept:
            row = self.neighbours.get(iid, [])
            if stale & {o for o, _ in row} or iid in gained:
                row = [(o, s) for o, s in row if o not in stale] + gained.get(iid, [])
                row.sort(key=lambda p: -p[1])
                self.neighbours[iid] = row[: self.k * 2]
        for i in removed:
            self.neighbours.pop(i, None)
        self.neighbours.update(fresh)
        self._add_twins(fresh)
        self.rescored = len(changed)

    def shared_terms(self, a: int, b: int, limit: int = 5) -> list[str]:
        """The words both texts use (single words, as `WORD_NGRAMS`), most distinctive
        (highest inverse document frequency) first."""
        import numpy as np

        if self.word is None or self.x is None:
            return []
        n_word = len(self.word.vocabulary_)
        ra, rb = self.x[self.pos[a]], self.x[self.pos[b]]
        common = np.intersect1d(ra.indices[ra.indices < n_word], rb.indices[rb.indices < n_word])
        if not len(common):
            return []
        idf = self.word.idf_[common]
        if self._names is None:
            self._names = self.word.get_feature_names_out()
        names = self._names
        order = np.argsort(-idf, kind="stable")
        return [str(names[common[i]]) for i in order[:limit]]


_INDEXES: dict[tuple, TextIndex] = {}
_LOCK = threading.Lock()


def index_for(key: tuple | None, items: Sequence[Item], k: int) -> TextIndex:
    """The index of `key` (e.g. (org id, "initiative")) brought up to date with `items`;
    a fresh one when there is no key."""
    if key is None:
        index = TextIndex(k)
        index.refit(items)
        return index
    with _LOCK:
        index = _INDEXES.get(key)
        if index is None or index.k != k:
            index = _INDEXES[key] = TextIndex(k)
        index.update(items)
        return index


def kept(key: tuple) -> TextIndex | None:
    """The index kept for `key`, as the last run left it."""
    return _INDEXES.get(key)


def forget(key: tuple | None = None) -> None:
    """Drop the kept index of `key`, or all of them."""
    with _LOCK:
        if key is None:
            _INDEXES.clear()
        else:
            _INDEXES.pop(key, None)


# --- pairs -----------------------------------------------------------------------------


def ancestors(parents: Mapping[int, Iterable[int]], ids: Iterable[int]) -> dict[int, frozenset]:
    """For each of `ids`, every id it reaches through `parents` (child -> its parents),
    walked once over plain data (as `accord.alignment.queries.objective_ancestors` walks
    one objective's links, here for all of them and without a query); cycles end."""
    out: dict[int, frozenset] = {}
    for oid in ids:
        seen: set[int] = set()
        stack = list(parents.get(oid, ()))
        while stack:
            p = stack.pop()
            if p in seen or p == oid:
                continue
            seen.add(p)
            stack.extend(parents.get(p, ()))
        out[oid] = frozenset(seen)
    return out


def cascade(a: Item, b: Item) -> bool:
    """Whether one contributes to the other (at any depth), or one delivers what the other
    asked for (`joined_ids`): a cascade repeats its parent's words, the parts of one
    programme its name, and neither is duplicate work. Two teams' objectives under one
    parent still pair: two teams doing the same work for one objective is what the
    detector is for (a target split by region reads alike too, and is left to be
    dismissed)."""
    return (
        a.id in b.ancestor_ids
        or b.id in a.ancestor_ids
        or a.id in b.joined_ids
        or b.id in a.joined_ids
    )


def _structure(a: Item, b: Item, pair: Pair) -> float:
    pair.objectives = sorted(a.objective_ids & b.objective_ids)
    pair.key_results = sorted(a.key_result_ids & b.key_result_ids)
    pair.providers = sorted(a.provider_team_ids & b.provider_team_ids)
    people = set()
    if a.owner_id is not None and a.owner_id == b.owner_id:
        people.add(a.owner_id)
    if a.owner_id is not None and a.owner_id in b.member_ids:
        people.add(a.owner_id)
    if b.owner_id is not None and b.owner_id in a.member_ids:
        people.add(b.owner_id)
    pair.people = sorted(people)
    bonus = 0.0
    bonus += BONUS["objectives"] if pair.objectives else 0.0
    bonus += BONUS["key_results"] if pair.key_results else 0.0
    bonus += BONUS["provider"] if pair.providers else 0.0
    bonus += BONUS["people"] if pair.people else 0.0
    return bonus


def find_pairs(
    items: Iterable[Item],
    *,
    threshold: float = DEFAULTS["threshold"],
    top_k: int = DEFAULTS["top_k"],
    key: tuple | None = None,
    skip: Callable[[int, int], bool] | None = None,
    limit: int | None = None,
) -> list[Pair]:
    """Pairs of items of different teams among each other's `top_k` nearest texts whose
    combined score reaches `threshold`, highest first, at most `limit`. Each pair once
    (a < b); a cascade (`cascade`) is never one, and `skip(a, b)` leaves a pair out."""
    items = [i for i in items if i.text.strip()]
    if len(items) < 2:
        return []
    by_id = {i.id: i for i in items}
    index = index_for(key, items, top_k)
    seen: dict[tuple[int, int], Pair] = {}
    for iid, row in index.neighbours.items():
        a = by_id.get(iid)
        if a is None:
            continue
        taken = 0
        for other, sim in row:
            if taken >= top_k:
                break
            b = by_id.get(other)
            if b is None or b.team_id == a.team_id or cascade(a, b):
                continue
            taken += 1
            pk = (min(iid, other), max(iid, other))
            if pk in seen or (skip is not None and skip(*pk)):
                continue
            first, second = by_id[pk[0]], by_id[pk[1]]
            pair = Pair(a=pk[0], b=pk[1], score=0.0, text=round(min(sim, 1.0), 4))
            pair.score = round(min(1.0, pair.text + _structure(first, second, pair)), 4)
            if pair.score >= threshold:
                seen[pk] = pair
    pairs = sorted(seen.values(), key=lambda p: (-p.score, p.a, p.b))[:limit]
    for p in pairs:
        p.terms = index.shared_terms(p.a, p.b)
    return pairs


def neighbours(
    items: Iterable[Item], *, top_k: int = DEFAULTS["top_k"], key: tuple | None = None
) -> dict[int, list[tuple[int, float]]]:
    """Each item's `top_k` nearest items of other teams by combined score, best first
    (for measuring recall among the top k)."""
    items = [i for i in items if i.text.strip()]
    by_id = {i.id: i for i in items}
    index = index_for(key, items, top_k)
    out: dict[int, list[tuple[int, float]]] = {}
    for iid, row in index.neighbours.items():
        a = by_id[iid]
        scored = []
        for other, sim in row:
            b = by_id.get(other)
            if b is None or b.team_id == a.team_id or cascade(a, b):
                continue
            p = Pair(a=iid, b=other, score=0.0, text=sim)
            scored.append((other, min(1.0, sim + _structure(a, b, p))))
        scored.sort(key=lambda s: -s[1])
        out[iid] = scored[:top_k]
    return out


@dataclass
class Quality:
    pairs: int  # known related pairs
    found: int  # pairs found at the threshold
    hits: int  # found pairs that are known
    precision: float
    recall: float
    recall_top: float  # known pairs whose one side is among the other's top k


def measure(
    items: Sequence[Item],
    known: Iterable[tuple[int, int]],
    *,
    threshold: float = DEFAULTS["threshold"],
    top_k: int = DEFAULTS["top_k"],
) -> Quality:
    """Precision and recall of `find_pairs` at `threshold` against `known` pairs, and the
    recall among each item's `top_k` nearest (the figures in bench/README.md)."""
    truth = {(min(a, b), max(a, b)) for a, b in known}
    found = {(p.a, p.b) for p in find_pairs(items, threshold=threshold, top_k=top_k)}
    near = neighbours(items, top_k=top_k)
    top = sum(
        1
        for a, b in truth
        if b in {o for o, _ in near.get(a, [])} or a in {o for o, _ in near.get(b, [])}
    )
    hits = len(found & truth)
    return Quality(
        pairs=len(truth),
        found=len(found),
        hits=hits,
        precision=hits / len(found) if found else 1.0,
        recall=hits / len(truth) if truth else 1.0,
        recall_top=top / len(truth) if truth else 1.0,
    )
