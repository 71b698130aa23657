"""The one way Accord writes dates and times (a built-in filter family of every template).

    {{ d|day }}       1 Dec 2026            a date, or a moment's date
    {{ t|moment }}    1 Dec 2026, 14:05     a moment: date and time of day
    {{ d|weekday }}   Tue 1 Dec 2026        a date in a schedule, where the weekday helps
    {{ t|weekday_moment }}  Tue 1 Dec 2026, 14:05
    {{ t|when }}      "15 minutes ago" within the last day, else as `moment`
    {{ d|day_span:e }}  23-29 Nov 2026     the days from d to e (a week), the month and year
                        they share said once, with an en dash: 30 Nov - 6 Dec 2026
    {{ d|soon }}      today / tomorrow / ""  a due date that is the organization's day or
                        the next, for a tag beside it ("overdue" counts on the same day)

Every date carries its year: "22 Aug" leaves the reader to guess which one. Times use the
24-hour clock, in the current time zone: on an organization's pages the signed-in person's
own (`accord.org.middleware`); a template's `{% timezone %}` or `|timezone:tz` chooses
another. ISO strings, as events store them, are accepted too. Machine formats
(`date:'c'` in a `datetime` attribute, form inputs) keep Django's `date` filter.

Texts built in Python (agendas, reminders, briefings, messages) call the same functions:
`from accord.web.templatetags.dates import day, weekday_moment`; a moment is written in
the zone it carries, so convert it first (`weekday_moment(start.astimezone(tz))`).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.timesince import timesince

from accord.core.days import org_today

register = template.Library()

DAY = "j M Y"
MOMENT = "j M Y, H:i"
WEEKDAY = "D j M Y"
WEEKDAY_MOMENT = "D j M Y, H:i"


def as_date_or_time(value) -> dt.date | dt.datetime | None:
    """A date or an aware moment from a date, a datetime or an ISO string; else None."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (
                dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            return None
        if isinstance(value, dt.datetime):  # stored text: shown in the current time zone
            if timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)
            return timezone.localtime(value)
    if isinstance(value, dt.datetime):
        # Templates hand filters moments already in the current zone, or in the zone a
        # `|timezone:tz` chose; that zone is kept.
        return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)
    if isinstance(value, dt.date):
        return value
    return None


def _fmt(value, pattern: str, date_pattern: str | None = None) -> str:
    parsed = as_date_or_time(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(parsed, dt.datetime) and date_pattern:
        pattern = date_pattern
    return django_format(parsed, pattern)


@register.filter(expects_localtime=True)
def day(value) -> str:
    return _fmt(value, DAY)


@register.filter(expects_localtime=True)
def moment(value) -> str:
    return _fmt(value, MOMENT, DAY)


@register.filter(expects_localtime=True)
def weekday(value) -> str:
    return _fmt(value, WEEKDAY)


@register.filter(expects_localtime=True)
def weekday_moment(value) -> str:
    return _fmt(value, WEEKDAY_MOMENT, WEEKDAY)


@register.filter(expects_localtime=True)
def when(value) -> str:
    """Recent moments read as "3 hours ago"; older ones, and future ones, as a moment."""
    parsed = as_date_or_time(value)
    if not isinstance(parsed, dt.datetime):
        return _fmt(value, DAY)
    age = timezone.now() - parsed
    if dt.timedelta(0) <= age < dt.timedelta(minutes=1):
        return "just now"
    if dt.timedelta(0) <= age < dt.timedelta(days=1):
        return f"{timesince(parsed, depth=1)} ago"
    return django_format(parsed, MOMENT)


@register.filter
def soon(value) -> str:
    """The tag beside a due or need-by date that says it is close: "today" or "tomorrow"
    for the organization's day (`org_today`, the day "overdue" and "late" are counted on)
    or the next one; "" for any other date, and for none."""
    parsed = as_date_or_time(value)
    if parsed is None:
        return ""
    if isinstance(parsed, dt.datetime):
        parsed = parsed.date()
    days = (parsed - org_today()).days
    return {0: "today", 1: "tomorrow"}.get(days, "")


def at_moment(moment: dt.datetime) -> str:
    """When something happened, as a sentence says it: "at 19:21" today, else "on 6 Dec at
    19:21" (in the reader's zone): who changed what, while a form was open."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"at {local:%H:%M}"
    return f"on {local:%-d %b} at {local:%H:%M}"


@register.filter(expects_localtime=True)
def day_span(first, last) -> str:
    """The days from `first` to `last` (dates, moments or ISO strings) as people write a
    week, with an en dash (here a hyphen): "23-29 Nov 2026", "30 Nov - 6 Dec 2026", "28 Dec
    2026 - 3 Jan 2027"; one day as `day`."""
    a, b = as_date_or_time(first), as_date_or_time(last)
    if a is None or b is None:
        return day(first if b is None else last)
    if isinstance(a, dt.datetime):
        a = a.date()
    if isinstance(b, dt.datetime):
        b = b.date()
    if a == b:
        return day(a)
    if a.year != b.year:
        return f"{day(a)} \u2013 {day(b)}"
    if a.month != b.month:
        return f"{django_format(a, 'j M')} \u2013 {day(b)}"
    return f"{django_format(a, 'j')}\u2013{day(b)}"
