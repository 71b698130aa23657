"""A briefing's content as text, Markdown or HTML: the terminal, the e-mail, chat, the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from accord.activity.delivery import site_link
from accord.briefings import compose

FORMATS = ("text", "markdown", "html")

# What a section's "and N more" said before each section named where its rest is listed
# (`compose._more`): briefings stored then link to Insights as it is today.
MORE_LINK = "today's Insights"


def _url(url: str | None, absolute: bool) -> str:
    if not url:
        return ""
    return site_link(url) if absolute and url.startswith("/") else url


# What "and N more" of "What changed" said of its link before it said that the activity
# page lists every event of the week, not only those changes: "the activity of 23-29 Nov".
OLD_CHANGES_LABEL = "the activity of "
# What "and N more" of "At risk" said before it said that N is of the week's end.
OLD_SIGNALS_LABEL = "the signals open now, on Insights"


def _more(section: dict[str, Any], content: dict[str, Any]) -> tuple[str, str]:
    """What a section's "and N more" links to and says: (url, label), ("", "") when no
    page lists the rest (the count alone)."""
    if "more_label" not in section:  # stored before sections said where their rest is
        return section.get("more_url") or "", MORE_LINK
    url, label = section.get("more_url") or "", section["more_label"] or ""
    if label.startswith(OLD_CHANGES_LABEL):  # stored before: say what the link lists
        team = content["scope"]["name"] if "team=" in url else ""
        label = compose.changes_label(label.removeprefix(OLD_CHANGES_LABEL), team)
    if label == OLD_SIGNALS_LABEL:  # stored before: say N is of the week's end
        label = compose.SIGNALS_MORE_LABEL
    return (url, label) if url and label else ("", "")


def _parts(section: dict[str, Any], absolute: bool) -> list[tuple[str, str]]:
    """A section's rest by kind (`compose._rest`): (what, url) each, "" for no list."""
    return [(p["label"], _url(p.get("url"), absolute)) for p in section.get("more_parts") or ()]


def _alone(section: dict[str, Any], absolute: bool) -> tuple[str, str] | None:
    """The words after "and" of a section's "and N more" whose rest is of one kind that says
    it whole ("6 more meetings — see all your teams' meeting series"), and its link."""
    parts = section.get("more_parts") or ()
    if len(parts) == 1 and parts[0].get("alone") and parts[0].get("url"):
        return parts[0]["alone"], _url(parts[0]["url"], absolute)
    return None


# The sub-headings of a section whose lines are in groups ("Coming up": the reader's own
# meetings and what falls due to them, then their teams'), in the order they come.
GROUP_TITLES = {"yours": "Yours", "teams": "Your teams'"}


def groups(section: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A section's lines under their sub-headings: [(sub-heading, lines)], one ("", all of
    them) when its lines are not in two groups or more (most sections; a team's briefing;
    one stored before its lines said theirs). The text, Markdown and HTML alike."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for it in section["items"]:
        title = GROUP_TITLES.get(it.get("group", ""), "")
        if out and out[-1][0] == title:
            out[-1][1].append(it)
        else:
            out.append((title, [it]))
    if len(out) < 2 or not all(title for title, _ in out):
        return [("", list(section["items"]))]
    return out


def text(content: dict[str, Any], *, absolute: bool = True) -> str:
    lines = [content["title"], "", content["headline"]["text"]]
    if content.get("quiet"):
        lines += ["", content["quiet_text"]]
    for section in content["sections"]:
        lines += ["", section["title"]]
        if section.get("empty") and not section["items"]:
            lines.append(section["empty"])
        for sub, items in groups(section):
            if sub:
                lines.append(f"{sub}:")
            for it in items:
                link = _url(it.get("url"), absolute)
                lines.append(f"- {it['text']}" + (f" <{link}>" if link else ""))
        if alone := _alone(section, absolute):
            lines.append(f"- and {alone[0]} <{alone[1]}>")
        elif section["more"] and section.get("more_parts"):
            kinds = [f"{what} <{url}>" if url else what for what, url in _parts(section, absolute)]
            lines.append(f"- and {section['more']} more: " + "; ".join(kinds))
        elif section["more"]:
            url, label = _more(section, content)
            where = f": {label} <{_url(url, absolute)}>" if url else ""
            lines.append(f"- and {section['more']} more{where}")
    return "\n".join(lines) + "\n"


def _md_escape(s: str) -> str:
    return s.replace("[", "\\[").replace("]", "\\]")


