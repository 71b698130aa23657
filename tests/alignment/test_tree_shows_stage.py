import datetime as dt

from accord.alignment import services
from tests.conftest import login


def test_the_alignment_tree_shows_an_initiatives_stage(cast):
    period = services.create_period(
        cast.org,
        None,
        name="Q1 2027",
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 3, 31),
        state="active",
        is_current=True,
    )
    objective = services.create_objective(
        cast.org, None, title="Faster checkout", period=period, team=cast.platform
    )
    kr = services.create_key_result(cast.org, None, objective, name="p95 latency", target=300)
    services.create_initiative(
        cast.org,
        None,
        team=cast.platform,
        title="Edge cache",
        status="active",
        stage="beta",
        key_results=[kr],
    )
    page = login(cast.member).get("/o/acme/alignment/").content.decode()
    assert "Edge cache" in page
    assert '<span class="tag" title="Stage">beta</span>' in page
