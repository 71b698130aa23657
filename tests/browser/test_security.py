"""Every main page runs under the strict Content Security Policy with no violation and no
console error, and the API docs render from Accord alone, with no network but localhost."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accord import demo
from accord.alignment.models import Objective
from accord.org.models import Person, Team
from accord.rhythm.models import Cadence
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# CSP violations reach the console too, but this names the directive and what was blocked.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: page error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{page.url}: {r.status} for {r.url}") if r.status >= 400 else None
        ),
    )
    return problems


def main_pages(org) -> list[str]:
    base = f"/o/{org.slug}/"
    team = Team.objects.for_org(org).exclude(parent=None).order_by("name").first()
    person = Person.objects.for_org(org).filter(memberships__isnull=False).first()
    objective = Objective.objects.for_org(org).order_by("pk").first()
    cadence = Cadence.objects.for_org(org).order_by("pk").first()
    return [
        base,
        base + "alignment/",
        base + "alignment/periods/",
        base + f"alignment/objectives/{objective.pk}/",
        base + f"alignment/teams/{team.slug}/",
        base + "coordination/",
        base + "coordination/map/",
        base + "rhythm/",
        base + f"rhythm/cadences/{cadence.pk}/",
        base + "decisions/",
        base + "insights/",
        base + "teams/",
        base + f"teams/{team.slug}/",
        base + "people/",
        base + f"people/{person.pk}/",
        base + "activity/",
        base + "interchange/",
        base + "settings/tokens/",
        "/api/v1/docs",
    ]


def test_every_main_page_loads_with_no_csp_violation_or_console_error(page, shot):
    demo.load()
    org = demo.demo_org()
    problems = watch(page)
    sign_in(page, demo.DEMO_LOGIN, demo.DEMO_PASSWORD)
    for url in main_pages(org):
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("networkidle")
    # The pages' behaviour moved from inline handlers to static scripts still works.
    page.goto(f"/o/{org.slug}/coordination/map/")
    expect(page.locator("#cy canvas").first).to_be_attached()
    page.goto(f"/o/{org.slug}/people/")
    person = Person.objects.for_org(org).filter(memberships__isnull=False).first()
    page.goto(f"/o/{org.slug}/people/{person.pk}/")
    width = page.locator(".allocbar span").first.evaluate("el => el.style.width")
    assert width.endswith("%") and width != "0%"
    shot(page, "person")
    assert not problems, "\n".join(problems)


def test_the_api_docs_render_operations_with_only_localhost_reachable(page, shot):
    outside: list[str] = []

    def only_localhost(route):
        host = urlparse(route.request.url).hostname
        if host in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_localhost)
    problems = watch(page)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    # Opening an operation shows its parameters and responses.
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    shot(page, "docs")
    assert outside == []
    assert not problems, "\n".join(problems)
