"""Two people edit one membership from pages opened at the same version: the second save
is refused, saying what the first changed, instead of silently undoing it."""

from __future__ import annotations

import html as htmllib
import re

from accord.org.models import Membership
from tests.conftest import login


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_a_stale_membership_save_is_refused_and_a_second_save_keeps_both(cast):
    m = Membership.objects.get(person=cast.member, team=cast.platform)
    url = f"/o/acme/memberships/{m.pk}/"
    maya, jonas = login(cast.admin), login(cast.leader)
    seen = _version(maya.get(url).content.decode())
    assert _version(jonas.get(url).content.decode()) == seen
    form = {"role": "member", "allocation": "50", "started_on": "", "version": seen}
    if m.started_on:
        form["started_on"] = m.started_on.isoformat()
    assert maya.post(url, {**form, "role": "co-lead"}).status_code == 302
    refused = jonas.post(url, {**form, "allocation": "40"})
    assert refused.status_code == 200  # not saved: the form again
    page = htmllib.unescape(refused.content.decode())
    assert "This membership was changed by someone else since you opened this form." in page
    assert "Role is now “co-lead” (changed by Ada Admin at" in page
    assert "the form shows it now" in page and 'value="40"' in page
    m.refresh_from_db()
    assert (m.role, m.allocation) == ("co-lead", 50)
    # Sent again as the refusal shows it (the role taken in, the allocation as typed).
    again = {**form, "role": "co-lead", "allocation": "40", "version": _version(page)}
    assert jonas.post(url, again).status_code == 302
    m.refresh_from_db()
    assert (m.role, m.allocation) == ("co-lead", 40)
