"""How signals and health are computed, for everyone in the organization; admins change the
thresholds and weights here (`services.update_settings`, as the API's
`PUT /api/v1/signal-kinds/settings`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from accord.intelligence import config as config_mod
from accord.intelligence import services
from accord.intelligence.models import DIMENSIONS, IntelligenceSettings
from accord.intelligence.registry import discover
from accord.org.models import Role
from accord.web.helpers import flash_error, int_or_none, org_view
from accord.web.views import history_for

# A threshold's name ends with its unit when it has one: `still_days`, `drop_pct`.
UNITS = {"days": "days", "weeks": "weeks", "hours": "hours", "pct": "%", "points": "points"}
WORDS = {"min": "minimum", "max": "maximum"}
STALE = (
    "Someone else changed these settings after you opened this page, so nothing of yours was saved."
)
SAVED = (
    "Settings saved. They apply from the next evaluation, which Accord runs within a few minutes."
)


def threshold_label(name: str) -> tuple[str, str]:
    """A threshold's name in words, and its unit if the name says it:
    `missed_in_a_row` → ("Missed in a row", ""), `min_slip_days` → ("Minimum slip", "days")."""
    parts = name.split("_")
    unit = ""
    if len(parts) > 1 and parts[-1] in UNITS:
        unit = UNITS[parts.pop()]
    words = [WORDS.get(p, p) for p in parts]
    return " ".join(words).capitalize(), unit


def number(value: Any) -> str:
    """A setting as a person writes it: 5, 0.25, 1.5 (never 5.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def anchor(kind: str) -> str:
    return "d-" + kind.replace(".", "-")


def fraction_unit(noun: str, default: Any) -> str:
    """How a share of 1 reads beside its field, tying it to the description's words:
    ("share", 0.25) → "share, 0 to 1: 0.25 is 25%"."""
    if noun != "share":
        return f"{noun}, 0 to 1"
    return f"share, 0 to 1: {number(default)} is {number(round(default * 100, 6))}%"


def _field(path: str, label: str, unit: str, value: Any, default: Any, posted, errors) -> dict:
    shown = posted.get(path, "") if posted is not None else number(value)
    bounds = config_mod.limits(path, default)
    return {
        "path": path,
        "id": "f-" + path.replace(".", "-"),
        "label": label,
        # As a message names it: "Horizon (days)", "Share" (its unit is explained beside it).
        "name": f"{label} ({unit})" if unit and not bounds.noun else label,
        "unit": fraction_unit(bounds.noun, default) if bounds.noun else unit,
        "value": shown,
        "default": number(default),
        "changed": value != default,
        "min": number(bounds.low),
        "max": number(bounds.high),
        "step": "1" if bounds.whole else "any",
        "errors": errors.get(path, []),
    }


def page_context(org, posted=None, errors: dict | None = None) -> dict:
    """Every detector by dimension and the health rules, with the organization's values
    (or what was just submitted, when it was refused) and the documented defaults."""
    errors = errors or {}
    cfg, known = config_mod.for_org(org), config_mod.defaults()
    catalogue = discover()
    by_dimension: dict[str, list[dict]] = {d: [] for d in DIMENSIONS}
    for kind in sorted(catalogue, key=lambda k: catalogue[k].title.lower()):
        det = catalogue[kind]
        values = cfg.detectors[kind]
        enabled = posted.get(f"{kind}.enabled") == "on" if posted is not None else values["enabled"]
        thresholds = []
        for name, default in det.defaults.items():
            if name == "enabled":
                continue
            label, unit = threshold_label(name)
            field = _field(f"{kind}.{name}", label, unit, values[name], default, posted, errors)
            thresholds.append(field)
        by_dimension.setdefault(det.dimension, []).append(
            {
                "kind": kind,
                "anchor": anchor(kind),
                "title": det.title,
                "description": det.description,
                "enabled": enabled,
                "enabled_errors": errors.get(f"{kind}.enabled", []) + errors.get(kind, []),
                "thresholds": thresholds,
                "changed": values != known.detectors[kind],
            }
        )
    health, defaults = cfg.health, config_mod.HEALTH_DEFAULTS

    def rule(key: str, name: str | None, label: str, unit: str) -> dict:
        path = f"health.{key}.{name}" if name else f"health.{key}"
        value = health[key][name] if name else health[key]
        default = defaults[key][name] if name else defaults[key]
        return _field(path, label, unit, value, default, posted, errors)

    weights = [rule("weights", d, d.capitalize(), "") for d in DIMENSIONS]
    penalty = [rule("penalty", s, s.capitalize(), "points") for s in defaults["penalty"]]
    measures = [
        rule("checkin_points", None, "Every check-in late", "points"),
        rule("unaligned_points", None, "Every initiative unaligned", "points"),
    ]
    row = IntelligenceSettings.objects.filter(org=org).values_list("pk", "version").first()
    return {
        "dimensions": [(d, by_dimension[d]) for d in by_dimension if by_dimension[d]],
        "detector_count": len(catalogue),
        "weights": weights,
        "weights_errors": errors.get("health.weights", []),
        "penalty": penalty,
        "measures": measures,
        "health_changed": health != defaults,
        "version": row[1] if row else 1,
        "history": history_for(org, "intelligence.intelligencesettings", row[0]) if row else [],
        "reset_all": services.RESET_ALL,
        "reset_health": services.RESET_HEALTH,
    }


def in_page_words(context: dict, errors: dict | None) -> str:
    """The first refused value as the page names it, e.g. "Overloaded team: Horizon (days):
    Enter a whole number from 1 to 3,650." (the service names it by its path,
    `load.overloaded: horizon_days: …`, which is right for the API, not for a person)."""
    if not errors:
        return ""
    path, problems = next(iter(errors.items()))
    if not problems:
        return ""
    places: list[tuple[str, list[dict]]] = [
        (det["title"], det["thresholds"]) for _, dets in context["dimensions"] for det in dets
    ]
    places += [
        ("Health score, weight of each dimension in overall", context["weights"]),
        ("Health score, points a live signal costs", context["penalty"]),
        ("Health score, points the measures cost at most", context["measures"]),
    ]
    for where, fields in places:
        for f in fields:
            if f["path"] == path:
                return f"{where}: {f['name']}: {problems[0]}"
    return ""


def _can_edit(request) -> bool:
    me = request.person
    return me is not None and me.is_active and me.has_role(Role.ADMIN)


@org_view
def settings_page(request):
    org = request.org
    posted, errors, problem, status = None, None, "", 200
    if request.method == "POST":
        detectors, health = config_mod.from_form(request.POST)
        before = int_or_none(request.POST.get("version"))
        try:
            row = services.update_settings(
                org, request.person, detectors=detectors, health=health, expected_version=before
            )
        except Conflict:
            # Show what is saved now, not what was typed over an older copy: saving that
            # again would undo the other change without anyone having seen it.
            problem, status = STALE + " These are the settings as they are now.", 409
        except (PermissionDenied, NotFound):
            raise
        except ServiceError as exc:
            problem, status = exc.message, 422
            posted, errors = request.POST, exc.fields
        else:
            if row.version == before:
                messages.info(request, "Nothing changed: every value was already as saved.")
            else:
                messages.success(request, SAVED)
            return redirect("intelligence:settings", org_slug=org.slug)
    context = page_context(org, posted, errors)
    first_error = next(iter(errors or {}), "")
    context.update(
        can_edit=_can_edit(request),
        problem=in_page_words(context, errors) or problem,
        first_error=("f-" + first_error.replace(".", "-")) if "." in first_error else "",
    )
    return render(request, "intelligence/settings.html", context, status=status)


@org_view
@require_POST
def settings_reset(request):
    org = request.org
    part = request.POST.get("part", "")
    try:
        services.reset_settings(
            org,
            request.person,
            part,
            expected_version=int_or_none(request.POST.get("version")),
        )
    except Conflict:
        messages.error(request, STALE + " Here they are as they are now.")
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        det = discover().get(part)
        if det is not None:
            what = f"{det.title} is"
        elif part == services.RESET_HEALTH:
            what = "The health rules are"
        else:
            what = "Every detector and the health rules are"
        messages.success(
            request,
            f"{what} back to the documented defaults. The next evaluation, within a few "
            "minutes, applies them.",
        )
    return redirect("intelligence:settings", org_slug=org.slug)
