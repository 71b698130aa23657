"""How a page says when an occurrence is: a moment in the reader's zone, or for an all-day
cadence its date (in the cadence's own zone: a release day is the same date for everyone).

    {{ occ|occ_when:tz }}   Tue 3 Mar 2026, 10:00   or   Tue 3 Mar 2026 (all day)
    {{ occ|occ_span:tz }}   Tue 3 Mar 2026, 10:00-11:00   or   Tue 3 Mar 2026 (all day)
    {{ cadence.rrule|schedule }}   Every other week on Wednesday   (a rule the schedule
                                   picker cannot say stays the rule, as code)
    {{ cadence.rrule|schedule:cadence.start_date }}   Once, on 8 Dec 2026   (a meeting held
                                   once says its day)
    {{ cadence|cadence_schedule }}   Every week on Thursday at 16:00 Europe/Berlin (its
                                   days are its own zone's: named beside them)
"""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as django_format
from django.utils.html import format_html

from accord.rhythm import recurrence
from accord.rhythm.picker import in_words
from accord.web.templatetags.dates import weekday, weekday_moment

register = template.Library()


def occurrence_when(occ: recurrence.Occurrence, tz: str | None = None) -> str:
    """The occurrence's date "(all day)", or its start in `tz` (default: its own zone)."""
    if occ.all_day:
        return f"{weekday(occ.day)} (all day)"
    return weekday_moment(occ.local_start(tz))


@register.filter
def occ_when(occ: recurrence.Occurrence, tz: str | None = None) -> str:
    return occurrence_when(occ, tz)


@register.filter
def occ_span(occ: recurrence.Occurrence, tz: str | None = None) -> str:
    if occ.all_day:
        return occurrence_when(occ, tz)
    end = django_format(occ.local_end(tz), "H:i")
    return f"{weekday_moment(occ.local_start(tz))}\u2013{end}"  # an en dash, as pages write


@register.filter
def schedule(rule: str, start=None) -> str:
    """A recurrence rule as its schedule in words, or the rule itself where no words fit;
    `start`, the cadence's first day, names the day of one held once."""
    said = in_words(rule, start=start)
    return format_html("{}", said) if said else format_html("<code>{}</code>", rule)


@register.filter
def cadence_schedule(cadence) -> str:
    """A cadence's schedule in words with its time and zone, as a list beside times in the
    reader's zone says it: the rule's days are those of the cadence's zone."""
    if cadence.all_day or cadence.time is None:
        at = f"all day ({cadence.timezone})"  # as the cadence's page says it
    else:
        at = f"at {cadence.time:%H:%M} {cadence.timezone}"
    said = in_words(cadence.rrule, at, start=cadence.start_date)
    if said:
        return format_html("{}", said)
    return format_html("<code>{}</code> {}", cadence.rrule, at)


@register.filter
def dom_id(value: str) -> str:
    """An agenda reference ("issues:action:12") as a piece of an HTML id ("issues-action-12")."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in str(value))


@register.simple_tag
def source_name(org, item, named: str = "") -> str:
    """Where an action item came from, as its page names it (`named`), but a meeting by the
    day it was held (`Meeting.held_name`: started early, the day it started), which is when
    the item was agreed."""
    from accord.rhythm.models import Meeting

    if item.source_type != "rhythm.meeting" or not item.source_id:
        return named
    found = Meeting.objects.for_org(org).filter(pk=item.source_id).select_related("cadence")
    m = found.first()
    return m.held_name if m is not None else named
