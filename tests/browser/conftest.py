"""Real headless Chromium (Debian's), driven by Playwright against pytest-django's live server.

Screenshots go to test-artifacts/ so a person can look at what the tests saw: every open
page of a browser test that fails, always; the views the tests name (`shot`) when
ACCORD_TEST_SCREENSHOTS=1. A full-page capture costs Chromium about as much as loading the
page again, so a run that nobody looks at does not take them.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous code, so Django's guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = os.environ.get("ACCORD_TEST_SCREENSHOTS", "") not in ("", "0")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make system-deps`.")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (Playwright's own default is 5 s): on a busy
    # two-core machine a page's first answer can take longer, and waiting costs nothing
    # when it comes sooner.
    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test leaves a full-page screenshot of each page it still has open (taken
    before its fixtures close them), named in its report."""
    report = yield
    browser = item.funcargs.get("browser") if report.when == "call" and report.failed else None
    if browser is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = []
        pages = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages, 1):
            path = ARTIFACTS / f"{item.name}-failed-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a page the failure left unusable: say so, go on
                lines.append(f"{page.url}: no screenshot ({error})")
            else:
                lines.append(f"{page.url}: {path}")
        report.sections.append(("screenshots at the failure", "\n".join(lines)))
    return report


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(request):
    """shot(page, "name") saves a screenshot as test-artifacts/<test>-<name>.png when
    ACCORD_TEST_SCREENSHOTS=1 (`make screenshots`)."""

    def take(page, name: str) -> Path | None:
        if not SCREENSHOTS:
            return None
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class OpenRequests:
    """The requests a page has made and not had answered yet.

    `settle()` waits until there are none and htmx has swapped what they brought: what
    Playwright's "networkidle" promises, without its half second of waiting for nothing after
    every page. Create it before the first `goto` so that no request goes unseen."""

    def __init__(self, page):
        self.page = page
        self.open: set = set()
        page.on("request", lambda request: self.open.add(request))
        page.on("requestfinished", lambda request: self.open.discard(request))
        page.on("requestfailed", lambda request: self.open.discard(request))

    def settle(self, timeout: float = 10.0) -> None:
        self.page.wait_for_load_state("load")
        deadline = time.monotonic() + timeout
        while self.open:
            if time.monotonic() > deadline:
                urls = sorted(r.url for r in self.open)
                raise AssertionError(f"{self.page.url}: still waiting for {urls}")
            self.page.wait_for_timeout(20)  # lets Playwright deliver the page's events
        # A function, not an expression: Playwright evaluates an expression again on each
        # animation frame it polls, which the pages' Content Security Policy (no
        # 'unsafe-eval') refuses, failing the test whenever htmx is still at work.
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the sign-in form, as a person does: for the journeys about signing
    in. The others start signed in (`open_signed_in`)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def open_signed_in(page, login: str, path: str = "/") -> None:
    """Open `path` signed in as the person whose e-mail (or user name) is `login`, with a
    session made on the server as a sign-in would make it. Through the form, a journey paid
    for the sign-in page, its POST and the home page before its own (about a second each)."""
    from django.conf import settings
    from django.db.models import Q

    from accord.org.models import Person
    from tests import conftest

    person = Person.objects.filter(Q(user__username=login) | Q(email__iexact=login)).first()
    assert person is not None, f"nobody signs in as {login}"
    session = conftest.login(person).cookies[settings.SESSION_COOKIE_NAME].value
    # The live server is on localhost; a cookie is not bound to a port.
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "domain": "localhost",
                "path": "/",
            }
        ]
    )
    page.goto(path)


def has_focus(page, element_id: str) -> None:
    """Wait until the element `element_id` is the page's focused element (not Playwright's
    to_be_focused, which also asks that the browser window have the focus: after a form
    with a password is sent, a headless Chromium's sometimes has not, whatever the page
    did)."""
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === id", arg=element_id
    )


def pick(page, label: str, text: str, *, option: str | None = None, exact: bool = False) -> None:
    """Choose in a person or team field (always a search box): type `text`, click the match
    named `option` (default: `text`)."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label, exact=exact)
    box.fill(text)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    match = listbox.get_by_role("option", name=option or text, exact=True)
    # Focusing the box asked for the first few of everyone: wait for the answer to the text.
    others = listbox.locator("[role=option]").filter(has_not_text=text)
    expect(others).to_have_count(0)
    expect(match).to_be_visible()
    match.click()
    expect(listbox).to_be_hidden()


def sales_asks_operations(cast):
    """Sales (Asha Asker leads it) asks Operations (Gil Giver leads it, with its initiative
    New warehouse) for stock for its Spring launch, needed in 30 days: (asker, giver, dep)."""
    import datetime as dt

    from django.utils import timezone

    from accord.alignment import services as alignment
    from accord.coordination import services as coordination
    from accord.org import services as org_services
    from accord.org.models import MembershipRole, Role
    from tests.conftest import make_person

    org = cast.org
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    asker = make_person(org, "Asha Asker", Role.MEMBER)
    giver = make_person(org, "Gil Giver", Role.MEMBER)
    org_services.add_membership(org, None, person=asker, team=sales, role=MembershipRole.LEAD)
    org_services.add_membership(org, None, person=giver, team=ops, role=MembershipRole.LEAD)
    launch = alignment.create_initiative(org, None, team=sales, title="Spring launch")
    alignment.create_initiative(org, None, team=ops, title="New warehouse", status="active")
    dep = coordination.create_dependency(
        org,
        asker,
        requester_initiative=launch,
        provider_team=ops,
        title="Stock for the spring launch",
        need_by=timezone.localdate() + dt.timedelta(days=30),
    )
    return asker, giver, dep
