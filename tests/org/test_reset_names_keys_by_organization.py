"""After choosing a new password with *Forgot your password?*, someone whose login serves
two organizations reads, on the page they land on, what still opens Accord without that
password in each organization, each count a link to the page that revokes it."""

from __future__ import annotations

import re

from accord.api import services as api_services
from accord.org import services
from accord.rhythm import services as rhythm_services
from tests.org.test_forgot_password import ask, choose_new, reset_link, work


def test_the_keys_are_listed_by_organization_with_links_to_revoke_them(cast, smtp):
    globex_mia = services.add_person(
        cast.other_org, None, name="Mia Member", email=cast.member.email, user=cast.member.user
    )
    api_services.create_token(cast.org, cast.member, "laptop")
    api_services.create_token(cast.org, cast.member, "script")
    rhythm_services.create_feed(cast.org, cast.member, person=cast.member)
    api_services.create_token(cast.other_org, globex_mia, "someone's")
    gone = api_services.create_token(cast.other_org, globex_mia, "revoked")[0]
    api_services.revoke_token(cast.other_org, globex_mia, gone)
    ask(cast.member.email)
    assert work() == 1
    client, done = choose_new(reset_link(smtp))
    landed = client.get(done["Location"], follow=True)
    html = " ".join(landed.content.decode().split())
    assert (
        "This login has "
        '<a href="/o/acme/settings/tokens/">2 API tokens</a> and '
        '<a href="/o/acme/rhythm/settings/#cal-h">1 calendar feed</a> in Acme; '
        '<a href="/o/globex/settings/tokens/">1 API token</a> in Globex: '
        "revoke any you did not make."
    ) in html
    # Each link opens the page that lists them, for this login.
    for path in re.findall(r'href="(/o/[^"#]+)[^"]*">\d', html):
        assert client.get(path).status_code == 200, path


def test_an_organizations_name_is_shown_as_text(cast, smtp):
    cast.org.name = "<b>Acme</b>"
    cast.org.save(update_fields=["name"])
    api_services.create_token(cast.org, cast.member, "laptop")
    ask(cast.member.email)
    assert work() == 1
    client, done = choose_new(reset_link(smtp))
    page = client.get(done["Location"], follow=True).content.decode()
    assert "1 API token</a> in &lt;b&gt;Acme&lt;/b&gt;: revoke any you did not make." in page
