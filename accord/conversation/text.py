"""A comment's Markdown made into safe HTML, with its @mentions found and linked.

- Markdown: markdown-it-py's CommonMark with strikethrough and tables; raw HTML in the
  source is shown as text, never passed through.
- Sanitizing: nh3 (the Ammonia sanitizer) then keeps only a fixed set of tags and
  attributes and the http, https and mailto schemes: no script, no style, no event
  handler attribute, no image, no `javascript:` or `data:` link survives, whatever the
  Markdown parser let through. Links get rel="noopener noreferrer nofollow".
- Mentions: `@handle`, where a person's handle is the part of their e-mail address
  before the @ (maya.chen@northwind.example is @maya.chen), or their whole address
  (`@maya.chen@northwind.example`) when two people share a handle; a team is
  `@team-slug` (its address in Accord). Only active people and teams of the comment's own
  organization are found; anything else stays plain text. Mentions inside code and
  links are text too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.token import Token

from accord.org.models import Organization, Person, Team

MAX_MENTIONS = 50  # distinct handles looked up per comment; more stay text

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}

# A handle starts after a space or punctuation (not inside a word or an address) and may
# be followed by @domain (a whole e-mail address). Trailing dots are the sentence's.
MENTION = re.compile(
    r"(?<![\w.@/+-])@([a-z0-9](?:[a-z0-9._+-]*[a-z0-9])?(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?)",
    re.IGNORECASE,
)

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["strikethrough", "table"])


@dataclass
class Rendered:
    html: str
    people: list[Person] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)


def handles(text: str) -> list[str]:
    """The mention handles written in `text`, lower-cased, in order, each once."""
    return list(dict.fromkeys(m.group(1).lower() for m in MENTION.finditer(text)))


def resolve(org: Organization, wanted: list[str]) -> dict[str, Person | Team]:
    """Which of `wanted` handles name someone (or a team) of `org`: at most two queries.
    A handle two people share names nobody (write the whole address)."""
    wanted = wanted[:MAX_MENTIONS]
    if not wanted:
        return {}
    addresses = [h for h in wanted if "@" in h]
    locals_ = [h for h in wanted if "@" not in h]
    query = Q()
    for h in addresses:
        query |= Q(email__iexact=h)
    for h in locals_:
        query |= Q(email__istartswith=f"{h}@")
    found: dict[str, list[Person]] = {}
    for person in Person.objects.for_org(org).filter(query, is_active=True):
        email = person.email.lower()
        local = email.split("@", 1)[0]
        for key in (email, local):
            if key in wanted:
                found.setdefault(key, []).append(person)
    out: dict[str, Person | Team] = {k: v[0] for k, v in found.items() if len(v) == 1}
    rest = [h for h in locals_ if h not in found]
    if rest:
        for team in Team.objects.for_org(org).filter(slug__in=rest):
            out[team.slug] = team
    return out


def _link(org: Organization, target: Person | Team, text: str) -> str:
    if isinstance(target, Person):
        href = reverse("org:person", kwargs={"org_slug": org.slug, "person_id": target.pk})
        title = target.name
    else:
        href = reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": target.slug})
        title = f"Team {target.name}"
    return f'<a class="mention" href="{escape(href)}" title="{escape(title)}">{escape(text)}</a>'


def _text_tokens(tokens: list[Token]):
    """Every text token outside links and code, with its siblings list."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for child in token.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield token, child


def render(org: Organization, body: str) -> Rendered:
    """Safe HTML for `body` and the people and teams it mentions (each once, in order)."""
    tokens = _md.parse(body)
    texts = list(_text_tokens(tokens))
    found = resolve(org, handles(" ".join(t.content for _, t in texts)))
    mentioned: dict[tuple[str, int], Person | Team] = {}
    if found:
        for parent, child in texts:
            if "@" not in child.content:
                continue
            pieces: list[Token] = []
            last = 0
            for m in MENTION.finditer(child.content):
                target = found.get(m.group(1).lower())
                if target is None:
                    continue
                mentioned.setdefault((type(target).__name__, target.pk), target)
                pieces.append(_plain(child.content[last : m.start()]))
                html = Token("html_inline", "", 0)
                html.content = _link(org, target, m.group(0))
                pieces.append(html)
                last = m.end()
            if pieces:
                pieces.append(_plain(child.content[last:]))
                at = parent.children.index(child)  # type: ignore[union-attr]
                parent.children[at : at + 1] = pieces  # type: ignore[index]
    html = _md.renderer.render(tokens, _md.options, {})
    return Rendered(
        html=sanitize(html),
        people=[t for t in mentioned.values() if isinstance(t, Person)],
        teams=[t for t in mentioned.values() if isinstance(t, Team)],
    )


def _plain(text: str) -> Token:
    token = Token("text", "", 0)
    token.content = text
    return token


def sanitize(html: str) -> str:
    """Only the tags, attributes and link schemes above; everything else is dropped."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def excerpt(body: str, length: int = 280) -> str:
    """The first words of a comment's source, on one line, for notices."""
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
