"""Staff keep their entry and its services current; every save is kept in the history.

Each form carries the version it was loaded at. Saving re-reads the row under a lock
(`select_for_update`); when someone else saved in between, nothing is written: the form comes
back with what the person typed, who saved before them and when, and a table of the fields
where the saved entry and their version differ. The hidden version is then the current one, so
saving again is a deliberate choice to replace the other person's version (optimistic
locking: no lost update, no silent overwrite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.rules import is_staff_of
from core.ratelimit import ratelimit
from directory import history as changelog
from directory.forms import (
    BaseExceptionFormSet,
    DayHoursForm,
    DeleteServiceForm,
    InstitutionForm,
    ServiceForm,
    exception_formset,
    is_free_mail,
    sofia_today,
    week_forms,
)
from directory.models import Change, HoursException, Institution, Service, WorkingHours
from directory.views import MAX_ID

HISTORY_PAGE_SIZE = 50
# One person's saves; generous for real editing, a stop for scripts.
EDIT_LIMIT, EDIT_PERIOD = 60, 3600
# Set on an entry saved by its own staff: the institution itself has confirmed its data.
STAFF_SOURCE = "Институцията (въведено от служител на портала)"

edit_limit = ratelimit("directory-edit", limit=EDIT_LIMIT, period=EDIT_PERIOD)


@dataclass
class Conflict:
    """Someone saved the entry after the form was loaded: who, when, and what now differs."""

    at: Any
    who: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    return pk


def _require(request: HttpRequest, perm: str, obj: Model) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _upcoming(institution: Institution) -> list[HoursException]:
    """The days with other hours the form shows: from today on (past ones are history)."""
    return list(institution.hours_exceptions.filter(date__gte=sofia_today()))


def _who(change: Change | None) -> str:
    if change is None:
        return _("someone")
    if change.user is None:
        return _("Deleted user")
    return change.user.public_name


def _last_change(institution: Institution, service: Service | None = None) -> Change | None:
    qs = Change.objects.filter(institution=institution).select_related("user")
    qs = qs.filter(service=service) if service else qs.filter(service__isnull=True, subject="")
    return qs.order_by("-at", "-pk").first()


def _conflict(
    saved: changelog.Snapshot, yours: changelog.Snapshot, last: Change | None, at: Any
) -> Conflict:
    rows = [(label, pair[0], pair[1]) for label, pair in changelog.diff(saved, yours).items()]
    return Conflict(at=last.at if last else at, who=_who(last), rows=rows)


def _with_version(data: Any, version: int) -> Any:
    """The posted data with the version replaced: saving it again is a deliberate overwrite."""
    data = data.copy()
    data["version"] = str(version)
    return data


def _error_links(
    main: forms.BaseForm,
    week: list[DayHoursForm] | None = None,
    exceptions: BaseExceptionFormSet | None = None,
    non_field_anchor: str = "",
) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary at the top of a page with several forms."""
    links: list[tuple[str, str]] = []

    def add(form: forms.BaseForm, prefix: str, anchor: str) -> None:
        for error in form.non_field_errors():
            links.append((anchor, f"{prefix}{error}"))
        for bound in form:
            for error in bound.errors:
                links.append((bound.id_for_label, f"{prefix}{bound.label}: {error}"))

    add(main, "", non_field_anchor or "main")
    for day in week or []:
        add(day, f"{day.day_name} — ", f"day{day.weekday}")
    if exceptions is not None:
        for error in exceptions.non_form_errors():
            links.append(("exceptions", str(error)))
        for number, form in enumerate(exceptions.forms, start=1):
            prefix = _("Day with other hours %(n)d") % {"n": number} + " — "
            add(form, prefix, f"exception{number}")
    return links


def _crumbs(institution: Institution, title: str) -> list[tuple[str, str]]:
    return [
        (_("Directory"), reverse("directory:index")),
        (institution.name, institution.get_absolute_url()),
        (title, ""),
    ]


def _touch(institution: Institution) -> None:
    """A service changed: the entry's "last updated" moves, its version (the form's) does not."""
    Institution.objects.filter(pk=institution.pk).update(updated_at=timezone.now())


# --- the entry -------------------------------------------------------------------------------


