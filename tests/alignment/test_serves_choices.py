"""The key results an initiative can serve are named with their objective's team and
period, as the objectives are ("Faster checkout (Platform, Q1 2026)"): after a carry-over
the same key result in two quarters reads apart."""

from __future__ import annotations

from accord.alignment import services as s
from accord.alignment.forms import InitiativeForm
from accord.web import pickers
from tests.conftest import login


def test_key_result_choices_name_the_period_and_team(cast, plan):
    org = cast.org
    again = s.create_objective(
        org, None, title="Faster checkout", period=plan.q2, team=cast.platform
    )
    for objective in (plan.platform_obj, again):
        s.create_key_result(org, None, objective, name="Availability", unit="%", target=99.95)
    s.create_key_result(org, None, plan.company, name="Revenue", target=10)
    form = InitiativeForm(org=org)
    field = form.fields["serves"]
    labels = {field.label_from_instance(k) for k in field.queryset}
    assert labels == {
        "Faster checkout → Availability (Platform, Q1 2026)",
        "Faster checkout → Availability (Platform, Q2 2026)",
        "Grow revenue → Revenue (Organization, Q1 2026)",
    }
    # the search box of a large organization names them the same way
    assert {pickers.KINDS["key_result"].label(k) for k in field.queryset} == labels
    page = login(cast.leader).get("/o/acme/alignment/initiatives/new/").content.decode()
    assert "Faster checkout → Availability (Platform, Q2 2026)" in page
