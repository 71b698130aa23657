"""What a signed-in person is served is never kept by the browser.

A page someone signed in was served shows live data (the action items still open, a key
result's value). Kept in the browser's cache or its back-forward cache, Back would show it
as it was before a change made since, so an item just marked done would look unsaved; a
download (one's own data, the organization's export) holds people's addresses and words,
not to be left in a shared computer's cache. Every answer to a signed-in request is
therefore sent with `Cache-Control: no-store, private` (Django's
`add_never_cache_headers`), and Back loads the page again. An answer that says how it may
be kept (a calendar feed) keeps its own `Cache-Control`; static files are served before
this middleware (WhiteNoise) and keep theirs.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers, patch_cache_control


class NeverCacheSignedInPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            patch_cache_control(response, private=True)
        return response
