"""A form sent after its person was signed out (in another tab, or their session ended):
not saved, but not lost without a word either.

The POST is answered with the sign-in page, whose `next` is the page the form was on, and
which says why (`SignInView`). When the browser's last sign-out was by this page's own
Sign out (`SignOutView` notes who it was, in the new, signed-out session), the fields typed
are kept in that session, none secret (no password, token or CSRF field), and filled in
again on that page once the same person has signed in (`restore`, `web/kept_form.js`);
never for anyone else, who would otherwise read another's draft on a shared computer.

A form sent in place (htmx: a key result's value, a meeting's notes) is answered with
`HX-Redirect` to the same sign-in page (`for_htmx`), not with a redirect htmx would follow
and put the sign-in page inside the form's part of the page. Its fields are kept the same
way, with the address it was sent to, so that the one form of the page it came from is
filled in again (a page has a key result's form per row, all with the same field names)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "accord_signed_out"  # the form sent signed out: {"next", "user", "fields", "action"}
WHO_KEY = "accord_signed_out_user"  # who signed out in this browser (SignOutView)
SECRET_WORDS = ("password", "token", "secret", "csrf")
MAX_CHARS = 100_000  # what is kept of one form at most, all fields together


def _page_of_form(request) -> str:
    """The page the refused form was on: its Referer when it is one of this site's
    organization pages, else the address it posted to."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/o/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _fields(request) -> dict[str, list[str]]:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    kept: dict[str, list[str]] = {}
    for name, values in request.POST.lists():
        if any(word in name.lower() for word in SECRET_WORDS) or name == "version":
            continue
        kept[name] = [str(v) for v in values]
    if sum(len(v) for values in kept.values() for v in values) > MAX_CHARS:
        return {}
    return kept


def keep(request, view_func) -> str:
    """The address to sign in to continue to, for a request that arrived signed out; a
    form's POST is noted (and its fields kept, see above) for the sign-in page. A part of a
    page htmx asks for leads back to that page, not to the part."""
    if request.method != "POST":
        return _page_of_form(request) if is_htmx(request) else request.get_full_path()
    page = _page_of_form(request)
    who = request.session.get(WHO_KEY)
    fields = {} if who is None or getattr(view_func, "csrf_exempt", False) else _fields(request)
    request.session[SESSION_KEY] = {
        "next": page,
        "user": who,
        "fields": fields,
        "action": request.path,
    }
    return page


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def for_htmx(sign_in_url: str) -> HttpResponse:
    """The answer to a request htmx sent signed out: the whole page goes to the sign-in
    page (`HX-Redirect`); a plain sentence for anything else that reads it."""
    response = HttpResponse(
        "You are signed out: sign in again to continue.",
        content_type="text/plain; charset=utf-8",
    )
    response["HX-Redirect"] = sign_in_url
    return response


def refused_for(request, next_url: str) -> dict | None:
    """What the sign-in page says about a form refused signed out, when it leads back to
    its page: {"next", "kept"} (whether its fields will be filled in again)."""
    sent = request.session.get(SESSION_KEY)
    if not sent or not next_url or sent.get("next") != next_url:
        return None
    return {"next": next_url, "kept": bool(sent.get("fields"))}


def restore(request) -> tuple[dict[str, list[str]] | None, str]:
    """On the page of a form refused signed out, opened by the person who signed out: the
    fields they typed (taken out of the session: filled in once), and the address the form
    was sent to ("" when not known); (None, "") otherwise."""
    sent = request.session.get(SESSION_KEY)
    if not sent or request.method != "GET" or sent.get("next") != request.get_full_path():
        return None, ""
    if is_htmx(request):  # a part of the page, asked for as it loads: the page's, not its
        return None, ""
    del request.session[SESSION_KEY]
    request.session.pop(WHO_KEY, None)
    if sent.get("user") is None or sent["user"] != request.user.pk:
        return None, ""
    return sent.get("fields") or None, sent.get("action", "")


def signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in`, however they signed in (a password, single sign-on, a join or
    sign-in link): this browser is no longer signed out, and a form kept for someone else
    is dropped, so it is never filled in for the one who signed in after them."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(WHO_KEY, None)
    sent = session.get(SESSION_KEY)
    if sent and sent.get("user") != user.pk:
        del session[SESSION_KEY]
