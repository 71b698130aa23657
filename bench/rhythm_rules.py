"""How long the recurrence engine takes to refuse bad rules and to expand good ones.

Refusals: each rule the hardening found costly (impossible month/day combinations that
dateutil would search until year 9999), plus rules only the bounded first-occurrence
search can refuse. Expansions: a month of occurrences of a cadence that started in 1900,
asked near 2026 and near 2999 (the cost follows the window, not the years since the
start), and the worst stored rule a page can meet.

Run: .venv/bin/python bench/rhythm_rules.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

import django

django.setup()

from dateutil import rrule as du  # noqa: E402

from accord.core.errors import ServiceError  # noqa: E402
from accord.rhythm import recurrence  # noqa: E402

START = dt.datetime(2026, 1, 5, 9)
REFUSED = [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
    "FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO",
]


def best_of(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        recurrence._checked.cache_clear()
        recurrence.schedule_problem.cache_clear()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def refuse(rule: str) -> None:
    try:
        recurrence.parse_rule(rule, START)
    except ServiceError:
        return
    raise AssertionError(f"{rule} was accepted")


def main() -> None:
    print("| rule | refused in | dateutil alone |")
    print("|---|---:|---:|")
    for rule in REFUSED:
        ours = best_of(lambda rule=rule: refuse(rule))
        plain = "hangs" if "INTERVAL=0" in rule else None
        if plain is None:
            t = time.perf_counter()
            du.rrulestr(rule, dtstart=START).after(START, inc=True)
            plain = f"{(time.perf_counter() - t) * 1000:.0f} ms"
        print(f"| `{rule}` | {ours * 1000:.1f} ms | {plain} |")
    print()
    print("| expansion (one month, Europe/Berlin, cadence started 1900-01-01) | time |")
    print("|---|---:|")
    for rule in ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1FR"):
        s = recurrence.Schedule(rule, dt.date(1900, 1, 1), dt.time(9), "Europe/Berlin")
        for year in (2026, 2999):
            lo = dt.datetime(year, 11, 1, tzinfo=dt.UTC)
            took = best_of(
                lambda s=s, lo=lo: recurrence.occurrences(s, lo, lo + dt.timedelta(days=30))
            )
            print(f"| `{rule}` in {year} | {took * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
