"""Single sign-on and extra addresses across organizations: an extra address is only the
word of the organization that recorded it, so it never hands another organization's person,
or a login another organization shares, to whoever signs on with it
(`services.user_for_provider_email`)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accord.activity.models import Event
from accord.org import services
from accord.org.models import Person, Role
from tests.conftest import make_person

KEIKO = "keiko@northwind.example"


@pytest.fixture
def rival(cast):
    """Eve, admin of Rival, who has her own login (eve.admin@rival.example)."""
    org = services.create_organization("Rival", "rival")
    return make_person(org, "Eve Admin", Role.ADMIN)


@pytest.fixture
def northwind(cast):
    """Northwind and its admin."""
    org = services.create_organization("Northwind", "northwind")
    return make_person(org, "Nora Admin", Role.ADMIN)


def opens(email: str, password: str) -> bool:
    """Whether `password` is the password of the login of `email`."""
    return get_user_model().objects.get(username__iexact=email).check_password(password)


def refused(email: str) -> str:
    with pytest.raises(services.SignOnRefused) as caught:
        services.user_for_provider_email(email.upper(), "Keiko")
    message = caught.value.message
    assert email in message and "administrator must sort it out" in message
    for name in ("Rival", "Northwind", "Globex", "Acme"):
        assert name not in message  # names no organization, nor whose login it is
    assert "eve" not in message.lower() and "mia member" not in message.lower()
    return message


@pytest.mark.parametrize("how", ["main address", "extra address"])
def test_an_address_another_organization_added_to_its_own_login_takes_over_no_one(
    rival, northwind, how
):
    """Eve adds Keiko's address to her own person; Northwind has Keiko (main address, or
    an extra one, no login yet). When Keiko first signs on with the provider she is not
    signed in as Eve's login, and Northwind's Keiko is not linked to it."""
    eve = rival
    services.update_person(eve.org, eve, eve, emails=[KEIKO])
    if how == "main address":
        keiko = services.add_person(northwind.org, northwind, name="Keiko", email=KEIKO)
    else:
        keiko = services.add_person(
            northwind.org, northwind, name="Keiko", email="k.old@northwind.example"
        )
        services.update_person(northwind.org, northwind, keiko, emails=[KEIKO])
    refused(KEIKO)
    keiko.refresh_from_db()
    assert keiko.user_id is None
    assert not Person.objects.filter(org=northwind.org, user=eve.user).exists()
    assert not get_user_model().objects.filter(username__iexact=KEIKO).exists()
    assert not Event.objects.filter(verb="signed_up").exists()
    # Once Eve's claim is gone, Keiko signs on as herself, with a new login of her own.
    services.update_person(eve.org, eve, eve, emails=[])
    user = services.user_for_provider_email(KEIKO, "Keiko")
    keiko.refresh_from_db()
    assert user != eve.user and keiko.user == user and user.username == KEIKO


def test_an_address_another_organization_gives_its_person_does_not_sign_in_as_its_login(
    rival, northwind
):
    """Northwind's Keiko has a login (of an older address) and the address as her main one;
    Eve's claim that the address is her login is refused rather than signing Keiko in as Eve."""
    old = services.ensure_user("k.old@northwind.example", None, name="Keiko")
    services.add_person(northwind.org, northwind, name="Keiko", email=KEIKO, user=old)
    services.update_person(rival.org, rival, rival, emails=[KEIKO])
    refused(KEIKO)


def test_an_extra_address_does_not_sign_in_to_a_login_another_organization_shares(cast):
    """Acme's admin adds an address of their choosing to Mia, whose login also signs in
    to Globex: its holder does not become Mia in Globex. When Globex records it for Mia too,
    both organizations agree and she signs in with it."""
    mia = cast.member
    in_globex = services.add_person(
        cast.other_org, None, name="Mia", email=mia.email, user=mia.user
    )
    services.update_person(cast.org, cast.admin, mia, emails=["mia@home.example"])
    refused("mia@home.example")
    services.update_person(cast.other_org, cast.outsider, in_globex, emails=["mia@home.example"])
    assert services.user_for_provider_email("mia@home.example", "Mia") == mia.user


def test_an_extra_address_never_signs_in_to_an_operators_login(cast):
    cast.admin.user.is_staff = True
    cast.admin.user.save()
    services.update_person(cast.org, cast.admin, cast.admin, emails=["ada@home.example"])
    refused("ada@home.example")


def test_the_same_human_known_by_the_address_in_each_organization_gets_their_login(cast):
    """Acme records Mia's home address as an extra one; Globex, where her login also signs
    in, has it as her main address: they agree, so she signs in with her login, and no
    account or person is made."""
    mia = cast.member
    services.add_person(cast.other_org, None, name="Mia", email="mia@home.example", user=mia.user)
    services.update_person(cast.org, cast.admin, mia, emails=["mia@home.example"])
    people = Person.objects.count()
    assert services.user_for_provider_email("mia@home.example", "Mia") == mia.user
    assert Person.objects.count() == people
    assert not get_user_model().objects.filter(username="mia@home.example").exists()


def test_a_password_another_organization_chose_stops_working_when_the_provider_vouches(
    rival, northwind
):
    """Eve, Rival's admin, adds a person with Keiko's address and gives them a login with a
    password she chose; Northwind's Keiko waits to join. When the provider vouches for the
    address, the login is the holder's: Eve's password stops working (every session with it
    ends), Rival's history says so, and Keiko joins Northwind signed in as it."""
    decoy = services.add_person(rival.org, rival, name="Keiko decoy", email=KEIKO)
    services.give_login(rival.org, rival, decoy, "Eve-owns-keiko-77")
    keiko = services.add_person(northwind.org, northwind, name="Keiko Haddad", email=KEIKO)
    assert opens(KEIKO, "Eve-owns-keiko-77")

    user = services.user_for_provider_email(KEIKO.upper(), "Keiko")
    assert user.username == KEIKO and not user.has_usable_password()
    assert not opens(KEIKO, "Eve-owns-keiko-77")
    assert Event.objects.filter(
        org=rival.org, verb="password_retired", target_id=str(decoy.pk)
    ).exists()
    keiko.refresh_from_db()
    assert keiko.user_id is None  # joins with her join link, signed in as the login


def test_a_password_stays_when_nobody_waits_to_join_with_the_address(rival):
    """Someone with a password who also signs on with the provider keeps their password when
    no one with the address waits to join another organization."""
    services.give_login(rival.org, None, rival, "Eve-own-password-88")
    user = services.user_for_provider_email(rival.email, "Eve")
    assert user.has_usable_password()
    assert opens(rival.email, "Eve-own-password-88")
