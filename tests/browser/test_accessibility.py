"""The product's main pages, on the demo organization, checked by axe-core (the standard
automated accessibility engine, an exact devDependency in package.json) against the WCAG 2
A and AA rules: no serious or critical violation on the desktop, nor on a phone for the
pages people open there. And the first Tab of a page reaches its skip link, which takes
the keyboard to the content."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import OpenRequests, open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0, 2.1, 2.2
BLOCKING = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact,
                                summary: n.failureSummary})),
  }));
}"""


def violations(page, requests: OpenRequests) -> list[str]:
    """axe-core's serious and critical violations of the open page, one line per rule."""
    requests.settle()
    lines = []
    for v in page.evaluate(RUN, TAGS):
        nodes = [n for n in v["targets"] if (n["impact"] or v["impact"]) in BLOCKING]
        if nodes:
            targets = "\n      ".join(f"{n['target']}  ({n['summary']})" for n in nodes[:8])
            more = f"\n      … and {len(nodes) - 8} more" if len(nodes) > 8 else ""
            lines.append(
                f"  {v['id']} [{v['impact']}] {v['help']}\n    {v['helpUrl']}\n"
                f"      {targets}{more}"
            )
    return lines


@pytest.fixture
def axe_page(browser, live_server):
    """A page like the conftest's whose every document has axe-core from its start: given
    to the context once rather than added to each page after its load (which cost a third
    of this test's time), and the browser's, not the page's, so the pages are checked under
    their own Content Security Policy, as served."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci installs axe-core).")
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_main_pages_have_no_serious_accessibility_violations(axe_page):
    from accord.alignment.models import Initiative, Objective
    from accord.briefings.models import Briefing
    from accord.coordination.models import Dependency
    from accord.decisions.models import Decision
    from accord.intelligence.models import Signal
    from accord.org.models import Person, Team
    from accord.rhythm.models import Cadence

    org = demo.load()
    o = f"/o/{org.slug}"
    team = Team.objects.get(org=org, slug="platform")
    person = Person.objects.filter(org=org, email__iexact=demo.DEMO_LOGIN).get()
    objective = Objective.objects.filter(org=org).order_by("pk").first()
    initiative = Initiative.objects.filter(org=org).order_by("pk").first()
    dependency = Dependency.objects.filter(org=org).order_by("pk").first()
    cadence = Cadence.objects.filter(org=org).order_by("pk").first()
    decision = Decision.objects.filter(org=org).order_by("pk").first()
    signal = Signal.objects.filter(org=org).order_by("pk").first()
    briefing = Briefing.objects.filter(org=org).order_by("pk").first()

    page = axe_page
    requests = OpenRequests(page)
    failures: list[str] = []

    def audit(path: str, viewport: dict = DESKTOP) -> None:
        """axe-core's findings on the page open now (at `path`)."""
        found = violations(page, requests)
        if found:
            size = "phone" if viewport is PHONE else "desktop"
            failures.append(f"{path} ({size}):\n" + "\n".join(found))

    def check(path: str, viewport: dict = DESKTOP) -> None:
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        page.goto(path)
        audit(path, viewport)

    open_signed_in(page, demo.DEMO_LOGIN, f"{o}/rhythm/")
    # My week links to the sync she runs (the last one listed is still ahead, so its page is
    # a live agenda; all-day dates such as a release day are listed there too) and to the
    # check-in she owes.
    meetings = page.get_by_role("region", name="Meetings")
    meeting = meetings.get_by_role("link", name="Leadership sync").last
    checkin = page.get_by_role("region", name="Check-ins").get_by_role("link").first
    meeting_path, checkin_path = meeting.get_attribute("href"), checkin.get_attribute("href")
    assert checkin_path.endswith("/checkin/"), checkin_path
    audit(f"{o}/rhythm/")  # My week, open already
    check(meeting_path)
    expect(page.get_by_text("Live agenda", exact=True)).to_be_visible()
    for path in [
        f"{o}/",
        f"{o}/teams/",
        f"{o}/teams/{team.slug}/",
        f"{o}/people/",
        f"{o}/people/?signed_in=never",
        f"{o}/people/{person.pk}/",
        f"{o}/people/invite/",
        f"{o}/alignment/",
        f"{o}/alignment/objectives/{objective.pk}/",
        f"{o}/alignment/initiatives/{initiative.pk}/",
        f"{o}/alignment/initiatives/",
        f"{o}/coordination/",
        f"{o}/coordination/d/{dependency.pk}/",
        f"{o}/coordination/map/",
        f"{o}/rhythm/cadences/",
        f"{o}/rhythm/cadences/{cadence.pk}/",
        checkin_path,
        f"{o}/decisions/",
        f"{o}/decisions/{decision.pk}/",
        f"{o}/decisions/actions/",
        f"{o}/decisions/actions/?team={team.slug}",  # by owner, with owner and team columns
        f"{o}/decisions/issues/",
        f"{o}/insights/",
        f"{o}/insights/signals/{signal.pk}/",
        f"{o}/briefings/",
        f"{o}/briefings/{briefing.pk}/",
        f"{o}/activity/",
        f"{o}/rhythm/settings/",
        f"{o}/insights/settings/",
        f"{o}/interchange/",
    ]:
        check(path)
    for path in [f"{o}/", f"{o}/teams/{team.slug}/", f"{o}/insights/"]:
        check(path, PHONE)
    page.context.clear_cookies()
    check("/accounts/login/")

    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)


def test_the_first_tab_reaches_the_skip_link_and_it_takes_the_keyboard_to_the_content(page, cast):
    open_signed_in(page, cast.member.email, f"/o/{cast.org.slug}/teams/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until focused, then on screen
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes into the content, past the top bar and the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
