"""allauth's adapter: its e-mails (verification, password reset, 2FA notices) go through the
same task queue as every other e-mail of the portal."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from core.email import enqueue


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        # E-mails are written in the language the person signed up in (accounts.notifications).
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        ctx: dict[str, Any] = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        html = None
        if isinstance(msg, EmailMultiAlternatives):
            for content, mimetype in msg.alternatives:
                if mimetype == "text/html":
                    html = str(content)
        if msg.content_subtype == "html":  # allauth sends an HTML-only message as the body
            html, body = str(msg.body), ""
        else:
            body = str(msg.body)
        enqueue(
            {
                "to": list(msg.to),
                "subject": str(msg.subject),
                "body": body,
                "html": html,
                "headers": {str(k): str(v) for k, v in (msg.extra_headers or {}).items()},
                "from_email": msg.from_email,
            }
        )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Officials and administrators must keep their authenticator app (see middleware).
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.needs_two_factor:
            return False
        return super().can_delete_authenticator(authenticator)
