"""Test clients signed in as someone, the way allauth leaves a session after sign-in."""

from __future__ import annotations

import time

from django.test import Client

from accounts.models import User


def signed_in(user: User | None, client: Client | None = None) -> Client:
    """A client signed in as `user` past the second factor (as allauth records a TOTP step:
    officials must have one); an anonymous client for None."""
    client = client or Client()
    if user is None:
        return client
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client
