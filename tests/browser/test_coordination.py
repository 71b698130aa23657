"""A provider team accepts a request from its inbox; the map shows the edge as accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.coordination import queries, services
from accord.coordination.models import Dependency
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role, Team
from accord.web.templatetags.dates import day_span
from tests.browser.conftest import open_signed_in, sales_asks_operations
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCEPTED_GREEN = "rgb(31,122,74)"
ANYWAY = "Accept anyway: it will show at risk from the start"


def test_a_provider_accepts_from_its_inbox_and_the_map_turns_green(page, shot, cast):
    today = timezone.localdate()
    _, giver, dep = sales_asks_operations(cast)

    open_signed_in(page, giver.email)
    expect(page.get_by_role("heading", name="Waiting for your teams' answer")).to_be_visible()
    page.get_by_role("link", name="Answer in the inbox of Operations →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations: coordination")
    item = page.locator(f"#dep-{dep.pk}")
    expect(item).to_contain_text("Stock for the spring launch")
    accept = item.locator("details.act--accept")
    accept.locator("summary").click()
    accept.get_by_label("Delivered by our initiative").select_option(
        label="no target date · New warehouse"
    )
    committed = today + dt.timedelta(days=25)
    accept.get_by_label("Committed date").fill(committed.isoformat())
    # Nothing at risk: no warning, and no box to accept anyway.
    expect(accept.locator(".accept-warning")).to_be_hidden()
    expect(accept.get_by_label(ANYWAY)).to_be_hidden()
    shot(page, "inbox")
    accept.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".msg--success")).to_contain_text("Accepted “Stock for the spring launch”.")
    expect(page.get_by_text("Nothing is waiting on Operations.")).to_be_visible()
    dep.refresh_from_db()
    assert dep.state == "accepted" and dep.committed_date == committed

    page.goto("/o/acme/coordination/map/")
    expect(page.locator("#map-summary")).to_contain_text("2 nodes, 1 edges")
    color = page.evaluate("() => window.accordMap.edges()[0].style('line-color').replace(/ /g, '')")
    assert color == ACCEPTED_GREEN
    page.get_by_text("The same, as a list").click()
    expect(page.locator("#map-list")).to_contain_text("accepted")
    shot(page, "map")
    assert Dependency.objects.get().state == "accepted"


def test_the_demo_map_shows_the_cycle_and_the_critical_path(page, shot):
    from accord import demo

    org = demo.load()
    # The map draws without a warning from the graph library (or any other).
    said = []
    page.on("console", lambda m: said.append(m.text) if m.type in ("warning", "error") else None)
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/coordination/map/")
    expect(page.locator("#map-summary")).to_contain_text("1 cycle")
    # The critical path in words: the dates it is planned over and their days; what its
    # initiatives' own plans add up to (the sum of their durations), which overlap, is a
    # warning of its own, drawn as one.
    chain = queries.map_elements(org)["critical_path"]
    days = sum((i["target_date"] - i["start_date"]).days for i in chain)
    first = min(i["start_date"] for i in chain)
    last = max(i["target_date"] for i in chain)
    assert days > (last - first).days
    expect(page.locator("#map-summary")).to_contain_text(
        f"critical path, the longest chain of accepted dependencies: {len(chain)} initiatives, "
        f"each waiting on the next, planned {day_span(first, last)} ({(last - first).days} "
        "days): Loyalty 2.0 launch (Loyalty & Retention) → "
    )
    warning = page.locator("#map-critical-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        f"These plans overlap: done one after another they would take {days} days, more "
        f"than the {(last - first).days} days planned."
    )
    assert "msg--warning" in (warning.get_attribute("class") or "")
    marked = page.evaluate(
        "() => [window.accordMap.nodes('[?cycle]').length,"
        " window.accordMap.edges('[?critical]').length]"
    )
    assert marked[0] == 3 and marked[1] >= 4
    assert said == []
    shot(page, "teams")
    # Zoomed out to take in a large neighbourhood, the names stay readable on the screen.
    page.evaluate("() => { window.accordMap.zoom(0.3); }")
    page.wait_for_function(
        "() => window.accordMap.nodes().every(n => parseFloat(n.renderedStyle('font-size')) >= 11)"
    )
    # The dependency needed by the code freeze names it on its edge and in the list.
    tied = page.evaluate(
        "() => window.accordMap.edges().map(e => [e.data('label'), e.data('milestones')])"
    )
    assert any(
        "by Code freeze" in label and any(n.startswith("Code freeze") for n in names)
        for label, names in tied
    ), tied
    page.get_by_text("The same, as a list").click()
    expect(page.locator("#map-list")).to_contain_text("Code freeze")
    page.get_by_label("Show").select_option("initiatives")
    expect(page.locator("#map-summary")).to_contain_text("critical path")
    shot(page, "initiatives")
    # A team's page links to the map started from that team and the teams below it.
    engineering = Team.objects.get(org__slug="northwind", name="Engineering")
    page.goto(f"/o/northwind/coordination/map/?team={engineering.pk}")
    expect(page.get_by_label("Start from")).to_have_value("Engineering")  # a search box
    expect(page.locator("#map-filters input[name=team]")).to_have_value(str(engineering.pk))
    expect(page.locator("#map-summary")).to_contain_text("Engineering")
    shot(page, "engineering")
    # Clicking a neighbour adds its own dependencies to what is drawn.
    expanded = "() => window.accordMap.nodes('[?expanded]').length"
    before = page.evaluate(expanded)
    assert page.evaluate("() => window.accordMap.nodes('[!expanded]').length") > 0
    # Returns nothing: emit() returns the graph's collection, which Playwright would spend
    # seconds serializing back.
    page.evaluate("() => { window.accordMap.nodes('[!expanded]').first().emit('tap'); }")
    expect(page.locator("#map-selected")).to_contain_text("Open ")
    page.wait_for_function(f"() => window.accordMap.nodes('[?expanded]').length > {before}")
    shot(page, "expanded")


def test_a_team_page_and_a_negotiation_read_well_on_a_phone(page, shot):
    from accord import demo

    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/o/northwind/coordination/teams/platform/")
    expect(page.get_by_role("heading", name="Inbox: waiting on Platform")).to_be_visible()
    expect(page.locator(".inbox")).to_contain_text("Webhook for order status changes")
    shot(page, "team")
    dep = Dependency.objects.get(title="Offline sync endpoints")
    page.goto(f"/o/northwind/coordination/d/{dep.pk}/")
    timeline = page.locator(".timeline").first
    expect(timeline).to_contain_text("proposed another date or scope")
    expect(timeline).to_contain_text("counter-proposed")
    # Mobile's counter named a date only: Platform's narrower scope is still what is proposed.
    expect(timeline).to_contain_text("scope: Read-only sync first; writes next quarter. (kept)")
    expect(page.locator("#proposed-scope")).to_have_text(
        "Scope: Read-only sync first; writes next quarter."
    )
    shot(page, "negotiation")
    # A later date than Mobile's need-by: the script says what follows if Mobile agrees.
    propose = page.locator("details.act--propose")
    propose.locator("summary").click()
    later = dep.need_by + dt.timedelta(days=21)
    propose.get_by_label("Proposed date").fill(later.isoformat())
    expect(propose.locator(".accept-warning")).to_contain_text(
        f"21 days later: if Mobile agrees, it gets it then and its need-by moves to "
        f"{later:%-d %b %Y}."
    )
    page.goto("/o/northwind/coordination/")
    expect(page.get_by_role("heading", name="Cycles")).to_be_visible()
    shot(page, "overview")


def test_a_lead_above_accepts_for_a_team_below_and_the_initiative_page_shows_it(page, shot, cast):
    """The accept form warns before and on submit when the date is before the delivering
    initiative's target, has one Accept button when open; the initiative page then shows
    the dependency on both sides, and a blocked one marks the stack."""
    org = cast.org
    today = timezone.localdate()
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    asker = make_person(org, "Asha Asker", Role.MEMBER)
    head = make_person(org, "Hana Head", Role.MEMBER)
    org_services.add_membership(org, None, person=asker, team=sales, role=MembershipRole.LEAD)
    org_services.add_membership(org, None, person=head, team=cast.root, role=MembershipRole.LEAD)
    launch = alignment.create_initiative(
        org, None, team=sales, title="Spring launch", status="active"
    )
    target = today + dt.timedelta(days=20)
    warehouse = alignment.create_initiative(
        org, None, team=ops, title="New warehouse", status="active", target_date=target
    )
    dep = services.create_dependency(
        org,
        asker,
        requester_initiative=launch,
        provider_team=ops,
        title="Stock for the spring launch",
        need_by=today + dt.timedelta(days=10),
    )

    open_signed_in(page, head.email, "/o/acme/coordination/teams/ops/")
    expect(page.get_by_text("You act here for Operations as lead of Acme")).to_be_visible()
    accept = page.locator(f"#dep-{dep.pk} details.act--accept")
    accept.locator("summary").click()
    expect(accept.locator("summary .act__close")).to_be_visible()
    expect(accept.locator("summary .act__open")).to_be_hidden()
    warning = accept.locator(".accept-warning")
    accept.get_by_label("Delivered by our initiative").select_option(str(warehouse.pk))
    accept.get_by_label("Committed date").fill((today + dt.timedelta(days=12)).isoformat())
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("would show at risk as soon as it is accepted")
    # On the target, after the need-by: the script says what Sales is left with instead.
    accept.get_by_label("Committed date").fill(target.isoformat())
    expect(warning).to_contain_text("Sales needs this by")
    expect(warning).to_contain_text("10 days later: it will show at risk as soon as")
    expect(warning).not_to_contain_text("target date")
    accept.get_by_label("Committed date").fill((today + dt.timedelta(days=10)).isoformat())
    expect(warning).to_be_visible()  # before the target still
    expect(warning).not_to_contain_text("Sales needs this by")
    accept.get_by_label("Committed date").fill((today + dt.timedelta(days=12)).isoformat())
    # The box to accept anyway comes with the warning.
    expect(accept.get_by_label(ANYWAY)).to_be_visible()
    shot(page, "accept-warning")
    accept.get_by_role("button", name="Accept", exact=True).click()
    # Sent without it: refused on the server too, asking again with the box.
    expect(page.locator(".field--error")).to_contain_text("target date")
    page.get_by_label(ANYWAY).check()
    page.locator("details.act--accept").get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".msg--success")).to_contain_text("Accepted “Stock for the spring launch”.")
    # Back in the inbox it was answered from.
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations: coordination")
    page.goto(f"/o/acme/coordination/d/{dep.pk}/")
    expect(page.locator(".timeline").first).to_contain_text("(for Operations, as lead of Acme)")
    dep.refresh_from_db()
    assert dep.state == "accepted"

    services.transition(org, asker, dep, "flag_blocked", note="Supplier strike")
    page.goto(f"/o/acme/alignment/initiatives/{launch.pk}/")
    deps = page.locator("#dependencies")
    expect(deps).to_contain_text("Blocked by what it needs")
    expect(deps.get_by_role("link", name="Stock for the spring launch").first).to_be_visible()
    expect(deps).to_contain_text("Operations")
    shot(page, "initiative")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(deps).to_be_visible()
    shot(page, "initiative-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/o/acme/alignment/teams/sales/")
    expect(page.locator("#stack-list li", has_text="Spring launch")).to_contain_text("blocked")
    page.goto(f"/o/acme/alignment/initiatives/{warehouse.pk}/")
    expect(page.locator("#dependencies")).to_contain_text("Other teams need from it")
    expect(page.locator("#dependencies")).to_contain_text("Sales")


def test_accepting_at_risk_from_the_inbox_on_a_phone_takes_one_trip(page, shot, cast):
    """The live warning comes with the box to accept anyway: ticked, the request is
    accepted at once and the lead is back in the inbox. The initiatives offered read their
    target dates first, without the team's name, on a phone's width."""
    today = timezone.localdate()
    _, giver, dep = sales_asks_operations(cast)
    target = today + dt.timedelta(days=20)
    alignment.create_initiative(
        cast.org,
        None,
        team=Team.objects.get(org=cast.org, slug="ops"),
        title="Cross-dock conveyor belt replacement",
        status="active",
        target_date=target,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, giver.email, "/o/acme/coordination/teams/ops/")
    accept = page.locator(f"#dep-{dep.pk} details.act--accept")
    accept.locator("summary").click()
    box = accept.get_by_label(ANYWAY)
    expect(box).to_be_hidden()
    accept.get_by_label("Delivered by our initiative").select_option(
        label=f"{target:%-d %b %Y} · Cross-dock conveyor belt replacement"
    )
    accept.get_by_label("Committed date").fill((today + dt.timedelta(days=12)).isoformat())
    expect(accept.locator(".accept-warning")).to_contain_text(
        "before Cross-dock conveyor belt replacement's target date"
    )
    expect(accept.locator(".accept-warning")).to_contain_text("tick the box to accept anyway")
    expect(box).to_be_visible()
    shot(page, "accept-at-risk-phone")
    box.check()
    accept.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".msg--success")).to_contain_text("Accepted “Stock for the spring launch”.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations: coordination")
    dep.refresh_from_db()
    assert dep.state == "accepted" and dep.committed_date == today + dt.timedelta(days=12)


def test_an_initiatives_requests_on_the_map_include_those_no_initiative_delivers_yet(
    page, shot, cast
):
    """From an initiative's page, "On the map" focuses the initiatives map on it: the
    request its team has not answered points at that team (a diamond), the declined one
    at the team that declined it, and what another team needs from it comes in; "All its
    requests" lists the same, both ways."""
    org = cast.org
    today = timezone.localdate()
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    asker = make_person(org, "Asha Asker", Role.MEMBER)
    org_services.add_membership(org, None, person=asker, team=sales, role=MembershipRole.LEAD)
    launch = alignment.create_initiative(org, None, team=sales, title="Spring launch")
    warehouse = alignment.create_initiative(org, None, team=ops, title="New warehouse")
    elsewhere = alignment.create_initiative(org, None, team=sales, title="Partner portal")

    def ask(asks, team, title):
        return services.create_dependency(
            org,
            None,
            requester_initiative=asks,
            provider_team=team,
            title=title,
            need_by=today + dt.timedelta(days=30),
        )

    ask(launch, ops, "Racks")  # not answered
    declined = ask(launch, cast.platform, "Product feed")
    services.transition(org, None, declined, "decline", note="No capacity")
    forecasts = ask(warehouse, sales, "Forecasts")
    services.transition(
        org,
        None,
        forecasts,
        "accept",
        provider_initiative=launch,
        committed_date=today + dt.timedelta(days=20),
    )
    ask(elsewhere, ops, "Portal hosting")  # another initiative's: not drawn

    open_signed_in(page, asker.email, f"/o/acme/alignment/initiatives/{launch.pk}/")
    page.locator("#dependencies").get_by_role("link", name="On the map").click()
    expect(page.locator("#map-summary")).to_contain_text("Spring launch (Sales)")
    expect(page.get_by_label("Show")).to_have_value("initiatives")
    edges = page.evaluate(
        "() => window.accordMap.edges().map(e => [e.data('label'), e.target().data('label'),"
        " e.target().data('kind')]).sort()"
    )
    assert edges == [
        ["Forecasts", "Spring launch", "initiative"],
        ["Product feed", "Platform", "team"],
        ["Racks", "Operations", "team"],
    ]
    shape = page.evaluate("() => window.accordMap.nodes('[?asked]').map(n => n.style('shape'))")
    assert shape == ["diamond", "diamond"]
    page.get_by_text("The same, as a list").click()
    expect(page.locator("#map-list tbody tr")).to_have_count(3)
    shot(page, "initiative-map")

    page.goto(f"/o/acme/alignment/initiatives/{launch.pk}/")
    page.locator("#dependencies").get_by_role("link", name="All its requests").click()
    expect(page.locator("[data-scope]")).to_contain_text(
        "What “Spring launch” (Sales) needs from other teams and what they need from it."
    )
    rows = page.locator("table.deps tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.deps")).not_to_contain_text("Portal hosting")
    shot(page, "initiative-requests")
