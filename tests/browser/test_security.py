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
from tests.browser.conftest import OpenRequests, open_signed_in, sign_in

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
    """The app's main pages. (The API docs, the heaviest page by far, have a test of
    their own, which makes the same checks.)"""
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
    ]


def test_every_main_page_loads_with_no_csp_violation_or_console_error(page, shot):
    demo.load()
    org = demo.demo_org()
    problems = watch(page)
    requests = OpenRequests(page)
    person = Person.objects.for_org(org).filter(memberships__isnull=False).first()
    map_url, person_url = f"/o/{org.slug}/coordination/map/", f"/o/{org.slug}/people/{person.pk}/"
    pages = main_pages(org)
    assert {map_url, person_url} <= set(pages)
    sign_in(page, demo.DEMO_LOGIN, demo.DEMO_PASSWORD)
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        requests.settle()
        # The pages' behaviour moved from inline handlers to static scripts still works.
        if url == map_url:
            expect(page.locator("#cy canvas").first).to_be_attached()
        elif url == person_url:
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
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # The first request of the description builds it (some 3 s of CPU; later ones read it
    # built), then Swagger UI reads its half megabyte.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord API", timeout=30_000)
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(operations.nth(5)).to_be_visible()
    # Opening an operation shows its parameters and responses.
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    shot(page, "docs")
    # Swagger UI renders only what is near the screen: scrolling to the end brings the
    # last section's operations (each router's paths are together, in the description's
    # order).
    last = list(page.request.get("/api/v1/openapi.json").json()["paths"])[-1]
    path = page.locator(".opblock-summary-path", has_text=last).first
    for _ in range(200):
        if path.is_visible():
            break
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(100)
    expect(path).to_be_visible()
    assert outside == []
    assert not problems, "\n".join(problems)


def test_a_locked_out_person_is_told_why_and_an_admin_unlocks_them(
    page, browser, live_server, shot, cast
):
    from django.conf import settings

    from tests.conftest import PASSWORD

    # The admin signs in first: the failures below come from the same address (the test's
    # browser), which they lock too, as they would any attacker's.
    admin = browser.new_context(base_url=live_server.url)
    admin_page = admin.new_page()
    problems = watch(page)
    open_signed_in(admin_page, cast.admin.user.username)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, cast.member.user.username, "not my password")
    sign_in(page, cast.member.user.username, PASSWORD)
    message = page.get_by_role("alert")
    expect(message).to_contain_text("Sign-in is locked")
    expect(message).to_contain_text(f"Try again in {settings.AXES_COOLOFF_MINUTES} minutes")
    expect(page.get_by_label("Email")).to_have_value(cast.member.user.username)
    shot(page, "locked")

    admin_page.goto(f"/o/acme/people/{cast.member.pk}/")
    expect(admin_page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    admin_page.get_by_role("button", name="Unlock sign-in").click()
    expect(admin_page.locator(".messages")).to_contain_text("Mia Member can sign in again")
    expect(admin_page.get_by_role("heading", name="Sign-in locked")).to_have_count(0)
    shot(admin_page, "unlocked")
    admin.close()

    sign_in(page, cast.member.user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Mia")
    # The only console errors are the locked sign-in's 429 answer.
    assert all("429" in p for p in problems), "\n".join(problems)
