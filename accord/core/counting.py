"""Counts a page can afford.

A page near the top of a large organization would count hundreds of thousands of rows on
every view. It either reads at most `limit + 1` of them and says "1,000+" (`count_up_to`,
`shown_count`: a list's own count), or shows the organization's headline numbers as
figures (`figures`): exact while small, and beyond counted whole once a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import Count, QuerySet

COUNT_UP_TO = 1000

# A page's headline figures (how many teams, people, objectives...) are exact on every view
# up to FIGURES_EXACT, so a new row shows at once; beyond, they are counted whole at most
# once a minute, in the shared cache: a large organization's count a minute old reads the
# same, and counting 100,000 rows on every view of a page is what costs.
FIGURES_EXACT = 5000
FIGURES_SECONDS = 60


def count_up_to(qs: QuerySet, limit: int = COUNT_UP_TO) -> int:
    """How many rows `qs` has, reading at most limit + 1 of them (limit + 1 means more)."""
    return qs.order_by()[: limit + 1].count()


def first_rows(qs: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of `qs` in its order, and how many it has (`count_up_to`,
    counted only when there are more than `limit`): a panel's rows and its "All N" link."""
    rows = list(qs[: limit + 1])
    total = count_up_to(qs) if len(rows) > limit else len(rows)
    return rows[:limit], total


def shown_count(n: int, limit: int = COUNT_UP_TO) -> str:
    """A count from `count_up_to`, as a page shows it: 12, 1,000, or 1,000+."""
    return f"{limit:,}+" if n > limit else f"{n:,}"


def kept_while_large(key: str, count: Callable[[], dict], limit: int | None = None) -> dict:
    """The figures `count()` gives (name -> a number, or other values beside them), kept
    FIGURES_SECONDS in the shared cache under `key` once one of them passes `limit`
    (FIGURES_EXACT by default): exact while small, so a new row shows at once; beyond, a
    count a minute old reads the same."""
    limit = FIGURES_EXACT if limit is None else limit
    counted = cache.get(key)
    if counted is None:
        counted = count()
        if max((v for v in counted.values() if isinstance(v, int)), default=0) > limit:
            cache.set(key, counted, FIGURES_SECONDS)
    return counted


def figures(key: str, counts: dict[str, QuerySet]) -> dict[str, int]:
    """name -> how many rows each queryset of `counts` has, as a page's figures (see
    FIGURES_EXACT); `key` names them in the cache, so it says whose they are."""

    def count() -> dict[str, int]:
        counted = {name: count_up_to(qs, FIGURES_EXACT) for name, qs in counts.items()}
        return {  # those past the limit counted whole
            name: qs.count() if counted[name] > FIGURES_EXACT else counted[name]
            for name, qs in counts.items()
        }

    return kept_while_large(key, count)


def grouped_figures(key: str, qs: QuerySet, field: str, values: Iterable[str]) -> dict[str, int]:
    """`figures` of `qs` by the value of `field` (one figure per value of `values`), read
    in one grouped count: for rows costly to find (a subtree's), which one count per value
    would find again each time. Kept a minute as `figures` are once one passes
    FIGURES_EXACT."""

    def count() -> dict[str, int]:
        rows = dict(
            qs.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
        )
        return {v: rows.get(v, 0) for v in values}

    return kept_while_large(key, count)
