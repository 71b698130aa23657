"""After a comment is posted, edited or deleted, or an inbox item is marked done, the page
comes back with what was done said where it was done, the keyboard on it: read out by a
screen reader as the focus lands, and the next Tab goes on from there (the comment's own
links, the inbox's next item), not from the top of the page. The inbox's last item marked
done (or reopened from Done) puts the keyboard on the same control of the item before, or,
when the list is now empty, on what says so; a screen reader hears what was done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.conversation import services as conversation
from accord.conversation.models import InboxItem
from accord.decisions import services as decisions
from tests.browser.conftest import has_focus, open_signed_in
from tests.browser.live import focused, listen, said, wait_said

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_STATUS = """() => {
  const e = document.activeElement;
  return e && e.getAttribute("role") === "status" ? e.textContent.trim() : null;
}"""


def focused_status(page, text: str) -> None:
    """Wait until the focused element is a status saying `text`."""
    page.wait_for_function(f"(text) => ({FOCUSED_STATUS})() === text", arg=text, timeout=10_000)


def focused_name(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.getAttribute('aria-label') || e.textContent).trim(); }"
    )


def test_a_comment_posted_by_keyboard_is_said_and_the_keyboard_is_by_it(page, cast):
    d = decisions.create_decision(cast.org, cast.member, "Which database?", approver=cast.leader)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, f"/o/acme/decisions/{d.pk}/")
    box = page.get_by_role("region", name="Comments").get_by_label("Add a comment")
    box.focus()
    page.keyboard.type("PostgreSQL, as the others use.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on Comment
    focused_status(page, "Comment posted.")
    status = page.locator("#comments [role=status]")
    expect(status).to_be_in_viewport()
    # Linked as any comment is, and the comment is right after what was said.
    comment = page.locator(".comment").filter(has=page.locator("[role=status]"))
    expect(comment).to_contain_text("PostgreSQL, as the others use.")
    assert page.url.endswith(f"?comment={comment_id(page)}#comment-{comment_id(page)}")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Mia Member"  # its author, then its Edit and Delete

    # Edited: "Comment saved.", by the comment again.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Edit
    page.get_by_label("Comment", exact=True).fill("PostgreSQL 16.")
    page.get_by_role("button", name="Save").click()
    focused_status(page, "Comment saved.")
    expect(page.locator(".comment").filter(has=page.locator("[role=status]"))).to_contain_text(
        "PostgreSQL 16."
    )

    # Reloaded, it is said no more: the address is the comment's, as a link to it is.
    page.reload()
    expect(page.locator("#comments [role=status]")).to_have_count(0)
    expect(page.locator(".comment:target")).to_contain_text("PostgreSQL 16.")

    # Deleted: said at the top of the comments.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".comment").get_by_role("button", name="Delete").click()
    focused_status(page, "Comment deleted.")
    expect(page.get_by_text("No comments yet.")).to_be_visible()


def comment_id(page) -> int:
    from accord.conversation.models import Comment

    return Comment.objects.get().pk


def test_an_inbox_item_marked_done_is_said_where_it_was_and_tab_goes_on_to_the_next(page, cast):
    d = decisions.create_decision(cast.org, None, "Which database?", approver=cast.leader)
    for body in ("First, @mia.member", "Second, @mia.member", "Third, @mia.member"):
        conversation.post_comment(cast.org, cast.leader, d, body)
    first, second, third = InboxItem.objects.filter(person=cast.member).order_by(
        "-created_at", "-id"
    )
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/inbox/")
    page.locator(f"#inbox-{second.pk}").get_by_role("button", name="Mark done").focus()
    page.keyboard.press("Enter")
    focused_status(page, f"Done: {second.title}")
    # Said in the list where the item was: the next Tab is the next item's, not the top's.
    expect(page.locator(".inbox > li").nth(1).locator("[role=status]")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused_item(page) == f"inbox-{third.pk}"
    assert focused_name(page) == third.title  # its link (a button that opens it)

    # The last of the list marked done: the keyboard goes back to the item before it (the
    # end of the page would send the next Tab to its top), the status said at the list's end.
    page.locator(f"#inbox-{third.pk}").get_by_role("button", name="Mark done").click()
    has_focus(page, f"inbox-{first.pk}-action")
    expect(page.locator(".inbox [role=status]")).to_have_text(f"Done: {third.title}")
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Done").click()
    page.locator(f"#inbox-{second.pk}").get_by_role("button", name="Reopen", exact=False).click()
    focused_status(page, f"Back in your inbox: {second.title}")
    page.keyboard.press("Tab")
    assert focused_item(page) == f"inbox-{third.pk}"


def focused_item(page) -> str | None:
    """The id of the inbox item the focused element is in."""
    return page.evaluate(
        "() => { const li = document.activeElement.closest('.inbox__item');"
        " return li ? li.id : null; }"
    )


def test_without_script_the_same_is_said_where_it_was_done(browser, live_server, cast):
    d = decisions.create_decision(cast.org, None, "Which database?", approver=cast.leader)
    for body in ("First, @mia.member", "Second, @mia.member", "Third, @mia.member"):
        conversation.post_comment(cast.org, cast.leader, d, body)
    _, second, third = InboxItem.objects.filter(person=cast.member).order_by("-created_at", "-id")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/inbox/")
    page.locator(f"#inbox-{second.pk}").get_by_role("button", name="Mark done").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused_status(page, f"Done: {second.title}")
    page.keyboard.press("Tab")
    assert focused_item(page) == f"inbox-{third.pk}"

    page.goto(f"/o/acme/decisions/{d.pk}/")
    page.get_by_label("Add a comment").fill("Agreed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Comment", exact=True).click()
    focused_status(page, "Comment posted.")
    context.close()


def mentions(cast, *questions: str) -> list[InboxItem]:
    """Mia is mentioned once on each of these decisions: her inbox items, as it lists them
    (newest first)."""
    for question in questions:
        d = decisions.create_decision(cast.org, None, question, approver=cast.leader)
        conversation.post_comment(cast.org, cast.leader, d, "Your view, @mia.member?")
    return list(InboxItem.objects.filter(person=cast.member).order_by("-created_at", "-id"))


def mark_done(page, item: InboxItem) -> None:
    """Mark `item` done as a keyboard user does: Enter on its Mark done."""
    page.locator(f"#inbox-{item.pk}").get_by_role("button", name="Mark done").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_last_item_marked_done_leaves_the_keyboard_on_the_one_before(page, cast):
    first, middle, last = mentions(cast, "Which database?", "Which queue?", "Which cache?")
    listen(page)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/inbox/")

    mark_done(page, last)
    # On the Mark done of the item before, not on the page's end; what was done is said.
    has_focus(page, f"inbox-{middle.pk}-action")
    wait_said(page, f"Done: {last.title}")
    expect(page.locator(".inbox [role=status]")).to_have_text(f"Done: {last.title}")

    # The first: said where it was, and Tab goes on to the item after it (its link).
    mark_done(page, first)
    has_focus(page, "said-here")
    page.keyboard.press("Tab")
    assert focused_item(page) == f"inbox-{middle.pk}"

    # The only one left: the list says it is empty, and the keyboard is there.
    mark_done(page, middle)
    has_focus(page, "inbox-empty")
    expect(page.locator("#inbox-empty")).to_have_text("Nothing waiting on you.")
    wait_said(page, f"Done: {middle.title}")
    assert focused(page) == "p#inbox-empty"


def test_the_last_item_reopened_from_done_leaves_the_keyboard_on_the_reopen_before(page, cast):
    first, middle, last = mentions(cast, "Which database?", "Which queue?", "Which cache?")
    for item in (first, middle, last):
        conversation.mark_done(cast.org, cast.member, item)
    listen(page)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/inbox/?state=done")
    page.locator(f"#inbox-{last.pk}").get_by_role("button", name="Reopen", exact=False).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    has_focus(page, f"inbox-{middle.pk}-action")
    wait_said(page, f"Back in your inbox: {last.title}")
    assert f"Back in your inbox: {last.title}" in said(page)
