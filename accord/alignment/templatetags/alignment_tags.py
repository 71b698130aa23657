"""Progress bars, status tags and numbers for the alignment pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accord.alignment import confidence as bands
from accord.alignment.progress import kr_outside_limit

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
def kr_bar(kr, pct, label: str = "Progress"):
    """A key result's progress: its bar, or, for a level to hold whose value is on the
    wrong side of its limit, "outside its limit" (`progress.outside_limit`): its progress
    is 0, which the words say better than an empty bar. `kr` is a model or the tree's dict
    of it."""
    words = kr_outside_limit(kr)
    if words:
        return format_html(
            '<span class="tag tag--bad kr-outside" title="Progress 0%: counts 0 toward its '
            'objective">{}</span>',
            words,
        )
    return bar(pct, label)


@register.simple_tag
def status(value: str, label: str | None = None):
    return format_html(
        '<span class="tag {}">{}</span>', STATUS_TAG.get(value, ""), label or value.capitalize()
    )


@register.simple_tag
def confidence(value):
    """The owner's confidence with its band: "owner: at risk, 5/10", coloured by the band.
    Said to be the owner's, so that it does not read as a status Accord computed beside the
    signals that do ("projected to miss")."""
    band = bands.band(value)
    if band is None:
        return ""
    return format_html(
        '<span class="tag tag--{}" title="The owner\'s confidence: {} of 10, {} ({} of 10)">'
        "owner: {}, {}/10</span>",
        band.tone,
        value,
        band.word,
        band.span,
        band.word,
        value,
    )


@register.filter
def period_choice(period) -> str:
    """A period as a chooser names it (`queries.period_choice_label`): `current_now` set
    by the view on the current one."""
    from accord.alignment.queries import period_choice_label

    return period_choice_label(period, getattr(period, "current_now", False))


@register.simple_tag
def orphaned_meaning(labels) -> str:
    """What "orphaned" means (`queries.orphaned_meaning`), for the tag and the counts."""
    from accord.alignment.queries import orphaned_meaning as said

    return said(labels)


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
