"""After an event: the participant's feedback form, the organiser's feedback results and
certificates, the certificate PDF and the public verification of a certificate's code.

- /events/registrations/<code>/feedback/ — the form, for the registration's owner only, once,
  after attending (events/feedback.py says when it opens); a second visit shows the answers.
  A person who may see the registration but is not its owner (the organiser) gets 403, anyone
  else 404: the code is not to be confirmed to strangers.
- /events/<pk>/feedback/ and /events/<pk>/certificates/ — the organiser's
  (`events.manage_event`): 404 for those who may not see the event, 403 for the others.
- /events/registrations/<code>/certificate.pdf — the owner, the organiser or an administrator
  (`events.view_registration`); 404 for the others and when there is no valid certificate.
- /events/certificates/ and /events/certificates/<code>/ — public, rate-limited (guessing
  codes must not pay): the form to type a code, and the page that says whether it is valid
  and shows only what the certificate states.

Every page runs a fixed number of queries whatever the number of answers or certificates.
"""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.ratelimit import client_key, hit, ratelimit
from events import certificates, services
from events import feedback as feedback_module
from events.enums import Kind, RegistrationState, State
from events.models import Certificate, Event, Feedback, Registration

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
MAX_CODE = 24  # longer than any registration code: a 404 without asking the database
COMMENTS_PER_PAGE = 50
CERTIFICATES_PER_PAGE = 50
# A person answers once; the limit only stops scripts hammering the form.
feedback_limit = ratelimit("events-feedback", limit=20, period=3600)
# Issuing is idempotent but walks every participant: a few times an hour is plenty.
issue_limit = ratelimit("events-certificates-issue", limit=20, period=3600)
# WeasyPrint's CPU is shared: a stop for scripts, never reached by a person.
pdf_limit = ratelimit("events-certificate-pdf", limit=30, period=600, methods=("GET",))


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required let only signed-in people in


def _day(value: datetime.date) -> str:
    return date_format(value, "d.m.Y")


def _managed_event(request: HttpRequest, pk: int) -> Event:
    """The event, for its organiser: 404 for those who may not even see it, 403 for the
    others who may see it but not manage it."""
    if pk > MAX_ID:
        raise Http404
    qs = Event.objects.select_related("institution", "organisation", "network__coordinator")
    event = get_object_or_404(qs, pk=pk)
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    if not request.user.has_perm("events.manage_event", event):
        raise PermissionDenied
    return event


def _registration(code: str) -> Registration:
    if len(code) > MAX_CODE:
        raise Http404
    qs = Registration.objects.select_related(
        "event__institution", "event__organisation", "event__network__coordinator"
    )
    return get_object_or_404(qs, code=code.upper())


