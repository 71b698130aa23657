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


@register.simple_tag
def close_confirm(period, singular: str = "objective", plural: str = "objectives") -> str:
    """What the Close button of a period asks: the frozen values, and, when it is the
    current period or before its end, that too, with how many of its objectives are still
    open ("Q4 2026 is the current period and runs to 31 Dec 2026: closing it now leaves
    no current period; 3 objectives are still open"). One query."""
    from django.utils import timezone

    from accord.alignment.models import OPEN_OBJECTIVE_STATUSES, Objective
    from accord.web.templatetags.dates import day

    text = f"Close {period.name}? Its key-result values are frozen."
    early = timezone.localdate() < period.end
    if not (period.is_current or early):
        return text
    if period.is_current and early:
        said = f"{period.name} is the current period and runs to {day(period.end)}"
    elif period.is_current:
        said = f"{period.name} is the current period"
    else:
        said = f"{period.name} runs to {day(period.end)}"
    consequence = "leaves no current period" if period.is_current else "ends it early"
    text += f" {said}: closing it now {consequence}"
    n = Objective.objects.filter(period=period, status__in=OPEN_OBJECTIVE_STATUSES).count()
    if n:
        noun, verb = (singular, "is") if n == 1 else (plural, "are")
        text += (
            f"; {n} {noun.lower()} {verb} still open: score "
            f"{'it' if n == 1 else 'each'} afterwards (its row's Score its {plural.lower()})"
        )
    return text + "."


@register.simple_tag
def carry_confirm(period, org, singular: str = "objective", plural: str = "objectives") -> str:
    """What the Carry over button of a period asks, with how many objectives it would
    copy ("Carry 3 unfinished objectives of Q4 2026 into the chosen period? …").
    One query."""
    from accord.alignment.services import carriable_objectives, left_behind

    n = carriable_objectives(org, period).count()
    behind = left_behind(org, period).count()
    if behind:
        noun = singular if behind == 1 else plural
        stays = f"{behind} {noun.lower()} of retired teams stay{'s' if behind == 1 else ''}"
    if not n:
        text = f"{period.name} has no unfinished {plural.lower()} to carry over."
        return f"{text} {stays.capitalize()} behind." if behind else text
    noun = singular if n == 1 else plural
    text = (
        f"Carry {n} unfinished {noun.lower()} of {period.name} into the chosen period? "
        "Any already carried there is skipped"
    )
    return f"{text}; {stays} behind." if behind else f"{text}."
