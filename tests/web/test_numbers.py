"""Counts in sentences written in Python read as the pages' numbers do."""

from __future__ import annotations

import pytest

from accord.web.templatetags.numbers import counted


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((1, "day"), "1 day"),
        ((0, "day"), "0 days"),
        ((3, "day"), "3 days"),
        ((1200, "person", "people"), "1,200 people"),
        ((1, "person", "people"), "1 person"),
    ],
)
def test_a_count_takes_its_word_in_the_singular_or_the_plural(args, said):
    assert counted(*args) == said
