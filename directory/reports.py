"""Error reports ("сигнал за неточност"): anyone says an entry is wrong, its staff and the
moderators accept or reject it with an answer.

- `report`: the form, open to everyone (signed in or not), with a honeypot field and a rate
  limit; a new report is e-mailed, one message per person, to the institution's active staff
  and to every moderator, with nothing about the reporter but the report's text.
- `queue`: the reports a person may handle (staff: their institutions'; moderators and
  administrators: all), filtered by status, paginated, a fixed number of queries.
- `handle`: one report, with the reporter's e-mail (shown nowhere else), and the answer form;
  the answer is e-mailed to the reporter when an address is known.

The public sees only counts (`includes/report_link.html` on the institution's page).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext
from django.views.decorators.http import require_http_methods

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_administrator, is_moderator
from core.email import enqueue, enqueue_many, render_email
from core.ratelimit import client_key, hit
from directory.models import ErrorReport, Institution
from directory.selectors import staff_institution_ids

PAGE_SIZE = 25
MAX_ID = 2**63 - 1
TEXT_MAX = 2000
ANSWER_MAX = 4000
# Reports one person (or address) may send in RATE_PERIOD seconds.
RATE_LIMIT = 5
RATE_PERIOD = 3600
# Roles scoped to an institution that may handle its reports (as `is_staff_of` in rules.py).
STATUS_FILTERS = ("new", "accepted", "rejected", "all")


# --- Forms ---------------------------------------------------------------------------------


class ReportForm(forms.Form):
    part = forms.ChoiceField(
        label=gettext_lazy("Which part of the entry is wrong?"),
        choices=ErrorReport.Part.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose which part of the entry is wrong."),
            "invalid_choice": gettext_lazy("Choose one of the options shown."),
        },
    )
    text = forms.CharField(
        label=gettext_lazy("What should it say?"),
        help_text=gettext_lazy(
            "Write what is wrong and what is right, and where you saw the right information "
            "(at most 2,000 characters)."
        ),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": gettext_lazy("Write what the entry should say."),
            "max_length": gettext_lazy(
                "Write at most %(limit_value)d characters (you wrote %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address, for the answer"),
        help_text=gettext_lazy(
            "Only the people who handle the report see it. Leave it empty if you do not want "
            "an answer."
        ),
        required=False,
        max_length=254,
        error_messages={
            "invalid": gettext_lazy("Enter an e-mail address like name@example.bg."),
        },
    )
    # A honeypot: people never see it (the `hidden` attribute), form-filling bots fill it in.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signed_in:  # the answer goes to the account's address
            del self.fields["email"]

    @property
    def is_bot(self) -> bool:
        return bool(self.is_bound and self.data.get("website", "").strip())


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            (
                ErrorReport.Status.ACCEPTED,
                gettext_lazy("Accept: the entry was wrong (correct the entry as well)"),
            ),
            (ErrorReport.Status.REJECTED, gettext_lazy("Reject: the entry is right")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose whether you accept or reject it."),
            "invalid_choice": gettext_lazy("Choose one of the options shown."),
        },
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer to the person who sent it"),
        help_text=gettext_lazy(
            "Required when you reject the report; when you accept it, say what was corrected. "
            "The answer is sent to the person if they left an e-mail address."
        ),
        required=False,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": gettext_lazy(
                "Write at most %(limit_value)d characters (you wrote %(show_value)d)."
            ),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ErrorReport.Status.REJECTED and not data.get("answer"):
            self.add_error(
                "answer", _("Say why you reject the report: the person who sent it reads this.")
            )
        return data


# --- Who is told, and what -----------------------------------------------------------------


def handler_emails(institution: Institution) -> list[str]:
    """The addresses of the institution's active staff and of every moderator (one query)."""
    ct = ContentType.objects.get_for_model(Institution)
    active = Q(role_assignments__revoked_at__isnull=True)
    staff = Q(
        role_assignments__role=Role.INSTITUTION_STAFF,
        role_assignments__scope_type=ct,
        role_assignments__scope_id=str(institution.pk),
    )
    moderator = Q(role_assignments__role=Role.MODERATOR)
    return list(
        User.objects.filter(active & (staff | moderator), is_active=True, deleted_at__isnull=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def notify_handlers(report: ErrorReport) -> int:
    """E-mail a new report to those who handle it, one message per person (nobody sees the
    others' addresses). Nothing about the reporter is in it: only what they wrote."""
    institution = report.institution
    recipients = handler_emails(institution)
    with override(settings.LANGUAGE_CODE):  # people have no language setting yet
        context = {
            "institution": institution,
            "part": report.get_part_display(),
            "text": report.text,
            "handle_url": _absolute(reverse("directory:report-handle", args=[report.pk])),
            "queue_url": _absolute(reverse("directory:reports")),
            "entry_url": _absolute(institution.get_absolute_url()),
        }
        messages_ = [
            render_email(to, None, "directory/email/report_new", context) for to in recipients
        ]
    if messages_:
        enqueue_many(messages_)
    return len(messages_)


def answer_address(report: ErrorReport) -> str:
    """Where the answer goes: the account's address if the reporter was signed in, else the
    address they gave; empty when neither is known (or the account was deleted)."""
    reporter = report.reporter
    if reporter is not None:
        if reporter.is_active and reporter.deleted_at is None:
            return reporter.email
        return ""
    return report.reporter_email


def send_answer(report: ErrorReport) -> bool:
    to = answer_address(report)
    if not to:
        return False
    institution = report.institution
    with override(settings.LANGUAGE_CODE):
        enqueue(
            render_email(
                to,
                None,
                "directory/email/report_answer",
                {
                    "institution": institution,
                    "part": report.get_part_display(),
                    "text": report.text,
                    "accepted": report.status == ErrorReport.Status.ACCEPTED,
                    "answer": report.answer,
                    "reported_at": report.created_at,
                    "entry_url": _absolute(institution.get_absolute_url()),
                },
            )
        )
    return True


# --- Views ---------------------------------------------------------------------------------


def _institution(pk: int) -> Institution:
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    return get_object_or_404(Institution.objects.select_related("kind"), pk=pk)


def _crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Directory"), reverse("directory:index")), *more]


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(pk)
    user = request.user if request.user.is_authenticated else None
    crumbs = _crumbs((institution.name, institution.get_absolute_url()), (_("Report an error"), ""))
    if request.method == "GET" and request.GET.get("sent"):
        return render(
            request,
            "directory/reports/thanks.html",
            {
                "institution": institution,
                "answer_by_email": request.GET.get("answer") == "1",
                "breadcrumbs": crumbs,
            },
        )
    form = ReportForm(request.POST or None, signed_in=user is not None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not hit("directory-report", client_key(request), RATE_LIMIT, RATE_PERIOD):
                form.add_error(
                    None,
                    _(
                        "You have sent many reports in the last hour. Please try again later; "
                        "what you wrote is kept below."
                    ),
                )
                status = 429
            else:
                answer = bool(user and user.email) or bool(form.cleaned_data.get("email"))
                if not form.is_bot:  # a bot is thanked like a person, and nothing is kept
                    _save_report(institution, form.cleaned_data, user)
                url = reverse("directory:report", args=[institution.pk])
                return HttpResponseRedirect(f"{url}?sent=1&answer={int(answer)}")
    return render(
        request,
        "directory/reports/form.html",
        {"institution": institution, "form": form, "breadcrumbs": crumbs},
        status=status,
    )


def _save_report(institution: Institution, data: dict[str, Any], user: Any) -> ErrorReport:
    with transaction.atomic():
        obj = ErrorReport.objects.create(
            institution=institution,
            part=data["part"],
            text=data["text"],
            reporter=user,
            reporter_email="" if user else data.get("email", ""),
        )
        # Mail goes out only once the report is stored for good.
        transaction.on_commit(lambda: notify_handlers(obj))
    return obj


def _handled_by(user: Any) -> QuerySet[ErrorReport] | None:
    """The reports this person may handle, or None if they may handle none."""
    reports = ErrorReport.objects.all()
    if is_moderator(user) or is_administrator(user):
        return reports
    ids = staff_institution_ids(user)
    return reports.filter(institution_id__in=ids) if ids else None


@login_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    reports = _handled_by(request.user)
    if reports is None:
        raise PermissionDenied
    status = request.GET.get("status", "new")
    if status not in STATUS_FILTERS:
        status = "new"
    counts = reports.aggregate(
        new=Count("pk", filter=Q(status=ErrorReport.Status.NEW)),
        accepted=Count("pk", filter=Q(status=ErrorReport.Status.ACCEPTED)),
        rejected=Count("pk", filter=Q(status=ErrorReport.Status.REJECTED)),
        all=Count("pk"),
    )
    shown = reports if status == "all" else reports.filter(status=status)
    shown = shown.select_related("institution__kind").order_by("-created_at", "-pk")
    page_obj = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {
        "new": pgettext("error reports", "New"),
        "accepted": pgettext("error reports", "Accepted"),
        "rejected": pgettext("error reports", "Rejected"),
        "all": pgettext("error reports", "All"),
    }
    filters = [
        {"value": value, "label": labels[value], "count": counts[value], "current": value == status}
        for value in STATUS_FILTERS
    ]
    return render(
        request,
        "directory/reports/queue.html",
        {
            "page_obj": page_obj,
            "filters": filters,
            "status": status,
            "status_label": labels[status],
            "breadcrumbs": _crumbs((_("Error reports"), "")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404
    obj = get_object_or_404(
        ErrorReport.objects.select_related("institution__kind", "reporter", "answered_by"), pk=pk
    )
    user = request.user
    if not user.has_perm("directory.handle_errorreport", obj):
        raise PermissionDenied
    initial = {"answer": obj.answer}
    if obj.status != ErrorReport.Status.NEW:
        initial["status"] = obj.status
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = _answer(obj, form.cleaned_data, user)
        messages.success(request, ANSWER_OUTCOMES[outcome])
        return HttpResponseRedirect(reverse("directory:report-handle", args=[obj.pk]))
    context = {
        "report": obj,
        "institution": obj.institution,
        "form": form,
        "reporter_email": answer_address(obj),
        "reporter_signed_in": obj.reporter_id is not None,
        "can_edit": user.has_perm("directory.change_institution", obj.institution),
        "breadcrumbs": _crumbs(
            (_("Error reports"), reverse("directory:reports")),
            (_("Report no. %(number)s") % {"number": obj.pk}, ""),
        ),
    }
    return render(
        request, "directory/reports/handle.html", context, status=400 if form.is_bound else 200
    )


# What the handler is told after saving an answer.
ANSWER_OUTCOMES = {
    "sent": gettext_lazy("The answer is saved and sent to the person by e-mail."),
    "unchanged": gettext_lazy(
        "Saved. The decision and the answer did not change, so no e-mail was sent."
    ),
    "no-address": gettext_lazy(
        "The answer is saved. The person left no e-mail address, so it was not sent."
    ),
}


def _answer(obj: ErrorReport, data: dict[str, Any], user: Any) -> str:
    """Store the decision and e-mail it (after the commit) if it changed and an address is
    known. Returns a key of ANSWER_OUTCOMES."""
    with transaction.atomic():
        locked = (
            ErrorReport.objects.select_for_update(of=("self",))
            .select_related("institution", "reporter")
            .get(pk=obj.pk)
        )
        changed = (locked.status, locked.answer) != (data["status"], data["answer"])
        locked.status = data["status"]
        locked.answer = data["answer"]
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
        if not changed:
            return "unchanged"
        if not answer_address(locked):
            return "no-address"
        transaction.on_commit(lambda: send_answer(locked))
    return "sent"
