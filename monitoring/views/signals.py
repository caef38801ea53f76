"""Proposals and signals (АПК гл. 8): the public list, filing one (signed in), logging one
filed elsewhere, the tracking page, and the steps of the institution's staff (register, no
proceedings, extend, forward, answer, add a document) and of the filer (withdraw, change
what is public).

A private filing is a 404 to everyone who may not see it (rules.py: view_item); the filer's
name shows only if they chose so (or to view_identity), the address and e-mail only to those
who handle it or filed it. The workflow is monitoring/services/signals.py's: these views
show its refusals next to the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.ratelimit import ratelimit
from directory.models import Institution
from monitoring import legal
from monitoring.enums import (
    SIGNAL_PENDING,
    SignalEventKind,
    SignalKind,
    SignalStatus,
)
from monitoring.forms import signals as signal_forms
from monitoring.forms.common import choice_field, is_code, municipality_choices
from monitoring.models import Signal
from monitoring.rules import oversees
from monitoring.services import signals as services
from monitoring.services.common import MonitoringError, handles_institution
from monitoring.views.common import (
    MAX_ID,
    PlaceFilterForm,
    Step,
    by_place,
    page_of,
    represented,
    submit_step,
    user_of,
    visible_or_404,
)
from territory.models import Municipality

PAGE_SIZE = 25
MAX_PAGE = 2000  # deeper than anyone reads; keeps OFFSET bounded at 200,000 records

file_limit = ratelimit("monitoring-signal-file", limit=10, period=3600)
step_limit = ratelimit("monitoring-signal-step", limit=120, period=3600)


# --- helpers ---------------------------------------------------------------------------------


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Proposals and signals"), reverse("monitoring:signals")), *rest]


def _int(value: Any) -> int | None:
    text = str(value or "")
    if not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _signal(request: HttpRequest, pk: int) -> Signal:
    """The signal, or a 404 if it does not exist or the person may not see it."""
    related = ("institution", "organisation", "forwarded_to", "forwarded_from",
               "forwarded_from__institution")  # fmt: skip
    return visible_or_404(request, Signal.objects.select_related(*related), pk)  # type: ignore[no-any-return]


def visible(user: Any) -> QuerySet[Signal]:
    """What the person may see in lists (rules.py: view_item)."""
    return Signal.objects.visible_to(user)


def _institution_from(request: HttpRequest) -> Institution | None:
    pk = _int(request.GET.get("institution"))
    if pk is None:
        return None
    return Institution.objects.select_related("municipality").filter(pk=pk).first()


# --- the list --------------------------------------------------------------------------------


class ListFilterForm(PlaceFilterForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    field_order = ["kind", "status", "province", "municipality", "institution", "overdue"]
    statuses = list(SignalStatus.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = [("", _("all")), *SignalKind.choices]

    def of_municipality(self, code: str) -> list[tuple[str, str]]:
        return signal_forms.institution_choices(code)


def _listed(user: Any, filters: dict[str, Any]) -> QuerySet[Signal]:
    queryset = by_place(visible(user), filters, SIGNAL_PENDING)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    return queryset.select_related("institution").order_by("-received_on", "-pk")


@require_http_methods(["GET", "HEAD"])
def signal_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = page_of(_listed(request.user, filters), request.GET.get("page"), PAGE_SIZE, MAX_PAGE)
    return render(
        request,
        "monitoring/signals/list.html",
        {
            "form": form,
            "signals": page.object_list,
            "filtered": bool(filters),
            "page": page,
            "breadcrumbs": [(_("Proposals and signals"), "")],
        },
    )


# --- filing and logging ----------------------------------------------------------------------


def _choose_step(request: HttpRequest, name: str, title: str) -> HttpResponse:
    """The GET step before the form: the municipality, then its institution."""
    form = signal_forms.ChooseInstitutionForm(request.GET or None)
    if request.GET:
        form.is_valid()
    return render(
        request,
        "monitoring/signals/choose.html",
        {
            "form": form,
            "title": title,
            "action": reverse(name),
            "breadcrumbs": _crumbs((title, "")),
        },
    )


def _filing(request: HttpRequest, title: str, url_name: str, *, logging: bool) -> HttpResponse:
    institution = _institution_from(request)
    if institution is None:
        if request.GET.get("institution"):
            raise Http404
        return _choose_step(request, url_name, title)
    if not request.user.has_perm("monitoring.file", institution):
        raise Http404
    user = user_of(request)
    # The institution's staff record one filed on paper for someone without an account.
    for_someone = logging and handles_institution(user, institution)
    organisations = [] if for_someone else represented(user)
    form_class = signal_forms.LogForm if logging else signal_forms.FileForm
    if request.method == "POST":
        form = form_class(request.POST, organisations=organisations)
        if form.is_spam():
            # A bot: nothing is kept and it is not told why.
            return redirect("monitoring:signals")
        if form.is_valid():
            try:
                if logging:
                    filer = None if for_someone else user
                    signal = services.log(
                        institution, by=user, filer=filer, **form.service_kwargs()
                    )
                else:
                    signal = services.file(institution, by=user, **form.service_kwargs())
            except MonitoringError as error:
                form.add_error(None, str(error))
            else:
                done = _("Recorded. Follow it on this page.") if logging else _filed_message(signal)
                messages.success(request, done)
                return redirect(signal.get_absolute_url())
    else:
        initial = {} if for_someone else {"filer_email": user.email}
        form = form_class(organisations=organisations, initial=initial)
    return render(
        request,
        "monitoring/signals/file.html",
        {
            "form": form,
            "institution": institution,
            "title": title,
            "logging": logging,
            "for_someone": for_someone,
            "breadcrumbs": _crumbs((title, "")),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@file_limit
def signal_file(request: HttpRequest) -> HttpResponse:
    return _filing(
        request, _("File a proposal or a signal"), "monitoring:signal-file", logging=False
    )


def _filed_message(signal: Signal) -> str:
    if not signal.starts_legal_deadline:
        return _(
            "Received. It is kept as feedback: no proceedings are opened and no legal deadline "
            "runs. Follow it on this page."
        )
    return _(
        "Received and sent to the institution. It must decide by %(day)s. Follow it on this page."
    ) % {"day": signal.due_on.strftime("%d.%m.%Y")}  # type: ignore[union-attr]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@file_limit
def signal_log(request: HttpRequest) -> HttpResponse:
    """One filed elsewhere: by its filer (it becomes theirs to follow) or by the
    institution's staff for someone who filed on paper (it has no account behind it)."""
    title = _("Record a proposal or signal filed elsewhere")
    return _filing(request, title, "monitoring:signal-log", logging=True)