def markdown(content: dict[str, Any], *, absolute: bool = True) -> str:
    lines = [f"# {content['title']}", "", content["headline"]["text"]]
    if content.get("quiet"):
        lines += ["", content["quiet_text"]]
    for section in content["sections"]:
        lines += ["", f"## {section['title']}", ""]
        if section.get("empty") and not section["items"]:
            lines.append(_md_escape(section["empty"]))
        for sub, items in groups(section):
            if sub:
                lines += [""] if lines[-1] else []
                lines += [f"### {_md_escape(sub)}", ""]
            for it in items:
                link = _url(it.get("url"), absolute)
                label = _md_escape(it["text"])
                lines.append(f"- [{label}]({link})" if link else f"- {label}")
        if alone := _alone(section, absolute):
            lines.append(f"- and [{_md_escape(alone[0])}]({alone[1]})")
        elif section["more"] and section.get("more_parts"):
            kinds = [
                f"[{_md_escape(what)}]({url})" if url else _md_escape(what)
                for what, url in _parts(section, absolute)
            ]
            lines.append(f"- and {section['more']} more: " + "; ".join(kinds))
        elif section["more"]:
            url, label = _more(section, content)
            where = f": [{_md_escape(label)}]({_url(url, absolute)})" if url else ""
            lines.append(f"- and {section['more']} more{where}")
    return "\n".join(lines) + "\n"


def html(content: dict[str, Any], *, absolute: bool = True, heading: bool = False) -> str:
    """The briefing's body as an HTML fragment (the page wraps it; so does the e-mail),
    under its title with `heading` (as the text starts: the e-mail's)."""
    sections = [
        {
            **s,
            "items": [{**it, "url": _url(it.get("url"), absolute)} for it in s["items"]],
            "groups": [
                (sub, [{**it, "url": _url(it.get("url"), absolute)} for it in items])
                for sub, items in groups(s)
            ],
            "more_url": _url(_more(s, content)[0], absolute),
            "more_label": _more(s, content)[1],
            "more_parts": [{"label": w, "url": u} for w, u in _parts(s, absolute)],
            "more_alone": _alone(s, absolute),
        }
        for s in content["sections"]
    ]
    return render_to_string(
        "briefings/_body.html", {"b": {**content, "sections": sections}, "heading": heading}
    )


def in_zone(content: dict[str, Any], tz: str) -> dict[str, Any]:
    """The content with the meetings of "Coming up" at their times in zone `tz`, and the
    headline's date the signals were recorded from in it, for a page read by someone in
    that zone (a team's briefing is built in UTC; a person's in the zone they had then).
    Stored before its meetings (or that date) carried their moments, or with nothing to
    say in another zone, it is returned as it is (its title says whose times)."""
    z = compose.zone(tz)
    if z.key == content.get("timezone"):
        return content
    headline = content.get("headline") or {}
    if headline.get("recorded_from"):  # where the signals' history begins: a date there
        moment = dt.datetime.fromisoformat(headline["recorded_from"])
        built = compose.recorded_from_words(moment, compose.zone(content.get("timezone")))
        here = compose.recorded_from_words(moment, z)
        text = headline["text"].replace(built, here)
        content = {**content, "headline": {**headline, "text": text}}
    sections = []
    for s in content["sections"]:
        meetings = [it for it in s["items"] if it.get("target_type") == "rhythm.cadence"]
        timed = [it for it in meetings if not it["text"].endswith("(all day).")]
        if s["key"] != "coming_up" or not timed or not all("at" in it for it in timed):
            sections.append(s)
            continue
        items = [
            {**it, "text": compose.meeting_line(it["name"], dt.datetime.fromisoformat(it["at"]), z)}
            if "at" in it
            else it
            for it in s["items"]
        ]
        sections.append({**s, "title": compose.coming_up_title(z.key), "items": items})
    return {**content, "sections": sections}


def summary(content: dict[str, Any], *, absolute: bool = True) -> str:
    """A few lines for a team's chat: the headline and each section's first lines."""
    lines = [content["headline"]["text"]]
    if content.get("quiet"):
        lines.append(content["quiet_text"])
    for section in content["sections"]:
        if section.get("empty") and not section["items"]:
            lines.append(f"{section['title']}: {section['empty'].rstrip('.')}")
            continue
        first = section["items"][:2]
        rest = len(section["items"]) - len(first) + section["more"]
        lines.append(
            f"{section['title']}: "
            + "; ".join(it["text"].rstrip(".") for it in first)
            + (f" (and {rest} more)" if rest else "")
        )
    return "\n".join(lines)


def render(content: dict[str, Any], fmt: str, *, absolute: bool = True) -> str:
    return {"text": text, "markdown": markdown, "html": html}[fmt](content, absolute=absolute)
