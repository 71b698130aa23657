"""A form refused because its object changed since it was opened (`core.errors.Stale`):
the refusal says which fields changed meanwhile, their values now, who changed them and
when (from the object's history), keeps what the person typed, and carries the version
the object is at now, so that saving again, once they have seen the changes, saves it.

A field the person left as it was when they opened the form takes the value it has now
(saving again must not undo the other change); one they changed too keeps their typing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict
from django.utils import timezone

from accord.activity.models import Event
from accord.activity.services import target_type_of
from accord.core.errors import Stale
from accord.org.middleware import request_person
from accord.web.templatetags.dates import at_moment

SHOWN_CHARS = 120  # a long text changed meanwhile is quoted up to this many characters


def changes_since(exc: Stale) -> dict[str, tuple[Any, Any, Event]]:
    """The fields of `exc.obj` changed since the version the writer had: name → (value
    before, value now as recorded, the latest event that changed it). Read from the object's
    newest events that changed one of its fields, as many as its version moved on."""
    obj = exc.obj
    moved = obj.version - max(exc.had)
    if moved <= 0 or getattr(obj, "org_id", None) is None:
        return {}
    names = {f.name for f in obj._meta.concrete_fields}
    events = (
        Event.objects.filter(
            org_id=obj.org_id, target_type=target_type_of(obj), target_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[: moved * 3 + 10]
    )
    found: dict[str, tuple[Any, Any, Event]] = {}
    counted = 0
    for event in events:
        fields = [n for n in event.after if n in names and n != "version"]
        if not fields:
            continue  # a vote, a comment…: no change of the object's own fields
        counted += 1
        for name in fields:
            if name in found:  # a later event changed it again: "before" is this one's
                found[name] = (event.before.get(name), found[name][1], found[name][2])
            else:
                found[name] = (event.before.get(name), event.after[name], event)
        if counted >= moved:
            break
    return found


def _same(posted: str | None, value: Any) -> bool:
    """Whether the posted text is `value` as recorded (JSON: ids, ISO dates, booleans)."""
    if isinstance(value, bool):
        return (posted not in (None, "", "false", "False", "0", "off")) == value
    if value is None:
        return posted in (None, "")
    return posted is not None and posted.strip() == str(value).strip()


def _posted(value: Any) -> str | None:
    """A recorded value as a form posts it (None: a checkbox left unticked)."""
    if isinstance(value, bool):
        return "on" if value else None
    return "" if value is None else str(value)


def _label(form: forms.Form, model: type[models.Model], name: str) -> str:
    if name in form.fields and form.fields[name].label:
        return str(form.fields[name].label)
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:  # pragma: no cover - only model fields are listed
        return name.replace("_", " ").capitalize()


def _shown(obj: models.Model, name: str) -> str:
    """The field's value now, as a sentence quotes it."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value in (None, ""):
        return "empty"
    if field.choices:
        value = getattr(obj, f"get_{name}_display")()
    elif isinstance(value, bool):
        return "yes" if value else "no"
    elif isinstance(value, dt.datetime):
        value = f"{timezone.localtime(value):%-d %b %Y %H:%M}"
    elif isinstance(value, dt.date):
        value = f"{value:%-d %b %Y}"
    text = " ".join(str(value).split())
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return f"“{text}”"


def by(event: Event, me: Any) -> str:
    if me is not None and event.actor_id == me.pk:
        return "you"
    return event.actor_name or "Accord"


def last_change(obj: models.Model) -> str:
    """Who last changed `obj` and when, from its history: "Maya Chen dropped it at 19:21"
    ("" when it has none): why an action taken from an older copy of its page was not."""
    event = (
        Event.objects.filter(
            org_id=getattr(obj, "org_id", None),
            target_type=target_type_of(obj),
            target_id=str(obj.pk),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return ""
    from accord.activity.describe import verb_phrase

    who = by(event, request_person())
    did = verb_phrase(event.verb, event.target_type)  # "changed the status of", "dropped"
    return f"{who[0].upper()}{who[1:]} {did} it {at_moment(event.created_at)}"


def _head(obj: models.Model, changed: dict, me: Any) -> str:
    what = obj._meta.verbose_name
    latest = max(
        (e for _, _, e in changed.values()), key=lambda e: (e.created_at, e.pk), default=None
    )
    if latest is not None and me is not None and latest.actor_id == me.pk:
        return (
            f"This {what} was changed since you opened this form "
            "(by you, in another tab or window)."
        )
    return f"This {what} was changed by someone else since you opened this form."


def describe(exc: Stale) -> str:
    """The refusal in a sentence or a few, where no form shows it again (a flash after a
    redirect to the page as it is now): what changed, to what, by whom and when."""
    obj, me = exc.obj, request_person()
    changed = changes_since(exc)
    lines = [f"Nothing was saved. {_head(obj, changed, me)}"]
    for name, (_, _, event) in changed.items():
        label = _label(forms.Form(), type(obj), name)
        lines.append(
            f"{label} is now {_shown(obj, name)} "
            f"(changed by {by(event, me)} {at_moment(event.created_at)})."
        )
    return " ".join(lines)


def refuse(form: forms.Form, exc: Stale) -> None:
    """Say on `form` what changed since it was opened, take the changes into the fields the
    person left alone and carry the object's current version (`form.data` is the request's
    POST, which the templates' hidden `version` input reads), so a second Save saves."""
    obj, me = exc.obj, request_person()
    changed = changes_since(exc)
    form.add_error(None, _head(obj, changed, me))
    data = form.data
    mutable = getattr(data, "_mutable", True)
    if isinstance(data, QueryDict):
        data._mutable = True
    try:
        for name, (before, now, event) in changed.items():
            line = (
                f"{_label(form, type(obj), name)} is now {_shown(obj, name)} "
                f"(changed by {by(event, me)} {at_moment(event.created_at)})"
            )
            key = form.add_prefix(name)
            if name in form.fields and not form.fields[name].disabled:
                if _same(data.get(key), before):
                    value = _posted(now)
                    if value is None:
                        data.pop(key, None)
                    else:
                        data[key] = value
                    line += "; the form shows it now."
                else:
                    line += "; what you typed is kept below."
            else:
                line += "."
            form.add_error(None, line)
        form.add_error(
            None,
            "Check the form: sending it again saves it as it stands."
            if changed
            else "Sending it again saves what you typed over it.",
        )
        data["version"] = str(obj.version)
    finally:
        if isinstance(data, QueryDict):
            data._mutable = mutable
