"""@mentions: a person's handle is the part of their e-mail address before the @ (or the
whole address), a team's is its slug; nobody else's, and nobody of another organization."""

from __future__ import annotations

from accord.conversation import text
from accord.org import services as org_services
from accord.org.models import Role
from tests.conftest import make_person


def test_handles_are_found_once_each_without_trailing_punctuation():
    assert text.handles("Hi @mia.member, and @Leo.Leader. Also @mia.member!") == [
        "mia.member",
        "leo.leader",
    ]
    assert text.handles("mail me at someone@example.com") == []
    assert text.handles("@ada.admin@acme.example please") == ["ada.admin@acme.example"]


def test_a_mention_links_the_person_and_names_them(cast):
    rendered = text.render(cast.org, "Thanks @mia.member.")
    assert rendered.people == [cast.member]
    assert f'href="/o/acme/people/{cast.member.pk}/"' in rendered.html
    assert 'class="mention"' in rendered.html
    assert ">@mia.member</a>." in rendered.html


def test_unknown_names_stay_text(cast):
    rendered = text.render(cast.org, "Hello @nobody.here and @mia")
    assert rendered.people == [] and rendered.teams == []
    assert "@nobody.here" in rendered.html and "<a" not in rendered.html


def test_another_organizations_people_are_never_mentioned(cast):
    # Otto is Globex's: his handle and his whole address mean nobody in Acme.
    rendered = text.render(cast.org, "@otto.outsider and @otto.outsider@globex.example")
    assert rendered.people == []
    assert "<a" not in rendered.html
    # A team slug of another organization neither.
    assert text.render(cast.org, "@labs").teams == []


def test_a_handle_two_people_share_names_nobody_but_the_whole_address_does(cast):
    twin = make_person(cast.other_org, "Mia Member", Role.MEMBER)  # another org: no clash
    assert text.render(cast.org, "@mia.member").people == [cast.member]
    clash = org_services.add_person(
        cast.org, None, name="Mia Other", email="mia.member@elsewhere.example", role="member"
    )
    assert text.render(cast.org, "@mia.member").people == []
    both = text.render(cast.org, "@mia.member@acme.example @mia.member@elsewhere.example")
    assert both.people == [cast.member, clash]
    assert twin not in both.people


def test_inactive_people_are_not_mentioned(cast):
    cast.member.is_active = False
    cast.member.save()
    assert text.render(cast.org, "@mia.member").people == []


def test_a_team_is_mentioned_by_its_address(cast):
    rendered = text.render(cast.org, "Over to @platform")
    assert rendered.teams == [cast.platform]
    assert 'href="/o/acme/teams/platform/"' in rendered.html


def test_mentions_in_code_and_links_stay_text(cast):
    rendered = text.render(
        cast.org, "`@mia.member`\n\n    @leo.leader\n\n[@ada.admin](https://example.com)"
    )
    assert rendered.people == []
    assert 'class="mention"' not in rendered.html


def test_an_address_in_text_is_not_a_mention(cast):
    assert text.render(cast.org, "write to x@mia.member.example").people == []