def _render_institution(
    request: HttpRequest,
    institution: Institution,
    form: InstitutionForm,
    week: list[DayHoursForm],
    exceptions: BaseExceptionFormSet,
    conflict: Conflict | None = None,
) -> HttpResponse:
    context = {
        "institution": institution,
        "form": form,
        "week": week,
        "exceptions": exceptions,
        "conflict": conflict,
        "error_links": _error_links(form, week, exceptions) if form.is_bound else [],
        "services": list(institution.services.only("pk", "name", "institution_id")),
        "verifies": is_staff_of(request.user, institution),
        "breadcrumbs": _crumbs(institution, _("Edit")),
    }
    return render(request, "directory/edit/institution.html", context)


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def edit_institution(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.select_related("kind"), pk=_pk(pk))
    _require(request, "directory.change_institution", institution)
    hours = list(institution.hours.all())
    upcoming = _upcoming(institution)
    if request.method != "POST":
        return _render_institution(
            request,
            institution,
            InstitutionForm(instance=institution),
            week_forms(hours),
            exception_formset(upcoming),
        )

    form = InstitutionForm(request.POST, instance=institution)
    week = week_forms(hours, request.POST)
    exceptions = exception_formset(upcoming, request.POST)
    # Every form is validated (no short cut), so all the errors show at once.
    results = [form.is_valid(), exceptions.is_valid(), *(d.is_valid() for d in week)]
    if not all(results):
        return _render_institution(request, institution, form, week, exceptions)

    current, conflict, changed = _save_institution(request.user, pk, form, week, exceptions)
    if conflict is not None:
        data = _with_version(request.POST, current.version)
        return _render_institution(
            request,
            current,
            InstitutionForm(data, instance=current),
            week_forms(list(current.hours.all()), data),
            exception_formset(_upcoming(current), data),
            conflict,
        )
    if not changed:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    else:
        messages.success(request, _("Saved. The change is recorded in the history of the entry."))
    return redirect(current)


@transaction.atomic
def _save_institution(
    user: Any,
    pk: int,
    form: InstitutionForm,
    week: list[DayHoursForm],
    exceptions: BaseExceptionFormSet,
) -> tuple[Institution, Conflict | None, bool]:
    """Save valid forms unless someone saved since they were loaded: (entry, conflict, changed)."""
    current = Institution.objects.select_for_update(of=("self",)).get(pk=pk)
    saved = changelog.institution_snapshot(
        changelog.institution_values(current), list(current.hours.all()), _upcoming(current)
    )
    values = {name: form.cleaned_data[name] for name in changelog.INSTITUTION_FIELDS}
    new_hours = [row for row in (d.row(current) for d in week) if row is not None]
    new_exceptions = exceptions.rows(current)
    yours = changelog.institution_snapshot(values, new_hours, new_exceptions)
    changes = changelog.diff(saved, yours)
    if not changes:
        return current, None, False
    if form.cleaned_data["version"] != current.version:
        return current, _conflict(saved, yours, _last_change(current), current.updated_at), False

    old_email = current.email
    for name, value in values.items():
        setattr(current, name, value)
    if current.email != old_email:
        current.email_is_free_mail = is_free_mail(current.email)
    if is_staff_of(user, current):
        # A save by the institution's own staff is the institution confirming its entry: it
        # becomes verified, and its source is the institution itself, dated today. An
        # administrator's save does not verify (they do not speak for the institution).
        current.verified_at = timezone.now()
        current.source = STAFF_SOURCE
        current.source_date = sofia_today().isoformat()
    current.version += 1
    current.save()
    if changelog.hours_label() in changes:
        current.hours.all().delete()
        WorkingHours.objects.bulk_create(new_hours)
    if changelog.exceptions_label() in changes:
        dates = [e.date for e in new_exceptions]
        current.hours_exceptions.filter(Q(date__gte=sofia_today()) | Q(date__in=dates)).delete()
        HoursException.objects.bulk_create(new_exceptions)
    changelog.record(current, user, Change.Action.CHANGED, changes, form.cleaned_data["reason"])
    return current, None, True


# --- services --------------------------------------------------------------------------------


