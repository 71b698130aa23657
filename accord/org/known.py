"""What a writer of many objects knows of one organization, so each write spares a query.

Applying an organization file adds hundreds of people and memberships through the
services, one at a time. Each of them looks for things that are usually not there: an
open position the new member fills, another person's extra address equal to a new
person's e-mail. Within `remembering(org)` the services ask this module first: it loads
the organization's open positions and whether anyone has an extra address once per
transaction, and the services add what they create to it. What it holds is never less
than what the database holds (a refused write's additions stay, which only costs a
query), so a service skips a lookup only when the lookup would find nothing. `forget()`
after a commit makes the next transaction load it again (another writer may have changed
the organization in between). Outside the block every service looks in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from accord.org.models import IdentityKind, Organization, PersonIdentity, TeamVacancy


class Known:
    def __init__(self, org_id: int):
        self.org_id = org_id
        self._vacancies: set[tuple[int, str]] | None = None
        self._extra_emails: bool | None = None

    def may_have_vacancy(self, team_id: int, role: str) -> bool:
        if self._vacancies is None:
            self._vacancies = set(
                TeamVacancy.objects.filter(org_id=self.org_id)
                .order_by()
                .values_list("team_id", "role")
            )
        return (team_id, role) in self._vacancies

    def may_have_extra_emails(self) -> bool:
        if self._extra_emails is None:
            self._extra_emails = PersonIdentity.objects.filter(
                org_id=self.org_id, kind=IdentityKind.EMAIL
            ).exists()
        return self._extra_emails

    def vacancy_opened(self, team_id: int, role: str) -> None:
        if self._vacancies is not None:
            self._vacancies.add((team_id, role))

    def extra_email_added(self) -> None:
        self._extra_emails = True


def of(org: Organization) -> Known | None:
    """What the run in progress knows of `org`, or None (then look in the database)."""
    known = getattr(transaction.get_connection(), "_accord_org_known", None)
    return known if known is not None and known.org_id == org.pk else None


@contextmanager
def remembering(org: Organization) -> Iterator[None]:
    conn = transaction.get_connection()
    if getattr(conn, "_accord_org_known", None) is not None:
        yield  # nested: the outer block knows
        return
    conn._accord_org_known = Known(org.pk)
    try:
        yield
    finally:
        conn._accord_org_known = None


def forget() -> None:
    """Load again, in the next transaction, what the block knows (call before a commit)."""
    conn = transaction.get_connection()
    known = getattr(conn, "_accord_org_known", None)
    if known is not None:
        conn._accord_org_known = Known(known.org_id)
