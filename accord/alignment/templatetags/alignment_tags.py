"""Progress bars, status tags and numbers for the alignment pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accord.alignment import confidence as bands

register = template.Library()

STATUS_TAG = {
    "achieved": "tag--ok",
    "done": "tag--ok",
    "active": "tag--lead",
    "missed": "tag--bad",
    "draft": "tag--warn",
    "proposed": "tag--warn",
    "paused": "tag--warn",
    "dropped": "",
    "planning": "tag--warn",
    "closed": "",
}


@register.simple_tag
def bar(pct, label: str = "Progress"):
    """A labelled progress bar; `pct` None means nothing to measure yet."""
    if pct is None:
        return mark_safe('<span class="pbar pbar--none muted">no measure yet</span>')
    value = max(0.0, min(100.0, float(pct)))
    tone = "ok" if value >= 70 else "warn" if value >= 35 else "bad"
    shown = f"{value:.0f}%"
    return format_html(
        '<span class="pbar pbar--{}" role="progressbar" aria-label="{}" aria-valuenow="{}" '
        'aria-valuemin="0" aria-valuemax="100"><span class="pbar__fill" data-style="width:{}%">'
        '</span></span><span class="pbar__pct num">{}</span>',
        tone,
        label,
        f"{value:.0f}",
        f"{value:.1f}",
        shown,
    )


@register.simple_tag
def status(value: str, label: str | None = None):
    return format_html(
        '<span class="tag {}">{}</span>', STATUS_TAG.get(value, ""), label or value.capitalize()
    )


@register.simple_tag
def confidence(value):
    """Confidence with its band: "at risk · 5/10", coloured by the band."""
    band = bands.band(value)
    if band is None:
        return ""
    return format_html(
        '<span class="tag tag--{}" title="Confidence {} of 10: {} ({} of 10)">{} · {}/10</span>',
        band.tone,
        value,
        band.word,
        band.span,
        band.word,
        value,
    )


@register.filter
def confidence_word(value):
    """ "on track", "at risk" or "off track" (empty when not rated)."""
    return bands.word(value)


@register.filter
def slip(days):
    if days is None:
        return ""
    if days > 0:
        return format_html('<span class="tag tag--bad">{} days late vs. baseline</span>', days)
    if days < 0:
        return format_html('<span class="tag tag--ok">{} days ahead of baseline</span>', -days)
    return format_html('<span class="tag tag--ok">{}</span>', "on baseline")
