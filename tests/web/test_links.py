"""`{% url %}` remembers the addresses it reversed, and writes the same ones Django's would."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from accord.web.templatetags import links


@pytest.fixture(autouse=True)
def fresh_memory():
    links._reversed.cache_clear()
    yield
    links._reversed.cache_clear()


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_writes_what_reverse_writes_for_positional_and_named_arguments():
    out = render(
        "{% url 'org:team' slug 'platform' %}|{% url 'org:team' org_slug=slug team_slug=t %}",
        slug="acme",
        t="web-mobile",
    )
    first = reverse("org:team", args=["acme", "platform"])
    second = reverse("org:team", kwargs={"org_slug": "acme", "team_slug": "web-mobile"})
    assert out == f"{first}|{second}"


def test_the_same_link_is_reversed_once():
    template = Template("{% url 'org:team' 'acme' t %}")
    for _ in range(3):
        template.render(Context({"t": "platform"}))
    template.render(Context({"t": "data"}))
    info = links._reversed.cache_info()
    assert (info.misses, info.hits) == (2, 2)


def test_a_new_script_prefix_gives_new_addresses():
    template = Template("{% url 'org:team' 'acme' 'platform' %}")
    assert template.render(Context()) == "/o/acme/teams/platform/"
    set_script_prefix("/accord/")
    try:
        assert template.render(Context()) == "/accord/o/acme/teams/platform/"
    finally:
        clear_script_prefix()
    assert template.render(Context()) == "/o/acme/teams/platform/"


@override_settings(ROOT_URLCONF="tests.web.other_urls")
def test_another_url_configuration_is_not_served_remembered_addresses():
    assert render("{% url 'org:team' 'acme' 'platform' %}") == "/elsewhere/acme/platform/"


def test_a_link_reversed_before_a_url_configuration_changes_is_forgotten():
    assert render("{% url 'org:team' 'acme' 'platform' %}") == "/o/acme/teams/platform/"
    with override_settings(ROOT_URLCONF="tests.web.other_urls"):
        assert render("{% url 'org:team' 'acme' 'platform' %}") == "/elsewhere/acme/platform/"
    assert render("{% url 'org:team' 'acme' 'platform' %}") == "/o/acme/teams/platform/"


def test_arguments_other_than_text_and_numbers_are_reversed_each_time():
    # True equals 1 as a key, but its text is "True": never served the address of 1.
    assert render("{% url 'alignment:objective' 'acme' n %}", n=1) == reverse(
        "alignment:objective", args=["acme", 1]
    )
    with pytest.raises(NoReverseMatch):
        render("{% url 'alignment:objective' 'acme' n %}", n=True)
    assert links._reversed.cache_info().currsize == 1


def test_unknown_names_fail_as_before_and_as_var_swallows_them():
    with pytest.raises(NoReverseMatch):
        render("{% url 'org:no_such_page' 'acme' %}")
    assert render("{% url 'org:no_such_page' 'acme' as link %}[{{ link }}]") == "[]"
    assert render("{% url 'org:teams' 'acme' as link %}[{{ link }}]") == "[/o/acme/teams/]"
    assert links._reversed.cache_info().currsize == 1  # failures are not remembered


def test_the_current_application_is_part_of_what_is_remembered():
    request = RequestFactory().get("/")
    request.current_app = "admin"
    context = Context()
    context.request = request
    out = Template("{% url 'admin:index' %}").render(context)
    assert out == reverse("admin:index", current_app="admin")
    assert links._reversed.cache_info().currsize == 1


def test_the_shells_navigation_reverses_through_the_same_memory():
    first = links.reverse_remembered("org:teams", org_slug="acme")
    assert first == links.reverse_remembered("org:teams", org_slug="acme") == "/o/acme/teams/"
    assert render("{% url 'org:teams' org_slug='acme' %}") == first
    info = links._reversed.cache_info()
    assert (info.misses, info.hits) == (1, 2)
