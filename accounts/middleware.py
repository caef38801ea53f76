"""Officials and administrators must protect their account with an authenticator app."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Pages a person must reach before they have 2FA: signing in and out, setting it up, assets.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/api/", "/healthz")


def _strip_language(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def _passed_mfa(request: HttpRequest) -> bool:
    # allauth records how this session signed in; an "mfa" step means a TOTP code was given.
    methods = request.session.get("account_authentication_methods") or []
    return any(isinstance(m, dict) and m.get("method") == "mfa" for m in methods)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _strip_language(request.path_info).startswith(EXEMPT_PREFIXES)
            and not _passed_mfa(request)
            and user.needs_two_factor
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(
                request,
                _(
                    "Your role on the portal lets you act for an institution or manage the "
                    "portal, so your account must be protected with two-factor "
                    "authentication. Please set up an authenticator app to continue."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
