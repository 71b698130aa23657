"""Home's department figures count up to a limit ("200+"); what the rows leave out of such a
figure is that figure less the rows shown, never the one more the count read."""

from __future__ import annotations

from accord.coordination import queries
from accord.coordination.panels import _more


def test_more_of_a_figure_past_the_count_is_the_figure_less_those_shown():
    cap = queries.SCOPE_COUNTED
    past = cap + 1  # what `count_up_to` returns past the limit: shown as "200+"
    # None shown beside "200+ at risk": "200+ more at risk", not "201+".
    assert _more(past, 0, cap) == (past, f"{cap:,}+")
    # Three shown: more than 197 left.
    assert _more(past, 3, cap) == (past - 3, f"{cap - 3:,}+")
    # Exact figures stay exact.
    assert _more(12, 3, cap) == (9, "9")
    assert _more(past, 3, None) == (past - 3, f"{past - 3:,}")
    assert _more(2, 3, cap) == (0, "0")
