import datetime as dt

from django.urls import reverse

from accord.alignment import services
from tests.conftest import login


def _current_period(cast):
    return services.create_period(
        cast.org,
        None,
        name="Q1 2027",
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 3, 31),
        state="active",
        is_current=True,
    )


def test_the_alignment_tree_shows_an_initiatives_stage(cast):
    period = _current_period(cast)
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


def test_the_tree_links_each_objective_key_result_and_initiative_to_its_page(cast):
    # The tree builds its links from prefixes rather than reversing each one.
    period = _current_period(cast)
    top = services.create_objective(cast.org, None, title="Grow", period=period, level="org")
    child = services.create_objective(
        cast.org, None, title="Faster checkout", period=period, team=cast.platform
    )
    grandchild = services.create_objective(
        cast.org, None, title="Cache more", period=period, team=cast.platform
    )
    services.link_objective(cast.org, None, child, top)
    services.link_objective(cast.org, None, grandchild, child)
    kr = services.create_key_result(cast.org, None, child, name="p95 latency", target=300)
    initiative = services.create_initiative(
        cast.org, None, team=cast.platform, title="Edge cache", key_results=[kr]
    )
    client = login(cast.member)
    page = client.get("/o/acme/alignment/").content.decode()
    for objective in (top, child, grandchild):
        url = reverse("alignment:objective", args=["acme", objective.pk])
        assert f'<a class="node-title" href="{url}">{objective.title}</a>' in page
    assert f'href="{reverse("alignment:key_result", args=["acme", kr.pk])}">p95 latency</a>' in page
    assert (
        f'href="{reverse("alignment:initiative", args=["acme", initiative.pk])}">Edge cache' in page
    )
    assert client.get(reverse("alignment:objective", args=["acme", child.pk])).status_code == 200

    # One more level on demand (htmx), with the same links.
    more = reverse("alignment:tree_children", args=["acme", top.pk])
    part = client.get(f"{more}?depth=1", headers={"HX-Request": "true"}).content.decode()
    url = reverse("alignment:objective", args=["acme", child.pk])
    assert f'<a class="node-title" href="{url}">Faster checkout</a>' in part
