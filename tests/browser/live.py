"""What a screen reader would say as a page changes: the text of its live regions
(role=status, alert or log, aria-live) each time it changes after the page has loaded, as the
reader hears it. Content a live region holds as the page loads is not read out; only what is
written into one afterwards is."""

from __future__ import annotations

LISTEN = """
(() => {
  window.accordSaid = [];
  document.addEventListener("DOMContentLoaded", () => {
    const regions = "[aria-live], [role=status], [role=alert], [role=log]";
    new MutationObserver((changes) => {
      const seen = new Set();
      for (const change of changes) {
        const node = change.target.nodeType === 1 ? change.target : change.target.parentElement;
        const region = node && node.closest(regions);
        if (!region || seen.has(region) || region.getAttribute("aria-live") === "off") continue;
        seen.add(region);
        const text = region.textContent.replace(/\\s+/g, " ").trim();
        if (text) window.accordSaid.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
})();
"""


def listen(page) -> None:
    """From the next page loaded on: keep what the live regions say (`said`)."""
    page.context.add_init_script(LISTEN)


def said(page) -> list[str]:
    return page.evaluate("() => window.accordSaid || []")


def wait_said(page, text: str) -> None:
    """Wait until a live region has said something containing `text`."""
    page.wait_for_function(
        "(text) => (window.accordSaid || []).some((s) => s.includes(text))", arg=text
    )


def focused(page) -> str:
    """The focused element, as `tag#id` (`body` when nothing has the focus)."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') : ''; }"
    )