def _render_service(
    request: HttpRequest,
    institution: Institution,
    form: ServiceForm,
    service: Service | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    title = _("Change the service") if service else _("Add a service")
    context = {
        "institution": institution,
        "service": service,
        "form": form,
        "conflict": conflict,
        "title": title,
        "error_links": _error_links(form, non_field_anchor="how-to-apply") if form.is_bound else [],
        "breadcrumbs": _crumbs(institution, title),
    }
    return render(request, "directory/edit/service.html", context)


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def add_service(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.select_related("kind"), pk=_pk(pk))
    _require(request, "directory.add_service", institution)
    service = Service(institution=institution)
    if request.method != "POST":
        return _render_service(request, institution, ServiceForm(instance=service))
    form = ServiceForm(request.POST, instance=service)
    if not form.is_valid():
        return _render_service(request, institution, form)
    with transaction.atomic():
        service = form.save()
        changes = changelog.created(changelog.service_snapshot(changelog.service_values(service)))
        changelog.record(
            institution,
            request.user,
            Change.Action.CREATED,
            changes,
            form.cleaned_data["reason"],
            service=service,
        )
        _touch(institution)
    messages.success(request, _("The service has been added."))
    return redirect(institution)


def _service(pk: int) -> Service:
    qs = Service.objects.select_related("institution__kind")
    return get_object_or_404(qs, pk=_pk(pk))


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def edit_service(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service(pk)
    _require(request, "directory.change_service", service)
    institution = service.institution
    if request.method != "POST":
        return _render_service(request, institution, ServiceForm(instance=service), service)
    form = ServiceForm(request.POST, instance=service)
    if not form.is_valid():
        return _render_service(request, institution, form, service)
    current, conflict, changed = _save_service(request.user, service.pk, form)
    if current is None:
        messages.error(request, _("Someone else has deleted this service meanwhile."))
    elif conflict is not None:
        data = _with_version(request.POST, current.version)
        form = ServiceForm(data, instance=current)
        return _render_service(request, institution, form, current, conflict)
    elif not changed:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    else:
        messages.success(request, _("Saved. The change is recorded in the history of the entry."))
    return redirect(institution)


@transaction.atomic
def _save_service(
    user: Any, pk: int, form: ServiceForm
) -> tuple[Service | None, Conflict | None, bool]:
    """Save a valid form unless the service changed since it was loaded."""
    current = Service.objects.select_for_update(of=("self",)).select_related("institution")
    current = current.filter(pk=pk)
    service = current.first()
    if service is None:
        return None, None, False
    saved = changelog.service_snapshot(changelog.service_values(service))
    values = {name: form.cleaned_data[name] for name in changelog.SERVICE_FIELDS}
    yours = changelog.service_snapshot(values)
    changes = changelog.diff(saved, yours)
    if not changes:
        return service, None, False
    if form.cleaned_data["version"] != service.version:
        last = _last_change(service.institution, service)
        return service, _conflict(saved, yours, last, service.updated_at), False
    for name, value in values.items():
        setattr(service, name, value)
    service.version += 1
    service.save()
    changelog.record(
        service.institution,
        user,
        Change.Action.CHANGED,
        changes,
        form.cleaned_data["reason"],
        service=service,
    )
    _touch(service.institution)
    return service, None, True


@login_required
@edit_limit
@require_http_methods(["GET", "POST"])
def delete_service(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service(pk)
    _require(request, "directory.change_service", service)
    institution = service.institution
    form = DeleteServiceForm(
        request.POST if request.method == "POST" else None, initial={"version": service.version}
    )
    changed_meanwhile = False
    if form.is_valid():
        with transaction.atomic():
            current = Service.objects.select_for_update(of=("self",)).filter(pk=service.pk).first()
            if current is None:
                messages.info(request, _("This service has already been deleted."))
                return redirect(institution)
            if form.cleaned_data["version"] == current.version:
                snapshot = changelog.service_snapshot(changelog.service_values(current))
                changelog.record(
                    institution,
                    request.user,
                    Change.Action.DELETED,
                    changelog.deleted(snapshot),
                    form.cleaned_data["reason"],
                    service=current,
                )
                current.delete()
                _touch(institution)
                messages.success(request, _("The service has been deleted."))
                return redirect(institution)
            # Changed after the confirmation page was opened: show the new text, ask again.
            service = current
            changed_meanwhile = True
            form = DeleteServiceForm(
                initial={"version": current.version, "reason": form.cleaned_data["reason"]}
            )
    snapshot = changelog.service_snapshot(changelog.service_values(service))
    title = _("Delete the service")
    return render(
        request,
        "directory/edit/service_delete.html",
        {
            "institution": institution,
            "service": service,
            "form": form,
            "rows": [(label, value) for label, value in snapshot.items() if value],
            "changed_meanwhile": changed_meanwhile,
            "title": title,
            "breadcrumbs": _crumbs(institution, title),
        },
    )


# --- history ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def history(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.select_related("kind"), pk=_pk(pk))
    changes = (
        Change.objects.filter(institution=institution).select_related("user").order_by("-at", "-pk")
    )
    page_obj = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/history.html",
        {
            "institution": institution,
            "page_obj": page_obj,
            "breadcrumbs": _crumbs(institution, _("History of changes")),
        },
    )
