"""The one way Accord writes numbers (a built-in filter of every template).

    {{ n|num }}    12,345     a count, grouped by thousands: "99786 people" reads as a
                   3.5        code; a measurement keeps its decimals (at most two),
                   —          and nothing to show is a dash; text ("1,000+", written
                              in Python by the same rule) is shown as it is

    {{ n|plain }}  13.9       a number in a form's field: no grouping, no needless zeros,
                              nothing rounded away; nothing to show is empty

Identifiers and page numbers that go into addresses and form values stay as they are
(`{{ page.number }}`, `{{ p.pk }}`): a grouped "1,000" would not be read back.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value) -> str:
    """A number without needless decimals: 12, 3.5, 1,250."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.filter
def plain(value) -> str:
    """A number as a form's field holds it: no grouping and no needless zeros, but nothing
    rounded away (a stored 13.9000 is 13.9, 0.1234 stays); nothing to show is empty."""
    if value is None or value == "":
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def counted(n: int, word: str, plural: str | None = None) -> str:
    """`n` of `word` as a sentence says it: "1 day", "3 days", "1,200 people"."""
    return f"{num(n)} {word if n == 1 else (plural or word + 's')}"
