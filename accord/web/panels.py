"""Sections that apps contribute to shared pages, so no app edits another's templates.

An app may have a `panels.py` with either of:

    def home(request) -> str | None            # HTML for the signed-in person's home page
    def team(request, team) -> str | None      # HTML for a team's page
    def settings(request) -> str | None        # HTML for the person's own settings page
    def objective(request, obj) -> str | None  # a card on an objective's page
    def key_result(request, kr) -> str | None  # a card on a key result's page
    def initiative(request, item) -> str | None  # a card on an initiative's page
    def measurable(request, m) -> str | None   # a card on a scorecard measurable's page

Each returns rendered HTML (usually `render_to_string(..., request=request)`) or None to
show nothing. They run in INSTALLED_APPS order and must do a bounded number of queries.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils.safestring import SafeString, mark_safe


def _modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.panels"
        if config.name.startswith("accord.") and config.name != "accord.web" and find_spec(name):
            yield import_module(name)


def collect(hook: str, *args) -> list[SafeString]:
    out = []
    for module in _modules():
        fn = getattr(module, hook, None)
        if fn is None:
            continue
        html = fn(*args)
        if html:
            out.append(mark_safe(html))  # each panel is rendered by a Django template
    return out