def _event_crumbs(event: Event, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Events"), reverse("events:index")), (event.title, event.get_absolute_url()), *rest]


def _manage_crumbs(event: Event, title: str) -> list[tuple[str, str]]:
    return _event_crumbs(
        event, (_("Manage"), reverse("events:manage", args=[event.pk])), (title, "")
    )


# --- the participant's feedback --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@feedback_limit
def feedback(request: HttpRequest, code: str) -> HttpResponse:
    registration = _registration(code)
    if registration.user_id != request.user.pk:
        if request.user.has_perm("events.view_registration", registration):
            raise PermissionDenied  # the organiser: answers are the participant's own
        raise Http404
    event = registration.event
    context = {
        "event": event,
        "registration": registration,
        "breadcrumbs": _event_crumbs(
            event,
            (_("My registration"), reverse("events:registration", args=[registration.code])),
            (_("Feedback"), ""),
        ),
    }
    given = Feedback.objects.filter(registration=registration).first()
    if given is not None:
        if request.method == "POST":
            messages.info(request, _("You have already sent your feedback; it cannot be changed."))
        return render(
            request,
            "events/after/feedback_given.html",
            {
                **context,
                "given": given,
                "rating_label": feedback_module.rating_label(given.rating),
                "usefulness_label": feedback_module.usefulness_label(given.usefulness),
            },
        )
    if not feedback_module.attended(registration):
        reason = _(
            "The feedback form is for the participants who attended the event. Our records do "
            "not show you checked in on any day; if you were there, please tell the organiser."
        )
        return render(
            request, "events/after/feedback_closed.html", {**context, "reason": reason}, status=403
        )
    if not feedback_module.is_open(event):
        reason = _("The feedback form opens on the last day of the event, %(day)s.") % {
            "day": _day(feedback_module.opens_on(event))
        }
        return render(
            request, "events/after/feedback_closed.html", {**context, "reason": reason}, status=403
        )
    form = feedback_module.FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _given, saved = feedback_module.save(registration, form.cleaned_data)
        if saved:
            messages.success(request, _("Thank you: your feedback has been sent."))
        else:
            messages.info(request, _("You have already sent your feedback; it cannot be changed."))
        return redirect("events:feedback", code=registration.code)
    return render(request, "events/after/feedback_form.html", {**context, "form": form})


# --- the organiser's results -----------------------------------------------------------------


@login_required
@require_GET
def feedback_results(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    results = feedback_module.results(event)
    page = Paginator(feedback_module.comments(event), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/after/feedback_results.html",
        {
            "event": event,
            "results": results,
            "page_obj": page,
            "breadcrumbs": _manage_crumbs(event, _("Feedback")),
        },
    )


# --- certificates: the organiser's list and issuing ------------------------------------------


def issue_refusal(event: Event) -> str:
    """Why certificates cannot be issued for this event now ('' when they can)."""
    if event.kind != Kind.TRAINING:
        return _("Certificates are issued for trainings only.")
    if event.state != State.PUBLISHED:
        return _("Certificates are issued only for a training that took place.")
    if event.ends_at >= timezone.now():
        return _("Certificates can be issued once the training has ended, after %(day)s.") % {
            "day": _day(event.days[-1])
        }
    return ""


def attendance_counts(event: Event) -> tuple[int, int]:
    """(confirmed participants, those of them present on every day): one query."""
    days = event.days
    present = (
        Registration.objects.filter(event=event, state=RegistrationState.CONFIRMED)
        .annotate(n=Count("attendances__day", distinct=True, filter=Q(attendances__day__in=days)))
        .values_list("n", flat=True)
    )
    counts = list(present)
    return len(counts), sum(1 for n in counts if n >= len(days))


@login_required
@require_GET
def certificate_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    issued = (
        Certificate.objects.filter(registration__event=event)
        .select_related("registration")
        .only("code", "name", "issued_at", "revoked_at", "registration__code")
        .order_by("name", "pk")
    )
    page = Paginator(issued, CERTIFICATES_PER_PAGE).get_page(request.GET.get("page"))
    confirmed, every_day = attendance_counts(event)
    return render(
        request,
        "events/after/certificates.html",
        {
            "event": event,
            "page_obj": page,
            "refusal": issue_refusal(event),
            "confirmed": confirmed,
            "every_day": every_day,
            "breadcrumbs": _manage_crumbs(event, _("Certificates")),
        },
    )


@login_required
@require_POST
@issue_limit
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    target = reverse("events:certificates", args=[event.pk])
    refusal = issue_refusal(event)
    if refusal:
        messages.error(request, refusal)
        return redirect(target)
    try:
        new = len(services.issue_certificates(event, by=_user(request)))  # the new ones only
    except services.RegistrationError as error:
        messages.error(request, str(error))
        return redirect(target)
    confirmed, every_day = attendance_counts(event)
    missing = confirmed - every_day
    text = ngettext("%(n)d certificate issued.", "%(n)d certificates issued.", new) % {"n": new}
    if missing:
        text += " " + ngettext(
            "%(n)d participant did not attend every day and gets none.",
            "%(n)d participants did not attend every day and get none.",
            missing,
        ) % {"n": missing}
    messages.success(request, text)
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def certificates_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One address: GET lists, POST issues (the button on the list)."""
    if request.method == "POST":
        return certificate_issue(request, pk)
    return certificate_list(request, pk)


# --- the certificate PDF ---------------------------------------------------------------------


@login_required
@require_GET
@pdf_limit
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    registration = _registration(code)
    if not request.user.has_perm("events.view_registration", registration):
        raise Http404
    certificate = Certificate.objects.filter(
        registration=registration, revoked_at__isnull=True
    ).first()
    if certificate is None:
        raise Http404
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.file_name(certificate)}"'
    )
    # A person's name: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


# --- public verification ---------------------------------------------------------------------


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "core/too_many_requests.html", status=429)


@require_GET
def certificate_check(request: HttpRequest) -> HttpResponse:
    form = certificates.CheckForm(request.GET if "code" in request.GET else None)
    if form.is_bound:
        key = client_key(request)
        if not hit(
            certificates.CHECK_SCOPE, key, certificates.CHECK_LIMIT, certificates.CHECK_PERIOD
        ):
            return _too_many(request)
        if form.is_valid():
            return redirect("events:certificate-verify", code=form.cleaned_data["code"])
    return render(
        request,
        "events/after/certificate_check.html",
        {
            "form": form,
            "breadcrumbs": [(_("Events"), reverse("events:index")), (_("Check a certificate"), "")],
        },
    )


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    key = client_key(request)
    if not hit(
        certificates.VERIFY_SCOPE, key, certificates.VERIFY_LIMIT, certificates.VERIFY_PERIOD
    ):
        return _too_many(request)
    normal = certificates.normalise_code(code)
    if normal and normal != code:
        return redirect("events:certificate-verify", code=normal)
    certificate = None
    if 0 < len(normal) <= MAX_CODE:
        certificate = Certificate.objects.filter(code=normal).first()
    context = {
        "certificate": certificate,
        "code": normal[:MAX_CODE],
        "breadcrumbs": [
            (_("Events"), reverse("events:index")),
            (_("Check a certificate"), reverse("events:certificate-check")),
            (normal[:MAX_CODE], ""),
        ],
    }
    return render(
        request,
        "events/after/certificate_verify.html",
        context,
        status=200 if certificate else 404,
    )


urlpatterns: list[URLPattern] = [
    path("registrations/<str:code>/feedback/", feedback, name="feedback"),
    path("<int:pk>/feedback/", feedback_results, name="feedback-results"),
    path("<int:pk>/certificates/", certificates_view, name="certificates"),
    path("registrations/<str:code>/certificate.pdf", certificate_pdf, name="certificate-pdf"),
    path("certificates/", certificate_check, name="certificate-check"),
    path("certificates/<str:code>/", certificate_verify, name="certificate-verify"),
]
