"""A write its person has just made already (Back, then submit again; a second click): the
forms of new issues, decisions, action items, comments and key-result values find the same
one made by the same person within WINDOW and ask before making it twice (a second request
for the same thing is asked about in `coordination.forms`, whenever it was made)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

WINDOW = dt.timedelta(minutes=10)


def since() -> dt.datetime:
    """The moment from which the same write by the same person is taken for a second click."""
    return timezone.now() - WINDOW
