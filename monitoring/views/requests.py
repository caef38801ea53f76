"""Information requests (ЗДОИ): the public list, filing one, logging one filed elsewhere, the
tracking page and the steps of the institution and of the requester.

The list pages by offset over the `request_newest` index (-filed_on, -id) and fetches one row
more than it shows to know whether a next page exists: no COUNT over 200,000 rows. A private
request is a 404 for whoever may not see it (rules.py: view_item); the requester's name shows
only when they chose so (or to those with view_identity); the address and e-mail only to
those. The workflow is monitoring/services/requests.py's: these views show its refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core import markdown, search
from core.ratelimit import ratelimit
from core.widgets import ListSelect
from directory import selectors as directory_selectors
from directory.models import Institution
from monitoring import legal
from monitoring.enums import (
    REQUEST_APPEALABLE,
    REQUEST_FINAL,
    REQUEST_PENDING,
    RequestStatus,
)
from monitoring.forms import requests as request_forms
from monitoring.forms.common import StepForm, choice_field, municipality_choices, serving
from monitoring.models import Document, InformationRequest
from monitoring.services import requests as services
from monitoring.services.common import MonitoringError, handles_institution, today
from monitoring.views.common import (
    PlaceFilterForm,
    Step,
    by_place,
    page_of,
    pk_or_404,
    represented,
    submit_step,
    user_of,
    visible_or_404,
)

PAGE_SIZE = 20
# Beyond this the list asks for filters: nobody reads 10,000 requests page by page, and a
# deep offset costs the database the rows it skips.
MAX_PAGE = 500
MIN_WORDS = 3
MAX_WORDS = 100
PICK_LIMIT = 40

file_limit = ratelimit("monitoring-request-file", limit=10, period=3600)
action_limit = ratelimit("monitoring-request-act", limit=120, period=3600)

STATUS_TAGS: dict[str, str] = {
    RequestStatus.SUBMITTED: "tag-blue",
    RequestStatus.REGISTERED: "tag-blue",
    RequestStatus.CLARIFICATION: "tag-grey",
    RequestStatus.FORWARDED: "tag-grey",
    RequestStatus.GRANTED: "tag-green",
    RequestStatus.PARTIAL: "tag-green",
    RequestStatus.REFUSED: "tag-red",
    RequestStatus.NOT_EXISTS: "tag-grey",
    RequestStatus.NO_CONSIDERATION: "tag-grey",
    RequestStatus.WITHDRAWN: "tag-grey",
}
PITAY = "https://pitay.government.bg"
# The kind monitoring/search.py registers (core.search answers nothing for an unknown kind).
REQUEST_SEARCH_KIND = "monitoring.request"


# --- helpers ---------------------------------------------------------------------------------


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Information requests"), reverse("monitoring:requests")), *rest]


def visible(queryset: QuerySet[InformationRequest], user: Any) -> QuerySet[InformationRequest]:
    """The requests `user` may see (rules.py: view_item), as one filter."""
    return queryset.visible_to(user)  # type: ignore[attr-defined]


def decorate(req: InformationRequest) -> InformationRequest:
    req.status_tag = STATUS_TAGS.get(req.status, "tag-grey")  # type: ignore[attr-defined]
    return req


def _load(request: HttpRequest, pk: int) -> InformationRequest:
    """The request, or a 404 for whoever may not see it."""
    related = ("institution", "organisation", "forwarded_to", "forwarded_from__institution")
    return decorate(
        visible_or_404(request, InformationRequest.objects.select_related(*related), pk)
    )


# --- the list --------------------------------------------------------------------------------


class FilterForm(PlaceFilterForm):
    q = forms.CharField(
        label=gettext_lazy("Words in the subject"),
        required=False,
        max_length=MAX_WORDS,
        min_length=MIN_WORDS,
        error_messages={"min_length": gettext_lazy("Write at least 3 letters.")},
    )
    field_order = ["q", "status", "overdue", "province", "municipality", "institution"]
    statuses = list(RequestStatus.choices)
    by_province = True

    def of_municipality(self, code: str) -> list[tuple[str, str]]:
        institutions = Institution.objects.filter(municipality_id=code)
        return [(str(i.pk), i.name) for i in institutions.order_by("kind__order", "name_bg")]


def _words(q: str) -> Q:
    """Words in the subject: the site's search index (public requests, with stems and both
    scripts, where another part registers the kind) or the words as typed in the title
    (private ones one may see; SQLite folds only Latin case there)."""
    ids = (
        search.matching(q, kind=REQUEST_SEARCH_KIND)
        .order_by()
        .annotate(iid=Cast("object_id", IntegerField()))
        .values("iid")
    )
    return Q(title__icontains=q) | Q(pk__in=ids)


def listed(filters: dict[str, Any], user: Any) -> QuerySet[InformationRequest]:
    qs = by_place(visible(InformationRequest.objects.all(), user), filters, REQUEST_PENDING)
    if filters.get("q"):
        qs = qs.filter(_words(filters["q"]))
    return qs.select_related("institution").order_by("-filed_on", "-pk")


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = page_of(listed(filters, request.user), request.GET.get("page"), PAGE_SIZE, MAX_PAGE)
    return render(
        request,
        "monitoring/requests/list.html",
        {
            "form": form,
            "requests": [decorate(r) for r in page.object_list],
            "page": page,
            "filtered": bool(filters),
            "breadcrumbs": [(_("Information requests"), "")],
        },
    )


# --- choosing the institution ----------------------------------------------------------------


class PickForm(forms.Form):
    municipality = forms.ChoiceField(
        label=gettext_lazy("Municipality"), required=False, widget=ListSelect
    )
    q = forms.CharField(
        label=gettext_lazy("Or search by name"),
        required=False,
        max_length=MAX_WORDS,
        help_text=gettext_lazy("E.g. “Община Пловдив” or “РЗИ Пловдив”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "municipality").choices = [("", "—"), *municipality_choices()]


def _institution_choices(form: PickForm) -> list[Institution]:
    if not form.is_valid():
        return []
    municipality, q = form.cleaned_data.get("municipality"), form.cleaned_data.get("q", "")
    qs = Institution.objects.select_related("kind", "municipality")
    if q and len(q.strip()) >= 2:
        return list(
            directory_selectors.matching(qs, q).order_by("kind__order", "name_bg")[:PICK_LIMIT]
        )
    if municipality:
        return list(
            qs.filter(serving(municipality)).order_by("kind__order", "name_bg")[: PICK_LIMIT * 5]
        )
    return []


def _chosen_institution(request: HttpRequest) -> Institution | None:
    raw = request.GET.get("institution", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return get_object_or_404(Institution.objects.select_related("kind"), pk=int(raw))


def _pick(request: HttpRequest, *, title: str, url_name: str) -> HttpResponse:
    form = PickForm(request.GET or None)
    return render(
        request,
        "monitoring/requests/pick.html",
        {
            "title": title,
            "form": form,
            "institutions": _institution_choices(form) if request.GET else [],
            "searched": bool(request.GET),
            "action": reverse(url_name),
            "breadcrumbs": _crumbs((title, "")),
        },
    )


# --- filing ----------------------------------------------------------------------------------


def _filing(request: HttpRequest, title: str, url_name: str, *, logging: bool) -> HttpResponse:
    institution = _chosen_institution(request)
    if institution is None:
        return _pick(request, title=title, url_name=url_name)
    user = user_of(request)
    # The institution's staff may log the request of someone without an account.
    staff = logging and handles_institution(user, institution)
    form_class = request_forms.LogForm if logging else request_forms.RequestForm
    form = form_class(
        request.POST if request.method == "POST" else None,
        organisations=represented(user),
        initial={"requester_name": user.get_full_name(), "requester_email": user.email},
        **({"staff": staff} if logging else {}),
    )
    if request.method == "POST":
        if not logging and form.is_spam():
            form.add_error(None, _("The request could not be accepted."))
        elif form.is_valid():
            try:
                if logging:
                    someone_else = staff and cast(request_forms.LogForm, form).for_someone_else
                    requester = None if someone_else else user
                    req = services.log(
                        institution, by=user, requester=requester, **form.request_fields()
                    )
                else:
                    req = services.file(institution, by=user, **form.request_fields())
            except MonitoringError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _filed_message(institution, logging))
                return redirect(req.get_absolute_url())
    context = {
        "title": title,
        "form": form,
        "institution": institution,
        "logging": logging,
        "action": request.get_full_path(),
        "breadcrumbs": _crumbs((title, "")),
    }
    if not logging:
        context["due_on"] = legal.request_due_on(today())
    return render(request, "monitoring/requests/file.html", context)


def _filed_message(institution: Institution, logging: bool) -> str:
    if logging:
        return _("The request has been logged; this page follows it.")
    return _(
        "Your request has been sent to %(name)s. We have e-mailed you a confirmation; this page "
        "follows it."
    ) % {"name": institution.name}


@login_required
@file_limit
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    title = _("Ask for public information")
    return _filing(request, title, "monitoring:request-file", logging=False)


@login_required
@file_limit
@require_http_methods(["GET", "POST"])
def log_request(request: HttpRequest) -> HttpResponse:
    title = _("Log a request filed elsewhere")
    return _filing(request, title, "monitoring:request-log", logging=True)


# --- the tracking page -----------------------------------------------------------------------


def _deadline(req: InformationRequest) -> dict[str, Any] | None:
    if req.status == RequestStatus.CLARIFICATION and req.clarification_due_on:
        return {"day": req.clarification_due_on, "what": "clarification"}
    if req.status in REQUEST_PENDING and req.due_on:
        return {"day": req.due_on, "what": "decision"}
    return None


def _appeal(req: InformationRequest) -> dict[str, Any] | None:
    """The route after a refusal (14 days from the decision) or after silence (one month
    after the missed deadline): АПК чл. 149, ЗДОИ чл. 40."""
    if req.status in REQUEST_APPEALABLE and req.decided_on:
        return {"kind": "decision", "by": legal.appeal_due_on(req.decided_on)}
    if req.is_overdue and req.is_pending and req.due_on:
        return {"kind": "silence", "by": legal.tacit_refusal_appeal_due_on(req.due_on)}
    return None


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load(request, pk)
    user = request.user
    handles = user.has_perm("monitoring.handle_item", req)
    identity = handles or user.has_perm("monitoring.view_identity", req)
    is_owner = user.has_perm("monitoring.act_as_filer", req)
    events = req.events.all() if identity else req.events.filter(is_public=True)
    documents = req.documents.all()
    if not handles:
        documents = documents.filter(Q(is_public=True) | Q(uploaded_by_id=user.pk or 0))
    return render(
        request,
        "monitoring/requests/detail.html",
        {
            "req": req,
            "events": list(events.order_by("at", "pk")),
            "documents": list(documents),
            "answer_html": markdown.render(req.answer),
            "shown_name": req.public_name,
            "identity": identity,
            "handles": handles,
            "is_owner": is_owner,
            "deadline": _deadline(req),
            "appeal": _appeal(req),
            "appeal_help": services.PITAY_APPEAL_HELP,
            "reports": list(req.reports.published().select_related("organisation")),
            "actions": [a for a in ACTIONS.values() if a.offered(req, handles, is_owner)],
            "pitay": PITAY,
            "breadcrumbs": _crumbs((req.title, "")),
        },
    )


# --- the steps -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Action(Step):
    # "staff": the institution's staff and administrators; "owner": the requester (and the
    # representatives of the organisation it was filed for); "both".
    who: str
    states: frozenset[str]

    def allowed(self, handles: bool, is_owner: bool) -> bool:
        return {"staff": handles, "owner": is_owner, "both": handles or is_owner}[self.who]

    def possible(self, req: InformationRequest) -> bool:
        if self.name == "extend" and req.extension_reason:
            return False
        return not self.states or req.status in self.states

    def offered(self, req: InformationRequest, handles: bool, is_owner: bool) -> bool:
        return self.allowed(handles, is_owner) and self.possible(req)


def _register(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.register(
        req, number=data["number"], registered_on=data["registered_on"], by=user,
        version=data["version"],
    )  # fmt: skip


def _ask(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.ask_clarification(
        req, on=data["on"], note=data["note"], by=user, version=data["version"]
    )


def _clarify(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.clarify(req, text=data["text"], on=data.get("on"), by=user, version=data["version"])


def _extend(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.extend(
        req, reason=data["reason"], days=data["days"], note=data["note"], by=user,
        version=data["version"],
    )  # fmt: skip


def _forward(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.forward(
        req, on=data["on"], note=data["note"], by=user, to_institution=form.institution,
        to_name=data.get("to_name") or "", version=data["version"],
    )  # fmt: skip


def _decide(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.decide(
        req, outcome=data["outcome"], decided_on=data["decided_on"], answer=data["answer"],
        refusal_ground=data.get("refusal_ground") or "", by=user, documents=form.documents(),
        version=data["version"],
    )  # fmt: skip


def _document(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.add_document(
        req, upload=data["upload"], title=data["title"], kind=data["kind"], by=user,
        redacted_upload=data.get("redacted"), is_public=bool(data.get("is_public")),
    )  # fmt: skip


def _withdraw(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.withdraw(req, by=user, note=data.get("note") or "", version=data["version"])


def _visibility(req: InformationRequest, user: User, form: Any) -> None:
    data = form.cleaned_data
    services.set_visibility(
        req, is_public=bool(data.get("is_public")), show_name=bool(data.get("show_name")),
        by=user, version=data["version"],
    )  # fmt: skip


def _action(
    name: str,
    title: Any,
    button: Any,
    form: type[StepForm],
    run: Callable[[InformationRequest, User, Any], None],
    who: str,
    states: frozenset[str],
    done: Any,
    *,
    multipart: bool = False,
) -> Action:
    return Action(
        name=name, title=title, button=button, form=form, run=run, who=who,
        states=states, done=done, multipart=multipart,
    )  # fmt: skip


# Built at import time: the labels are lazy and translate when shown.
F = request_forms
OPEN = frozenset(RequestStatus.values) - REQUEST_FINAL
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _action(
            "register",
            gettext_lazy("Register the request"),
            gettext_lazy("Save the registration"),
            F.RegisterForm,
            _register,
            "staff",
            frozenset({RequestStatus.SUBMITTED}),
            gettext_lazy("The request is registered."),
        ),
        _action(
            "ask-clarification",
            gettext_lazy("Ask the requester to clarify"),
            gettext_lazy("Ask to clarify"),
            F.AskClarificationForm,
            _ask,
            "staff",
            frozenset({RequestStatus.REGISTERED}),
            gettext_lazy("The requester has been asked to clarify the request."),
        ),
        _action(
            "clarify",
            gettext_lazy("Clarify the request"),
            gettext_lazy("Send the clarification"),
            F.ClarifyForm,
            _clarify,
            "both",
            frozenset({RequestStatus.CLARIFICATION}),
            gettext_lazy(
                "The clarification is recorded: the 14 days for the decision run again from it."
            ),
        ),
        _action(
            "extend",
            gettext_lazy("Extend the term"),
            gettext_lazy("Extend"),
            F.ExtendForm,
            _extend,
            "staff",
            frozenset({RequestStatus.REGISTERED}),
            gettext_lazy("The term is extended and the requester has been told."),
        ),
        _action(
            "forward",
            gettext_lazy("Forward to the competent body"),
            gettext_lazy("Forward"),
            F.ForwardForm,
            _forward,
            "staff",
            frozenset({RequestStatus.SUBMITTED, RequestStatus.REGISTERED}),
            gettext_lazy("The request is forwarded and the requester has been told."),
        ),
        _action(
            "decide",
            gettext_lazy("Record the decision"),
            gettext_lazy("Record the decision"),
            F.DecideForm,
            _decide,
            "staff",
            frozenset({RequestStatus.REGISTERED}),
            gettext_lazy("The decision is recorded and the requester has been told."),
            multipart=True,
        ),
        _action(
            "document",
            gettext_lazy("Add a document"),
            gettext_lazy("Add the document"),
            F.DocumentForm,
            _document,
            "both",
            frozenset(),
            gettext_lazy("The document is added."),
            multipart=True,
        ),
        _action(
            "withdraw",
            gettext_lazy("Withdraw the request"),
            gettext_lazy("Withdraw my request"),
            F.WithdrawForm,
            _withdraw,
            "owner",
            OPEN,
            gettext_lazy("The request is withdrawn and the institution has been told."),
        ),
        _action(
            "visibility",
            gettext_lazy("Publication and your name"),
            gettext_lazy("Save"),
            F.VisibilityForm,
            _visibility,
            "owner",
            frozenset(),
            gettext_lazy("Your choices are saved."),
        ),
    ]
}


# Steps whose form differs for the staff (a date received on paper, a redacted copy).
FOR_STAFF = ("clarify", "document")


@login_required
@action_limit
@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = ACTIONS.get(action)
    if step is None:
        raise Http404
    req = _load(request, pk)
    user = user_of(request)
    handles = user.has_perm("monitoring.handle_item", req)
    is_owner = user.has_perm("monitoring.act_as_filer", req)
    if not step.allowed(handles, is_owner):
        raise PermissionDenied
    possible = step.possible(req)
    kwargs = {"staff": handles} if step.name in FOR_STAFF else {}
    if request.method == "POST" and possible:
        form, req, done = submit_step(request, step, req, lambda: _load(request, pk), **kwargs)
        if done is not None:
            return done
    else:
        form = step.form(record=req, **kwargs)
    return render(
        request,
        "monitoring/requests/action.html",
        {
            "req": req,
            "step": step,
            "form": form,
            "possible": possible,
            "breadcrumbs": _crumbs((req.title, req.get_absolute_url()), (str(step.title), "")),
        },
        status=200 if possible or request.method == "GET" else 409,
    )


@login_required
@action_limit
@require_http_methods(["GET", "POST"])
def redact(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    req = _load(request, pk)
    user = user_of(request)
    if not user.has_perm("monitoring.handle_item", req):
        raise PermissionDenied
    document = get_object_or_404(Document, pk=pk_or_404(document_pk), request=req)
    form = request_forms.RedactForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        record=req,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.redact(
                document, redacted_upload=form.cleaned_data["redacted"], by=user,
                is_public=bool(form.cleaned_data.get("is_public")),
            )  # fmt: skip
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The redacted copy replaced the public file."))
            return redirect(req.get_absolute_url())
    return render(
        request,
        "monitoring/requests/redact.html",
        {
            "req": req,
            "document": document,
            "form": form,
            "breadcrumbs": _crumbs(
                (req.title, req.get_absolute_url()), (_("Redact a document"), "")
            ),
        },
    )


urlpatterns = [
    path("requests/", index, name="requests"),
    path("requests/new/", file_request, name="request-file"),
    path("requests/log/", log_request, name="request-log"),
    path("requests/<int:pk>/", detail, name="request"),
    path("requests/<int:pk>/documents/<int:document_pk>/redact/", redact, name="request-redact"),
    path("requests/<int:pk>/<slug:action>/", act, name="request-action"),
]
