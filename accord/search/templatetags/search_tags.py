from django import template

from accord.web.templatetags.links import reverse_remembered

register = template.Library()

# The "g then a letter" moves, listed on `?` and carried out by search/search.js.
GO_KEYS = [
    ("h", "web:home", "Home"),
    ("a", "alignment:index", "Alignment"),
    ("c", "coordination:index", "Coordination"),
    ("r", "rhythm:index", "Rhythm"),
    ("d", "decisions:index", "Decisions"),
    ("i", "intelligence:index", "Insights"),
    ("b", "briefings:index", "Briefings"),
    ("t", "org:teams", "Teams"),
    ("p", "org:people", "People"),
    ("y", "web:activity", "Activity"),
]


@register.simple_tag
def go_shortcuts(org):
    return [
        {"key": key, "label": label, "href": reverse_remembered(name, org_slug=org.slug)}
        for key, name, label in GO_KEYS
    ]
