"""Someone in two organizations tells their e-mail apart before opening it: an
organization's e-mail is from "<its name> via Accord" at the configured address, and its
`List-Id` names the organization for mail filters, sent to a real local SMTP server. A
message about the login itself (a link to choose a new password) belongs to no
organization and is sent as `DEFAULT_FROM_EMAIL` reads."""

from __future__ import annotations

import datetime as dt
import re
from email.header import decode_header, make_header
from email.utils import parseaddr

from django.db import transaction
from django.utils import timezone

from accord.activity import delivery
from accord.org import password_resets, services
from accord.org.models import Organization


def listed(mail) -> tuple[str, str]:
    """(name, id) of a message's List-Id, decoded."""
    return parseaddr(str(mail["List-Id"]))


def later() -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=1)


def tell(org, person, key: str = "signal:7") -> None:
    with transaction.atomic():
        delivery.notify(
            org,
            kind="signal_critical",
            key=key,
            subject="Jonas Mensah gave you an action item: ship it",
            text="Due Friday.",
            people=[person],
        )


def test_two_organizations_mail_one_login_under_their_own_names(cast, smtp):
    # The consultant: one login, a person in Acme and one in Globex.
    globex_mia = services.add_person(
        cast.other_org, None, name="Mia Member", email=cast.member.email, user=cast.member.user
    )
    tell(cast.org, cast.member)
    tell(cast.other_org, globex_mia)
    assert delivery.deliver(now=later())["sent"] == 2
    by_list = {listed(m): m for m in smtp.messages}
    assert set(by_list) == {("Acme", "acme.localhost"), ("Globex", "globex.localhost")}
    acme, globex = by_list["Acme", "acme.localhost"], by_list["Globex", "globex.localhost"]
    assert str(acme["From"]) == "Acme via Accord <accord@localhost>"
    assert str(globex["From"]) == "Globex via Accord <accord@localhost>"
    # The subject stays the caller's.
    assert acme["Subject"] == globex["Subject"] == "Jonas Mensah gave you an action item: ship it"


def test_the_configured_address_is_kept_and_names_are_quoted_or_encoded(cast, smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "Notifications <noreply@mail.example.com>"
    settings.SITE_URL = "https://Accord.Example.com:8443"
    Organization.objects.filter(pk=cast.org.pk).update(name='Acme, "R&D"')
    Organization.objects.filter(pk=cast.other_org.pk).update(name="Zürich Ünion Genossenschaft")
    cast.org.refresh_from_db()
    cast.other_org.refresh_from_db()
    tell(cast.org, cast.member)
    tell(cast.other_org, cast.outsider)
    assert delivery.deliver(now=later())["sent"] == 2
    acme = next(m for m in smtp.messages if m["X-Rcpt"] == cast.member.email)
    globex = next(m for m in smtp.messages if m["X-Rcpt"] == cast.outsider.email)
    [sender] = acme["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        'Acme, "R&D" via Accord',
        "noreply@mail.example.com",
    )
    [sender] = globex["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Zürich Ünion Genossenschaft via Accord",
        "noreply@mail.example.com",
    )
    # Headers on the wire are ASCII: the name beyond it is encoded, not sent raw.
    assert "=?utf-8?" in globex.as_string().split("\n\n", 1)[0]
    assert listed(acme) == ('Acme, "R&D"', "acme.accord.example.com")
    assert listed(globex) == ("Zürich Ünion Genossenschaft", "globex.accord.example.com")


def test_an_invitation_names_the_organization_it_invites_to(cast, smtp):
    nina = services.add_person(cast.org, cast.admin, name="Nina New", email="nina@acme.example")
    services.send_invitation(cast.org, cast.admin, nina)
    assert delivery.deliver(now=later())["sent"] == 1
    [mail] = smtp.messages
    assert str(mail["From"]) == "Acme via Accord <accord@localhost>"
    assert mail["Subject"] == "Ada Admin invited you to Acme on Accord"


def test_a_link_to_choose_a_new_password_is_from_accord_itself(cast, smtp):
    assert password_resets.mail(cast.member.email) == 1
    assert delivery.deliver(now=later())["sent"] == 1
    [mail] = smtp.messages
    assert str(mail["From"]) == "Accord <accord@localhost>"
    assert mail["List-Id"] is None


def _raw_header(mail, name: str) -> str:
    """A header as it came over the wire, its folded lines joined (RFC 5322 unfolding)."""
    head = mail.as_string(policy=mail.policy.clone(max_line_length=0)).split("\n\n", 1)[0]
    found = re.search(rf"^{name}: (.*?)\n(?=\S)", head + "\n.", re.M | re.S).group(1)
    return found.replace("\n", "")


def test_a_long_name_beyond_ascii_is_sent_in_encoded_words_a_header_holds(cast, smtp, settings):
    """RFC 2047: an encoded word is at most 75 characters, and a header's lines at most
    78: a long name is several words, on lines of their own, read back as the name."""
    settings.DEFAULT_FROM_EMAIL = "noreply@mail.example.com"
    latin = "Zürcher Genossenschaftsverband für Bildungsförderung und Öffentlichkeitsarbeit"
    cjk = "東京都立産業技術研究センター国際共同研究開発推進機構グローバルネットワーク事業部"
    Organization.objects.filter(pk=cast.org.pk).update(name=latin)
    Organization.objects.filter(pk=cast.other_org.pk).update(name=cjk)
    tell(Organization.objects.get(pk=cast.org.pk), cast.member)
    tell(Organization.objects.get(pk=cast.other_org.pk), cast.outsider)
    assert delivery.deliver(now=later())["sent"] == 2
    acme = next(m for m in smtp.messages if m["X-Rcpt"] == cast.member.email)
    globex = next(m for m in smtp.messages if m["X-Rcpt"] == cast.outsider.email)
    for mail, name in ((acme, latin), (globex, cjk)):
        wire = bytes(mail)
        head = wire.split(b"\n\n", 1)[0].decode("ascii")  # ASCII, or this fails
        assert max(len(line) for line in head.splitlines()) <= 78
        for header in ("From", "List-Id"):
            raw = _raw_header(mail, header)
            words = re.findall(r"=\?[^?]+\?[QqBb]\?[^?]*\?=", raw)
            assert words and max(len(w) for w in words) <= 75, raw
            # Read back as RFC 2047 says (spaces between encoded words are not the name's).
            shown = str(make_header(decode_header(raw)))
            wanted = f"{name} via Accord" if header == "From" else name
            assert shown.startswith(wanted + " <"), shown
    # The words break between words where they can: the name reads back whole here too.
    [sender] = acme["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        f"{latin} via Accord",
        "noreply@mail.example.com",
    )
