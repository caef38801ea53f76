"""Registering and claiming organisations, verification, representatives, the profile's editing.

A person registers a new organisation or claims an entry; they represent it once the claim is
verified, by a code sent to the organisation's published e-mail or by a moderator who checked
an uploaded document (organisations/claims.py). Representatives edit the profile (kept in its
history, with optimistic locking as in the directory), its activities and annual reports, and
invite or remove co-representatives. Uploaded files are never under a public address: they are
streamed by views that check who asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import RoleAssignment, User
from accounts.rules import is_representative_of
from core.ratelimit import hit, ratelimit
from core.search import index_objects
from core.uploads import safe_name, sniff
from organisations import claims
from organisations import history as changelog
from organisations.enums import Reach
from organisations.forms import (
    ActivityForm,
    AnnualReportForm,
    ClaimForm,
    CodeForm,
    DecisionForm,
    InviteForm,
    ProfileForm,
    RegisterForm,
)
from organisations.models import (
    Activity,
    AnnualReport,
    Organisation,
    ProfileChange,
    RepresentationClaim,
)

Status = RepresentationClaim.Status
Method = RepresentationClaim.Method

# SQLite raises OverflowError on ids past 64 bits: an unknown id is a 404.
MAX_ID = 2**63 - 1
PAGE_SIZE = 50
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}

register_limit = ratelimit("org-register", limit=10, period=3600)
claim_limit = ratelimit("org-claim", limit=20, period=3600)
code_limit = ratelimit("org-code", limit=30, period=3600)
decide_limit = ratelimit("org-decide", limit=300, period=3600)
edit_limit = ratelimit("org-edit", limit=60, period=3600)
members_limit = ratelimit("org-representatives", limit=30, period=3600)
RESEND_LIMIT, RESEND_PERIOD = 3, 3600


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def _require(request: HttpRequest, perm: str, obj: Model | None = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _organisation(pk: int, request: HttpRequest) -> Organisation:
    """An entry the person may see; others are not found (a pending entry stays a secret)."""
    qs = Organisation.objects.select_related("settlement__municipality__province")
    organisation = get_object_or_404(qs, pk=_pk(pk))
    if not request.user.has_perm("organisations.view_organisation", organisation):
        raise Http404
    return organisation


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _crumbs(organisation: Organisation | None, title: str) -> list[tuple[str, str]]:
    crumbs = [(_("Organisations"), reverse("organisations:index"))]
    if organisation is not None:
        crumbs.append((organisation.display_name, organisation.get_absolute_url()))
    crumbs.append((title, ""))
    return crumbs


def _stream(file_field: Any, download_name: str, attachment: bool) -> HttpResponseBase:
    """A stored file, its type read from its first bytes (never from its name)."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = sniff(handle)
    response = FileResponse(
        handle,
        as_attachment=attachment,
        filename=download_name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store" if attachment else "private, max-age=3600"
    return response


def _reindex(organisation: Organisation) -> None:
    index_objects("organisations.organisation", [organisation])


# --- registering a new organisation ----------------------------------------------------------


@login_required
@register_limit
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = RegisterForm(user=request.user, initial={"method": Method.EMAIL_CODE})
    else:
        form = RegisterForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            organisation = form.save(commit=False)
            organisation.settlement = form.settlement
            try:
                claim = claims.register(
                    request.user,  # type: ignore[arg-type]
                    organisation,
                    fields=form.cleaned_data.get("fields") or [],
                    method=form.cleaned_data["method"],
                    evidence=form.cleaned_data.get("evidence"),
                    position=form.cleaned_data.get("position") or "",
                    site_url=_site(request),
                )
            except IntegrityError:
                # The same EIK was registered by someone else a moment ago: say so.
                form = RegisterForm(request.POST, request.FILES, user=request.user)
                form.is_valid()
                return render(
                    request,
                    "organisations/registration/register.html",
                    {"form": form, "breadcrumbs": _crumbs(None, _("Register an organisation"))},
                )
            if claim.method == Method.EMAIL_CODE:
                messages.success(
                    request,
                    _(
                        "The organisation is registered. We sent a code to %(email)s: enter "
                        "it below to confirm that you represent it."
                    )
                    % {"email": organisation.email},
                )
            else:
                messages.success(
                    request,
                    _(
                        "The organisation is registered. A moderator will check your document; "
                        "until then only you and the moderators see the entry."
                    ),
                )
            return redirect("organisations:claim-status", claim.pk)
    return render(
        request,
        "organisations/registration/register.html",
        {"form": form, "breadcrumbs": _crumbs(None, _("Register an organisation"))},
    )


# --- claiming an entry -----------------------------------------------------------------------


@login_required
@claim_limit
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    if is_representative_of(request.user, organisation):
        messages.info(request, _("You already represent this organisation."))
        return redirect(organisation)
    pending = claims.pending_claim(request.user, organisation)
    if pending is not None:
        return redirect("organisations:claim-status", pending.pk)
    _require(request, "organisations.claim_organisation", organisation)
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            try:
                made = claims.claim(
                    request.user,  # type: ignore[arg-type]
                    organisation,
                    method=form.cleaned_data["method"],
                    evidence=form.cleaned_data.get("evidence"),
                    position=form.cleaned_data.get("position") or "",
                    site_url=_site(request),
                )
            except IntegrityError:
                # A second click: one pending claim per person (a database constraint).
                existing = claims.pending_claim(request.user, organisation)
                if existing is None:
                    raise
                return redirect("organisations:claim-status", existing.pk)
            if made.method == Method.EMAIL_CODE:
                messages.success(
                    request,
                    _("We sent a code to %(email)s. Enter it below.")
                    % {"email": organisation.email},
                )
            else:
                messages.success(
                    request, _("Your claim is sent. A moderator will check your document.")
                )
            return redirect("organisations:claim-status", made.pk)
    else:
        initial = Method.EMAIL_CODE if claims.can_use_code(organisation) else Method.EVIDENCE
        form = ClaimForm(organisation=organisation, initial={"method": initial})
    return render(
        request,
        "organisations/registration/claim.html",
        {
            "organisation": organisation,
            "form": form,
            "can_use_code": claims.can_use_code(organisation),
            "breadcrumbs": _crumbs(organisation, _("Claim the organisation")),
        },
    )


def _claim(pk: int) -> RepresentationClaim:
    qs = RepresentationClaim.objects.select_related(
        "organisation__settlement__municipality__province", "user", "decided_by"
    )
    return get_object_or_404(qs, pk=_pk(pk))


@login_required
@code_limit
@require_http_methods(["GET", "POST"])
def claim_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The claimant's page: enter the e-mailed code, ask for another, see the outcome, withdraw."""
    item = _claim(pk)
    if not request.user.has_perm("organisations.view_claim", item):
        raise Http404
    mine = item.user_id == request.user.pk
    form = CodeForm()
    if request.method == "POST":
        if not mine:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "withdraw":
            claims.withdraw(item)
            messages.info(request, _("You have withdrawn the claim."))
            return redirect("organisations:claim-status", item.pk)
        if item.status != Status.PENDING or item.method != Method.EMAIL_CODE:
            messages.error(request, _("This claim is no longer waiting for a code."))
            return redirect("organisations:claim-status", item.pk)
        if action == "resend":
            allowed = claims.may_resend(item) and hit(
                f"org-code-resend:{item.pk}", str(request.user.pk), RESEND_LIMIT, RESEND_PERIOD
            )
            if not allowed:
                messages.error(
                    request,
                    _("A new code was sent a moment ago. Wait a few minutes and try again."),
                )
            else:
                claims.send_code(item, _site(request))
                messages.success(
                    request,
                    _("We sent a new code to %(email)s; the earlier one no longer works.")
                    % {"email": item.organisation.email},
                )
            return redirect("organisations:claim-status", item.pk)
        form = CodeForm(request.POST)
        if form.is_valid():
            result = claims.confirm_code(item, form.cleaned_data["code"])
            if result == claims.CodeResult.VERIFIED:
                messages.success(
                    request,
                    _(
                        "Confirmed: you now represent %(name)s. The entry is public and you can "
                        "edit its profile."
                    )
                    % {"name": item.organisation.display_name},
                )
                return redirect("organisations:claim-status", item.pk)
            item.refresh_from_db()
            if result == claims.CodeResult.WRONG:
                left = claims.MAX_CODE_ATTEMPTS - item.code_attempts
                form.add_error(
                    "code",
                    _("This is not the code we sent. Attempts left: %(left)d.") % {"left": left},
                )
            elif result == claims.CodeResult.EXPIRED:
                form.add_error("code", _("The code has expired. Ask for a new one below."))
            else:
                form.add_error(
                    "code",
                    _("Too many wrong attempts: this code no longer works. Ask for a new one."),
                )
    return render(
        request,
        "organisations/registration/claim_status.html",
        {
            "claim": item,
            "organisation": item.organisation,
            "mine": mine,
            "form": form,
            "expires_at": claims.code_expires_at(item),
            "code_usable": bool(item.code_hash),
            "breadcrumbs": _crumbs(None, _("Your claim")),
        },
    )


# --- moderation ------------------------------------------------------------------------------


@login_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    _require(request, "organisations.decide_claims")
    qs = (
        RepresentationClaim.objects.filter(status=Status.PENDING)
        .exclude(method=Method.EMAIL_CODE)
        .select_related("organisation__settlement", "user")
        .order_by("created_at", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/registration/claim_queue.html",
        {
            "page_obj": page,
            "breadcrumbs": [(_("Claims to represent organisations"), "")],
        },
    )


@login_required
@decide_limit
@require_http_methods(["GET", "POST"])
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _claim(pk)
    _require(request, "organisations.decide_claims", item.organisation)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and item.status != Status.PENDING:
        messages.info(request, _("This claim has already been decided."))
        return redirect("organisations:claims")
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        claims.decide(
            item,
            request.user,  # type: ignore[arg-type]
            approve=approve,
            note=form.cleaned_data["note"],
            site_url=_site(request),
        )
        messages.success(
            request,
            _("The claim is approved; the person has been told by e-mail.")
            if approve
            else _("The claim is rejected; the person has been told by e-mail."),
        )
        return redirect("organisations:claims")
    others = (
        claims.active_assignments(item.organisation).count()
        if item.organisation.representatives_count
        else 0
    )
    earlier = (
        RepresentationClaim.objects.filter(organisation=item.organisation)
        .exclude(pk=item.pk)
        .select_related("user")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "organisations/registration/claim_decide.html",
        {
            "claim": item,
            "organisation": item.organisation,
            "form": form,
            "representatives": others,
            "earlier": earlier,
            "breadcrumbs": [
                (_("Claims to represent organisations"), reverse("organisations:claims")),
                (item.organisation.display_name, ""),
            ],
        },
    )


@login_required
def claim_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The uploaded document, for moderators only (media is not served publicly)."""
    item = _claim(pk)
    _require(request, "organisations.decide_claims", item.organisation)
    if not item.evidence:
        raise Http404
    return _stream(item.evidence, (item.evidence.name or "").rsplit("/", 1)[-1], attachment=True)


# --- the profile -----------------------------------------------------------------------------


@dataclass
class Conflict:
    at: Any
    who: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def _who(change: ProfileChange | None) -> str:
    if change is None:
        return _("another representative")
    if change.user is None:
        return _("Deleted user")
    return change.user.public_name


def _render_edit(
    request: HttpRequest,
    organisation: Organisation,
    form: ProfileForm,
    conflict: Conflict | None = None,
) -> HttpResponse:
    return render(
        request,
        "organisations/edit/profile.html",
        {
            "organisation": organisation,
            "form": form,
            "conflict": conflict,
            "breadcrumbs": _crumbs(organisation, _("Edit the profile")),
        },
    )


def _apply_places(organisation: Organisation, reach: str, places: list[Any]) -> None:
    by_reach: dict[str, Any] = {
        Reach.LOCAL: organisation.reach_settlements,
        Reach.MUNICIPAL: organisation.reach_municipalities,
        Reach.REGIONAL: organisation.reach_provinces,
    }
    for key, manager in by_reach.items():
        manager.set(places if key == reach else [])


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    _require(request, "organisations.change_organisation", organisation)
    if request.method != "POST":
        return _render_edit(request, organisation, ProfileForm(instance=organisation))
    form = ProfileForm(request.POST, request.FILES, instance=organisation, user=request.user)
    if not form.is_valid():
        return _render_edit(request, organisation, form)

    upload: UploadedFile | None = form.cleaned_data.get("logo_file")
    remove_logo = bool(form.cleaned_data.get("remove_logo")) and not upload
    old_logo = ""
    with transaction.atomic():
        current = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        saved = changelog.profile_snapshot(changelog.profile_values(current))
        values = form.values()
        if not upload and not remove_logo:
            values["logo"] = current.logo
        yours = changelog.profile_snapshot(values)
        changes = changelog.diff(saved, yours)
        if form.cleaned_data["version"] != current.version and changes:
            last = current.changes.select_related("user").first()
            conflict = Conflict(
                at=last.at if last else current.updated_at,
                who=_who(last),
                rows=[(label, pair[0], pair[1]) for label, pair in changes.items()],
            )
            data = request.POST.copy()
            data["version"] = str(current.version)
            fresh = ProfileForm(data, instance=current, user=request.user)
            fresh.is_valid()
            return _render_edit(request, current, fresh, conflict)
        if not changes:
            messages.info(request, _("Nothing changed, so nothing was saved."))
            return redirect(current)

        for name in (
            "name", "name_en", "legal_form", "benefit", "year_founded", "address",
            "postal_code", "email", "phone", "website", "social_links", "reach", "description",
        ):  # fmt: skip
            setattr(current, name, form.cleaned_data.get(name))
        current.eik = form.cleaned_data.get("eik") or None
        current.benefit = form.cleaned_data.get("benefit") or ""
        current.name_en = form.cleaned_data.get("name_en") or ""
        current.settlement = values["settlement"]
        if upload is not None:
            old_logo = (current.logo.name or "") if current.logo else ""
            current.logo.save(safe_name(upload.name or "logo"), upload, save=False)
        elif remove_logo and current.logo:
            old_logo = current.logo.name or ""
            current.logo = ""  # type: ignore[assignment]
        current.version += 1
        current.save()
        current.fields.set(values["fields"])
        current.target_groups.set(values["target_groups"])
        _apply_places(current, current.reach, values["reach_places"])
        changelog.record(current, request.user, changes, form.cleaned_data.get("reason") or "")
        _reindex(current)
        if old_logo:
            storage = current.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    messages.success(request, _("Saved. The change is recorded in the history of the profile."))
    return redirect(current)


def logo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The logo of an entry the person may see."""
    organisation = _organisation(pk, request)
    if not organisation.logo:
        raise Http404
    return _stream(
        organisation.logo, (organisation.logo.name or "").rsplit("/", 1)[-1], attachment=False
    )


def profile_history(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    qs = ProfileChange.objects.filter(organisation=organisation).select_related("user")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Representatives' names are for the organisation's representatives and the moderators.
    names = request.user.has_perm("organisations.view_representatives", organisation)
    return render(
        request,
        "organisations/edit/history.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "show_names": names,
            "breadcrumbs": _crumbs(organisation, _("History of changes")),
        },
    )


# --- representatives -------------------------------------------------------------------------


@login_required
@members_limit
@require_http_methods(["GET", "POST"])
def representatives(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    _require(request, "organisations.view_representatives", organisation)
    can_invite = request.user.has_perm("organisations.manage_representatives", organisation)
    moderating = request.user.has_perm("organisations.decide_claims", organisation)
    invite_form = InviteForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "invite":
            if not can_invite:
                raise PermissionDenied
            invite_form = InviteForm(request.POST)
            if invite_form.is_valid():
                email = invite_form.cleaned_data["email"]
                claims.invite(organisation, request.user, email, _site(request))  # type: ignore[arg-type]
                messages.success(
                    request,
                    _("We sent an invitation to %(email)s. The link is valid for 7 days.")
                    % {"email": email},
                )
                return redirect("organisations:representatives", organisation.pk)
        elif action == "remove":
            _require(request, "organisations.remove_representative", organisation)
            try:
                person_pk = _pk(int(request.POST.get("user") or 0))
            except ValueError:
                raise Http404 from None
            person = User.objects.filter(pk=person_pk).first()
            if person is None:
                raise Http404
            try:
                claims.remove_representative(
                    organisation,
                    person,
                    request.user,  # type: ignore[arg-type]
                    moderating=moderating,
                )
            except claims.RemovalRefused:
                messages.error(
                    request,
                    _(
                        "The last representative cannot be removed: invite another one first, "
                        "or ask a moderator."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("%(name)s no longer represents the organisation.")
                    % {"name": person.public_name},
                )
                if person.pk == request.user.pk:
                    return redirect(organisation)
            return redirect("organisations:representatives", organisation.pk)
        else:
            raise Http404
    assignments = list(claims.active_assignments(organisation).select_related("user", "granted_by"))
    past = list(
        RoleAssignment.objects.for_scope(organisation)
        .filter(role="organisation_representative", revoked_at__isnull=False)
        .select_related("user", "revoked_by")
        .order_by("-revoked_at")[:50]
    )
    pending = list(
        RepresentationClaim.objects.filter(organisation=organisation, status=Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )
    return render(
        request,
        "organisations/edit/representatives.html",
        {
            "organisation": organisation,
            "assignments": assignments,
            "past": past,
            "pending": pending,
            "invite_form": invite_form,
            "can_invite": can_invite,
            "can_remove_last": moderating,
            "breadcrumbs": _crumbs(organisation, _("Representatives")),
        },
    )


@login_required
@members_limit
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = claims.read_invitation(token)
    except claims.InvitationInvalid:
        return _invalid_invitation(request, expired=True)
    organisation = get_object_or_404(Organisation, pk=_pk(invitation.organisation_id))
    right_address = claims._user_has_address(request.user, invitation.email)  # type: ignore[arg-type]
    if request.method == "POST" and right_address:
        try:
            claims.accept_invitation(token, request.user)  # type: ignore[arg-type]
        except claims.InvitationInvalid:
            return _invalid_invitation(request, expired=False)
        messages.success(
            request,
            _("You now represent %(name)s.") % {"name": organisation.display_name},
        )
        return redirect(organisation)
    return render(
        request,
        "organisations/registration/invitation.html",
        {
            "organisation": organisation,
            "invited_email": invitation.email,
            "right_address": right_address,
            "breadcrumbs": _crumbs(None, _("Invitation")),
        },
    )


def _invalid_invitation(request: HttpRequest, expired: bool) -> HttpResponse:
    return render(
        request,
        "organisations/registration/invitation_invalid.html",
        {"expired": expired, "breadcrumbs": _crumbs(None, _("Invitation"))},
        status=400,
    )


# --- activities and annual reports -----------------------------------------------------------


def _activity_form_page(
    request: HttpRequest,
    organisation: Organisation,
    form: ActivityForm,
    activity: Activity | None,
) -> HttpResponse:
    title = _("Change the activity") if activity else _("Add an activity or a project")
    return render(
        request,
        "organisations/edit/activity.html",
        {
            "organisation": organisation,
            "form": form,
            "activity": activity,
            "title": title,
            "breadcrumbs": _crumbs(organisation, title),
        },
    )


def _save_activity(request: HttpRequest, form: ActivityForm, activity: Activity) -> None:
    before = changelog.activity_snapshot(changelog.activity_values(activity))
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.other_partners = form.other_partners
        saved.save()
        saved.partners.set(form.partners)
        after = changelog.activity_snapshot(changelog.activity_values(saved))
        changes = changelog.diff(before if activity.pk else {}, after)
        if changes:
            label = changelog.subject_label("activity", saved.title)
            changelog.record(
                saved.organisation,
                request.user,
                changelog.prefixed(label, changes),
                form.cleaned_data.get("reason") or "",
            )


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    _require(request, "organisations.change_organisation", organisation)
    activity = Activity(organisation=organisation)
    form = ActivityForm(request.POST or None, instance=activity, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        _save_activity(request, form, Activity(organisation=organisation))
        messages.success(request, _("The activity has been added."))
        return redirect(organisation)
    return _activity_form_page(request, organisation, form, None)


def _activity(pk: int, request: HttpRequest) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("organisation"), pk=_pk(pk))
    _require(request, "organisations.change_organisation", activity.organisation)
    return activity


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(pk, request)
    organisation = activity.organisation
    before = Activity.objects.get(pk=activity.pk)
    form = ActivityForm(request.POST or None, instance=activity, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        _save_activity(request, form, before)
        messages.success(request, _("The activity has been saved."))
        return redirect(organisation)
    return _activity_form_page(request, organisation, form, activity)


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(pk, request)
    organisation = activity.organisation
    if request.method == "POST":
        with transaction.atomic():
            snapshot = changelog.activity_snapshot(changelog.activity_values(activity))
            label = changelog.subject_label("activity", activity.title)
            changelog.record(
                organisation,
                request.user,
                changelog.prefixed(label, changelog.diff(snapshot, {})),
                request.POST.get("reason", ""),
            )
            activity.delete()
        messages.success(request, _("The activity has been deleted."))
        return redirect(organisation)
    return render(
        request,
        "organisations/edit/confirm_delete.html",
        {
            "organisation": organisation,
            "subject": activity.title,
            "title": _("Delete the activity"),
            "breadcrumbs": _crumbs(organisation, _("Delete the activity")),
        },
    )


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(pk, request)
    _require(request, "organisations.change_organisation", organisation)
    report = AnnualReport(organisation=organisation)
    form = AnnualReportForm(
        request.POST or None, request.FILES or None, instance=report, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            report = form.save(commit=False)
            year = report.year
            report.file.save(
                f"{organisation.pk}-{year}-{safe_name(upload.name or 'report.pdf')}",
                upload,
                save=False,
            )
            try:
                report.save()
                label = changelog.subject_label("report", str(year))
                changelog.record(
                    organisation,
                    request.user,
                    {label: ["", (report.file.name or "").rsplit("/", 1)[-1]]},
                )
            except BaseException:
                report.file.storage.delete(report.file.name or "")
                raise
        messages.success(request, _("The annual report has been added."))
        return redirect(organisation)
    return render(
        request,
        "organisations/edit/report.html",
        {
            "organisation": organisation,
            "form": form,
            "breadcrumbs": _crumbs(organisation, _("Add an annual report")),
        },
    )


def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An annual report is public with its organisation's entry."""
    report = get_object_or_404(AnnualReport.objects.select_related("organisation"), pk=_pk(pk))
    if not request.user.has_perm("organisations.view_organisation", report.organisation):
        raise Http404
    name = f"{safe_name(report.organisation.name, 60)}-{report.year}.pdf"
    return _stream(report.file, name, attachment=False)


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport.objects.select_related("organisation"), pk=_pk(pk))
    organisation = report.organisation
    _require(request, "organisations.change_organisation", organisation)
    title = _("Delete the annual report for %(year)d") % {"year": report.year}
    if request.method == "POST":
        name = report.file.name or ""
        with transaction.atomic():
            label = changelog.subject_label("report", str(report.year))
            changelog.record(
                organisation,
                request.user,
                {label: [name.rsplit("/", 1)[-1], ""]},
                request.POST.get("reason", ""),
            )
            report.delete()
            storage = report.file.storage
            transaction.on_commit(lambda: storage.delete(name))
        messages.success(request, _("The annual report has been deleted."))
        return redirect(organisation)
    return render(
        request,
        "organisations/edit/confirm_delete.html",
        {
            "organisation": organisation,
            "subject": str(report.year),
            "title": title,
            "breadcrumbs": _crumbs(organisation, title),
        },
    )


urlpatterns: list[URLPattern] = [
    path("register/", register, name="register"),
    path("<int:pk>/claim/", claim, name="claim"),
    path("claims/<int:pk>/", claim_status, name="claim-status"),
    path("moderation/claims/", claim_queue, name="claims"),
    path("moderation/claims/<int:pk>/", claim_decide, name="claim-decide"),
    path("moderation/claims/<int:pk>/evidence/", claim_evidence, name="claim-evidence"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/logo/", logo, name="logo"),
    path("<int:pk>/history/", profile_history, name="history"),
    path("<int:pk>/representatives/", representatives, name="representatives"),
    path("invitations/<str:token>/", accept_invitation, name="accept-invitation"),
    path("<int:pk>/activities/new/", activity_new, name="activity-new"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", activity_delete, name="activity-delete"),
    path("<int:pk>/reports/new/", report_new, name="report-new"),
    path("annual-reports/<int:pk>/", report_file, name="annual-report"),
    path("annual-reports/<int:pk>/delete/", report_delete, name="annual-report-delete"),
]
