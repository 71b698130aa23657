"""Small server-side SVG pictures: a key result's trend line."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def sparkline(
    points: list[tuple[dt.datetime, float]],
    *,
    target: float | None = None,
    width: int = 140,
    height: int = 32,
    label: str = "",
) -> SafeString:
    """A polyline of the values over time (x by date), with an optional dashed target line."""
    if not points:
        return mark_safe('<span class="muted">no values yet</span>')
    pad = 3
    times = [p[0].timestamp() for p in points]
    values = [p[1] for p in points]
    scale_values = values + ([target] if target is not None else [])
    lo, hi = min(scale_values), max(scale_values)
    t0, t1 = times[0], times[-1]
    span_t = (t1 - t0) or 1.0
    span_v = (hi - lo) or 1.0

    def x(t: float) -> float:
        if t1 == t0:
            return width / 2
        return pad + (t - t0) / span_t * (width - 2 * pad)

    def y(v: float) -> float:
        if hi == lo:
            return height / 2
        return height - pad - (v - lo) / span_v * (height - 2 * pad)

    coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(times, values, strict=True))
    target_line = ""
    if target is not None:
        ty = f"{y(target):.1f}"
        target_line = format_html(
            '<line x1="0" x2="{}" y1="{}" y2="{}" class="spark__target"/>', width, ty, ty
        )
    last_x, last_y = x(times[-1]), y(values[-1])
    desc = f"Trend of {len(values)} values, from {values[0]:g} to {values[-1]:g}"
    if label:
        desc = f"{label}: {desc[0].lower()}{desc[1:]}"
    return format_html(
        '<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{desc}">{target}<polyline points="{coords}" class="spark__line"/>'
        '<circle cx="{lx}" cy="{ly}" r="2.5" class="spark__dot"/></svg>',
        w=width,
        h=height,
        desc=desc,
        target=target_line,
        coords=coords,
        lx=f"{last_x:.1f}",
        ly=f"{last_y:.1f}",
    )
