"""An objective with two parents is shown in full once, under its first parent; under the
other it names and links that parent."""

from __future__ import annotations

from accord.alignment import services as s
from tests.conftest import login


def test_a_second_showing_names_where_the_objective_is_shown_in_full(cast, plan):
    second = s.create_objective(cast.org, None, title="Another aim", period=plan.q1, level="org")
    s.create_objective(
        cast.org,
        None,
        title="Shared platform work",
        period=plan.q1,
        team=cast.platform,
        parents=[plan.company, second],
    )
    page = login(cast.member).get("/o/acme/alignment/").content.decode()
    repeated = page.split('<div class="repeated">')[1].split("</div>")[0]
    assert "Shared platform work" in repeated
    company = f'<a href="/o/acme/alignment/objectives/{plan.company.pk}/">Grow revenue</a>'
    assert f"shown in full under {company}" in repeated
    assert page.count('<div class="repeated">') == 1
