"""Counts a page can afford: rows read up to a limit, shown with "+" beyond it.

A page near the top of a large organization would count hundreds of thousands of rows
to say "1,234 overdue"; it reads at most `limit + 1` instead and says "1,000+".
"""

from __future__ import annotations

from django.db.models import QuerySet

COUNT_UP_TO = 1000


def count_up_to(qs: QuerySet, limit: int = COUNT_UP_TO) -> int:
    """How many rows `qs` has, reading at most limit + 1 of them (limit + 1 means more)."""
    return qs.order_by()[: limit + 1].count()


def shown_count(n: int, limit: int = COUNT_UP_TO) -> str:
    """A count from `count_up_to`, as a page shows it: 12, 1,000, or 1,000+."""
    return f"{limit:,}+" if n > limit else f"{n:,}"