# --- the tracking page -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SignalStep(Step):
    """A step on a signal: who may (`permission` on it) and when (`possible`)."""

    permission: str
    possible: Callable[[Signal], bool]


def _may_extend(signal: Signal) -> bool:
    return (
        signal.kind == SignalKind.PROPOSAL
        and signal.is_pending
        and signal.due_on is not None
        and (signal.extended_months or legal.APK_PROPOSAL_MONTHS) < legal.APK_MAX_EXTENDED_MONTHS
    )


def _run_register(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.register(
        signal,
        number=data["number"],
        registered_on=data["registered_on"],
        by=user,
        version=data["version"],
    )


def _run_no_proceedings(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    grounds = dict(signal_forms.NO_PROCEEDINGS_GROUNDS)
    return services.no_proceedings(
        signal,
        reason=f"{grounds[data['ground']]}. {data['reason'].strip()}",
        ground=data["ground"],
        by=user,
        version=data["version"],
    )


def _run_extend(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.extend(
        signal,
        months=data["months"],
        note=data["note"],
        on=data["on"],
        by=user,
        version=data["version"],
    )


def _run_forward(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.forward(
        signal,
        to=form.institution,
        to_name=data.get("to_name", ""),
        on=data["on"],
        note=data.get("note", ""),
        by=user,
        version=data["version"],
    )


def _run_answer(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.answer(
        signal,
        outcome=data["outcome"],
        decided_on=data["decided_on"],
        communicated_on=data.get("communicated_on"),
        answer=data["answer"],
        by=user,
        version=data["version"],
    )


def _run_document(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.add_document(
        signal,
        data["file"],
        title=data["title"],
        kind=data["kind"],
        redacted=data.get("redacted"),
        is_public=data.get("is_public", False),
        by=user,
        version=data["version"],
    )


def _run_withdraw(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.withdraw(signal, note=data.get("note", ""), by=user, version=data["version"])


def _run_visibility(signal: Signal, user: User, form: Any) -> Any:
    data = form.cleaned_data
    return services.set_visibility(
        signal,
        is_public=data.get("is_public", False),
        show_name=data.get("show_name", False),
        by=user,
        version=data["version"],
    )


def _pending(signal: Signal) -> bool:
    return signal.is_pending


_INTRO_REGISTER = gettext_lazy(
    "Every proposal and signal is registered (АПК, Art. 111). The deadline counts from the "
    "receipt, not from the registration."
)
_INTRO_NO_PROCEEDINGS = gettext_lazy(
    "No proceedings are opened on anonymous filings and on signals about acts more than 2 "
    "years old (АПК, Art. 111(4)). If another body is competent, forward it instead."
)
_INTRO_EXTEND = gettext_lazy(
    "Only the term of a proposal can be extended, by the superior body, to at most 6 months "
    "from the receipt, with a notice to the filer (АПК, Art. 118(3))."
)
_INTRO_FORWARD = gettext_lazy(
    "A filing sent to the wrong body is forwarded to the competent one within 7 days of its "
    "receipt, and the filer is told (АПК, Art. 112)."
)
_INTRO_ANSWER = gettext_lazy(
    "The decision is written and reasoned, and reaches the filer within 7 days (АПК, Art. "
    "118(2) and Art. 123(1))."
)
_INTRO_WITHDRAW = gettext_lazy(
    "The institution stops examining it. This cannot be undone: to raise the matter again, "
    "file it anew."
)
_HANDLE = "monitoring.handle_item"
_FILER = "monitoring.act_as_filer"

STEPS: dict[str, SignalStep] = {
    step.name: step
    for step in [
        SignalStep(
            name="register",
            title=gettext_lazy("Register"),
            form=signal_forms.RegisterForm,
            permission=_HANDLE,
            possible=lambda s: s.status == SignalStatus.SUBMITTED,
            run=_run_register,
            done=gettext_lazy("Registered."),
            intro=_INTRO_REGISTER,
            button=gettext_lazy("Register"),
        ),
        SignalStep(
            name="no-proceedings",
            title=gettext_lazy("No proceedings"),
            form=signal_forms.NoProceedingsForm,
            permission=_HANDLE,
            possible=_pending,
            run=_run_no_proceedings,
            done=gettext_lazy("Recorded: no proceedings are opened."),
            intro=_INTRO_NO_PROCEEDINGS,
            button=gettext_lazy("Record: no proceedings"),
            danger=True,
        ),
        SignalStep(
            name="extend",
            title=gettext_lazy("Extend the term"),
            form=signal_forms.ExtendForm,
            permission=_HANDLE,
            possible=_may_extend,
            run=_run_extend,
            done=gettext_lazy("The term is extended and the filer is told."),
            intro=_INTRO_EXTEND,
            button=gettext_lazy("Extend"),
        ),
        SignalStep(
            name="forward",
            title=gettext_lazy("Forward to the competent body"),
            form=signal_forms.ForwardForm,
            permission=_HANDLE,
            possible=_pending,
            run=_run_forward,
            done=gettext_lazy("Forwarded, and the filer is told."),
            intro=_INTRO_FORWARD,
            button=gettext_lazy("Forward"),
        ),
        SignalStep(
            name="answer",
            title=gettext_lazy("Record the decision"),
            form=signal_forms.AnswerForm,
            permission=_HANDLE,
            possible=lambda s: s.status == SignalStatus.REGISTERED,
            run=_run_answer,
            done=gettext_lazy("The decision is recorded and sent to the filer."),
            intro=_INTRO_ANSWER,
            button=gettext_lazy("Record the decision"),
        ),
        SignalStep(
            name="document",
            title=gettext_lazy("Add a document"),
            form=signal_forms.DocumentForm,
            permission=_HANDLE,
            possible=lambda s: True,
            run=_run_document,
            done=gettext_lazy("The document is added."),
            button=gettext_lazy("Upload"),
            multipart=True,
        ),
        SignalStep(
            name="withdraw",
            title=gettext_lazy("Withdraw"),
            form=signal_forms.WithdrawForm,
            permission=_FILER,
            possible=_pending,
            run=_run_withdraw,
            done=gettext_lazy("Withdrawn. The institution is told."),
            intro=_INTRO_WITHDRAW,
            button=gettext_lazy("Withdraw"),
            danger=True,
        ),
        SignalStep(
            name="visibility",
            title=gettext_lazy("What is public"),
            form=signal_forms.VisibilityForm,
            permission=_FILER,
            possible=lambda s: True,
            run=_run_visibility,
            done=gettext_lazy("Saved."),
            intro=gettext_lazy("Your address and e-mail are never published, whatever you choose."),
        ),
    ]
}


def _deadline_basis(signal: Signal) -> str:
    """What the deadline is, in words, with its article."""
    if signal.is_anonymous:
        return _(
            "Accepted as feedback, without the filer's name and address: no proceedings are "
            "opened and no legal deadline runs (АПК, Art. 111(4))."
        )
    if signal.is_stale:
        return _(
            "About acts more than 2 years old: no proceedings are opened and no legal deadline "
            "runs (АПК, Art. 111(4))."
        )
    if signal.kind == SignalKind.PROPOSAL:
        if signal.extended_months:
            return _(
                "The decision within %(n)s months of the receipt: the term was extended by the "
                "superior body (АПК, Art. 118(3))."
            ) % {"n": signal.extended_months}
        return _("The decision within 2 months of the receipt (АПК, Art. 118(1)).")
    return _(
        "The decision within %(n)s months of the receipt (АПК, Art. 121; the number is not "
        "confirmed, see the methodology)."
    ) % {"n": legal.apk_signal_months()}


def _forwarding(signal: Signal, events: list[Any]) -> dict[str, Any] | None:
    for event in events:
        if event.kind == SignalEventKind.FORWARDED:
            return {
                "on": event.on,
                "in_time": event.details.get("in_time"),
                "due_on": legal.forward_due_on(signal.received_on),
            }
    return None


@require_http_methods(["GET", "HEAD"])
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signal = _signal(request, pk)
    user = request.user
    may_handle = user.has_perm("monitoring.handle_item", signal)
    is_filer = user.has_perm("monitoring.act_as_filer", signal)
    sees_all = may_handle or bool(oversees.test(user))
    events = list(signal.events.all() if sees_all else signal.events.filter(is_public=True))
    documents = list(
        signal.documents.all() if may_handle else signal.documents.filter(is_public=True)
    )
    forwards = list(signal.forwards.select_related("institution"))
    actions = [
        (step, reverse(f"monitoring:signal-{step.name}", args=[signal.pk]))
        for step in STEPS.values()
        if step.possible(signal) and user.has_perm(step.permission, signal)
    ]
    title = signal.get_kind_display()  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/signals/detail.html",
        {
            "signal": signal,
            "item": signal,
            "events": events,
            "documents": documents,
            "forwards": forwards,
            "forwarding": _forwarding(signal, events),
            "reports": signal.reports.published().select_related("organisation"),
            "may_handle": may_handle,
            "is_filer": is_filer,
            "sees_identity": user.has_perm("monitoring.view_identity", signal),
            "sees_contacts": may_handle or is_filer,
            "actions": actions,
            "deadline_basis": _deadline_basis(signal),
            "communication_due_on": (
                legal.communication_due_on(signal.decided_on) if signal.decided_on else None
            ),
            "breadcrumbs": _crumbs((f"{title}: {signal.title}", "")),
        },
    )


# --- the steps -------------------------------------------------------------------------------


def _forward_choices(request: HttpRequest, signal: Signal) -> tuple[Any, list[Any]]:
    """The municipality whose institutions are offered (the signal's own by default)."""
    code = str(request.GET.get("municipality") or signal.municipality_id or "")
    municipality = Municipality.objects.filter(code=code).first() if is_code(code) else None
    return municipality, signal_forms.institution_choices(code) if municipality else []


def _step_view(step: SignalStep) -> Callable[..., HttpResponse]:
    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    @step_limit
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        signal = _signal(request, pk)
        if not request.user.has_perm(step.permission, signal):
            raise Http404
        if not step.possible(signal):
            messages.error(request, _("This step is not possible in the record's current state."))
            return redirect(signal.get_absolute_url())
        extra: dict[str, Any] = {}
        context: dict[str, Any] = {}
        if step.name == "forward":
            municipality, choices = _forward_choices(request, signal)
            extra["choices"] = choices
            context["municipality"] = municipality
            context["municipalities"] = municipality_choices()
        if request.method == "POST":
            reload = lambda: _signal(request, pk)  # noqa: E731
            form, signal, done = submit_step(request, step, signal, reload, **extra)
            if done is not None:
                return done
        else:
            form = step.form(record=signal, **extra)
        return render(
            request,
            "monitoring/signals/step.html",
            {
                "signal": signal,
                "item": signal,
                "step": step,
                "form": form,
                "deadline_basis": _deadline_basis(signal),
                "forward_due_on": legal.forward_due_on(signal.received_on),
                "breadcrumbs": _crumbs(
                    (signal.title, signal.get_absolute_url()), (str(step.title), "")
                ),
                **context,
            },
        )

    view.__name__ = f"signal_{step.name.replace('-', '_')}"
    return view


urlpatterns: list[URLPattern] = [
    path("signals/", signal_list, name="signals"),
    path("signals/new/", signal_file, name="signal-file"),
    path("signals/log/", signal_log, name="signal-log"),
    path("signals/<int:pk>/", signal_detail, name="signal"),
    *[
        path(f"signals/<int:pk>/{name}/", _step_view(step), name=f"signal-{name}")
        for name, step in STEPS.items()
    ],
]
