"""The person's own pages: profile, what they follow, notifications, data export, deletion."""

from __future__ import annotations

import json
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.enums import Frequency
from accounts.forms import DeleteAccountForm, FollowForm, NameForm, PreferencesForm
from accounts.models import Follow, User
from accounts.notifications import (
    ALL_KINDS,
    followable_for,
    followable_for_label,
    follows_with_targets,
    frequencies_for,
    get_news_kind,
    read_unsubscribe_token,
    set_frequency,
)
from core.ratelimit import ratelimit


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required guarantees it; this tells the type checker
        raise Http404
    return user


def _profile_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    follows = []
    for follow, target in follows_with_targets(user):
        if target is None:
            continue
        entry = followable_for(target)
        label = entry.label(target) if entry else str(target)
        follows.append({"follow": follow, "target": target, "label": label})
    context: dict[str, Any] = {
        "name_form": forms.get("name_form") or NameForm(instance=user),
        "preferences_form": forms.get("preferences_form")
        or PreferencesForm(
            initial_frequencies=frequencies_for(user), initial_language=user.language
        ),
        "roles": list(user.roles_active().select_related("scope_type")),
        "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        "follows": follows,
        "breadcrumbs": [(_("My profile"), "")],
    }
    return context


@login_required
@ratelimit("profile", limit=30, period=600)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        # Bound to a copy: a failed form must not change the name shown in the header.
        form = NameForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            form.save()
            messages.success(request, _("Your name has been saved."))
            return redirect("accounts:profile")
        return render(
            request, "accounts/profile.html", _profile_context(request, name_form=form), status=400
        )
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@ratelimit("preferences", limit=30, period=600)
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(
        request.POST, initial_frequencies=frequencies_for(user), initial_language=user.language
    )
    if not form.is_valid():
        return render(
            request,
            "accounts/profile.html",
            _profile_context(request, preferences_form=form),
            status=400,
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            language=form.cleaned_data.get("language") or user.language
        )
        for kind, frequency in form.frequencies().items():
            set_frequency(user, kind, frequency)
    messages.success(request, _("Your notification settings have been saved."))
    return HttpResponseRedirect(reverse("accounts:profile") + "#notifications")


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
@ratelimit("follow", limit=60, period=600)
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        raise Http404
    entry = followable_for_label(form.cleaned_data["content_type"])
    if entry is None:
        raise Http404
    target = entry.model._default_manager.filter(pk=form.cleaned_data["object_id"]).first()
    if target is None:
        raise Http404
    user = _user(request)
    content_type = ContentType.objects.get_for_model(target)
    label = entry.label(target)
    if form.cleaned_data["action"] == "follow":
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(
                    user=user, content_type=content_type, object_id=str(target.pk)
                )
        except IntegrityError:  # a double click raced us: it is followed either way
            pass
        messages.success(request, _('You now follow "%(name)s".') % {"name": label})
    else:
        Follow.objects.filter(
            user=user, content_type=content_type, object_id=str(target.pk)
        ).delete()
        messages.success(request, _('You no longer follow "%(name)s".') % {"name": label})
    default = target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"
    return HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next"), default))


@login_required
@ratelimit("export", limit=10, period=3600)
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = services.export_personal_data(_user(request))
        data["exported_at"] = timezone.now().isoformat()
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="eregion-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "accounts/export.html",
        {"breadcrumbs": [(_("My profile"), reverse("accounts:profile")), (_("Your data"), "")]},
    )


@login_required
@ratelimit("delete", limit=10, period=3600)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user)
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("home")
    return render(
        request,
        "accounts/delete.html",
        {
            "form": form,
            "breadcrumbs": [
                (_("My profile"), reverse("accounts:profile")),
                (_("Delete account"), ""),
            ],
        },
        status=400 if form.is_bound else 200,
    )


@csrf_exempt  # the signed token authenticates; RFC 8058 one-click POSTs carry no CSRF token
@ratelimit("unsubscribe", limit=30, period=600)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = read_unsubscribe_token(token)
    user = None
    if parsed is not None:
        user = User.objects.filter(pk=parsed[0], is_active=True, deleted_at__isnull=True).first()
    if parsed is None or user is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    kind_key = parsed[1]
    kind = get_news_kind(kind_key)
    if kind is None and kind_key != ALL_KINDS:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        set_frequency(user, kind_key, Frequency.OFF)
        return render(
            request, "accounts/unsubscribe.html", {"done": True, "kind": kind, "all": kind is None}
        )
    return render(request, "accounts/unsubscribe.html", {"kind": kind, "all": kind is None})
