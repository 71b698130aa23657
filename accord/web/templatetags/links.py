"""`{% url %}` that remembers what it reversed (a built-in tag of every template).

Django's tag reverses every link from scratch: about 15 µs each, and a page of a large
organization writes 100-160 of them (its navigation, a row's team, objective and owner).
The same link is written again and again (the navigation on every page, a team's link
on every page that names it), so this tag keeps the addresses it reversed, keyed by
everything `reverse` reads: the view's name, its arguments, the current application,
the URL configuration and the script prefix. Same syntax and behaviour as Django's tag;
only plain arguments (text and whole numbers, whose text is what goes into the address)
are remembered, anything else is reversed as before.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Enough for every link of the pages a busy organization's people open in a while;
# an entry is a short key and an address (about 0.3 kB).
REMEMBERED = 20_000


@lru_cache(maxsize=REMEMBERED)
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix) -> str:
    # `prefix` is part of the key only: `reverse` reads the same script prefix itself.
    return reverse(view_name, urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse_remembered(view_name: str, **kwargs) -> str:
    """`reverse(view_name, kwargs=kwargs)` for text and number arguments, remembered as the
    tag remembers (the shell's navigation reverses a dozen links on every page)."""
    return _reversed(
        view_name, (), tuple(sorted(kwargs.items())), None, get_urlconf(), get_script_prefix()
    )


def _plain(value) -> bool:
    # bool is an int whose text differs ("True"), and equals 1 as a key: reversed afresh.
    return isinstance(value, str) or type(value) is int


@receiver(setting_changed)
def _forget_on_new_urls(setting, **kwargs) -> None:
    """Tests that swap the URL configuration or script name get fresh addresses."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reversed.cache_clear()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if (
                isinstance(view_name, str)
                and all(map(_plain, args))
                and all(_plain(v) for _, v in kwargs)
            ):
                url = _reversed(
                    view_name, args, kwargs, current_app, get_urlconf(), get_script_prefix()
                )
            else:
                url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}`, remembering what it reversed (see the module's note)."""
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
