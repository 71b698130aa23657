"""Background work of people's logins."""

from __future__ import annotations

from django_tasks import task


@task()
def mail_password_reset(address: str) -> None:
    """E-mail the login of `address` a link to choose a new password (`password_resets`);
    returns nothing, so its stored result says nothing of whether a login has it."""
    from accord.org import password_resets

    password_resets.mail(address)
