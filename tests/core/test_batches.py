"""A background job's batches: at most `size` items each, and closed early once one has
written for its time, so a slow item or a busy machine makes batches smaller rather than
transactions longer."""

from __future__ import annotations

import time

from accord.core.batches import in_batches


def test_batches_are_cut_by_count_and_by_time():
    assert [list(b) for b in in_batches(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [list(b) for b in in_batches([], 3)] == []

    def written(seconds: float) -> list[list[int]]:
        out = []
        for batch in in_batches(list(range(5)), 100, seconds=seconds):
            out.append([])
            for item in batch:
                time.sleep(0.03)  # each item takes a while to write
                out[-1].append(item)
        return out

    assert written(0.05) == [[0, 1], [2, 3], [4]]  # two items pass 0.05 s
    assert written(10) == [[0, 1, 2, 3, 4]]
