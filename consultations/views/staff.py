"""Consultations: the pages of the owning institution's staff (see consultations/README.md).

Create and edit the package before it opens (optimistic locking on `Consultation.version`,
as in directory/editing.py: a stale form is refused with the difference shown, nothing is
overwritten), the draft's text as versions, attachments, the moves between states
(services.transition, each recorded), hearings and their minutes, the adopted text; the
dashboard of the person's institutions; and the public page comparing the consulted draft with
the adopted text.

Permissions (consultations/rules.py): `add_consultation` on the institution to create;
`change_consultation` (managers, before opening) for the package, the text and attachments;
`manage_consultation` for moves, hearings and the adopted text; `view_consultation` for the
versions page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.rules import is_administrator
from consultations import diff as version_diff
from consultations import drafts, periods
from consultations.enums import NORMATIVE_KINDS, TRANSITIONS, AttachmentKind, State, VersionKind
from consultations.forms import (
    AdoptForm,
    AttachmentForm,
    ConsultationForm,
    DraftTextForm,
    HearingForm,
    WithdrawForm,
    sofia_today,
)
from consultations.models import Attachment, Consultation, DraftVersion, Hearing
from consultations.services import TransitionError, transition
from consultations.versions import save_version
from core.legal_calendar import SOFIA
from core.ratelimit import ratelimit
from directory.models import Institution
from directory.selectors import staff_institution_ids

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
DASHBOARD_LIMIT = 100  # per state; older ones are in the public list and the admin
# One person's saves; generous for real editing, a stop for scripts.
write_limit = ratelimit("consultations-staff", limit=120, period=3600)


@dataclass
class Conflict:
    """Someone saved the consultation after the form was loaded: when, and what differs."""

    at: Any
    rows: list[tuple[str, str, str]] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def _require(request: HttpRequest, perm: str, obj: Model | None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _consultation(pk: int) -> Consultation:
    qs = Consultation.objects.select_related("institution", "province", "municipality")
    return get_object_or_404(qs, pk=_pk(pk))


def _institutions_for(request: HttpRequest, extra: int | None) -> QuerySet[Institution]:
    """Institutions the person may create a consultation for: their own, and the one asked
    for in the address if they may act for it (an administrator may act for any)."""
    ids = staff_institution_ids(request.user)
    if extra is not None and extra not in ids and is_administrator(request.user):
        ids.append(extra)
    return Institution.objects.filter(pk__in=ids).order_by("name_bg")


def _crumbs(consultation: Consultation | None, title: str) -> list[tuple[str, str]]:
    crumbs = [(_("My consultations"), reverse("consultations:manage"))]
    if consultation is not None:
        crumbs.append((consultation.title, reverse("consultations:staff", args=[consultation.pk])))
    crumbs.append((title, ""))
    return crumbs


def _error_links(*forms: Any) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for form in forms:
        for error in form.non_field_errors():
            links.append(("main", str(error)))
        for bound in form:
            for error in bound.errors:
                links.append((bound.id_for_label, f"{bound.label}: {error}"))
    return links


def _sofia(value: Any) -> str:
    return date_format(timezone.localtime(value, SOFIA), "d.m.Y H:i") if value else ""


def next_step(c: Consultation) -> str:
    """What the law asks of the institution next, in one sentence for the dashboard."""
    if c.state == State.DRAFT:
        return _("Add the text and the motives, then schedule or publish it.")
    if c.state == State.SCHEDULED:
        return _("Opens by itself on %(when)s.") % {"when": _sofia(c.opens_at)}
    if c.state == State.OPEN:
        day = date_format(c.closes_on, "d.m.Y") if c.closes_on else "—"
        return _("Comments until 23:59 on %(day)s; then it closes by itself.") % {"day": day}
    if c.state == State.CLOSED:
        return _(
            "Answer every proposal and publish the report before the act is adopted "
            "(ЗНА чл. 26, ал. 5)."
        )
    if c.state == State.REPORT_PUBLISHED:
        return _("When the act is adopted, record the decision and publish the adopted text.")
    return ""


def publication_problems(c: Consultation, opens_on: Any) -> list[tuple[str, str]]:
    """What stops the package from being published on `opens_on`: (where to fix it, message).
    The law's checks: a text to comment on, the motives of a normative act (ЗНА чл. 28), a
    period that keeps the minimum (ЗНА чл. 26, periods.py)."""
    edit = reverse("consultations:edit", args=[c.pk])
    problems: list[tuple[str, str]] = []
    version = c.current_version
    if version is None or not version.articles.exists():
        problems.append(
            (reverse("consultations:draft", args=[c.pk]), _("Add the text of the draft."))
        )
    if c.kind in NORMATIVE_KINDS and not c.motives.strip():
        has_file = c.attachments.filter(kind=AttachmentKind.MOTIVES).exists()
        if not has_file:
            problems.append(
                (
                    edit + "#id_motives",
                    _(
                        "Add the motives: a draft without motives is not discussed "
                        "(ЗНА чл. 28). Write them or attach them as a file."
                    ),
                )
            )
    if c.closes_on is None:
        problems.append((edit + "#id_closes_on", _("Set the last day for comments.")))
    else:
        for name, message in periods.problems(
            c.kind, opens_on, c.closes_on, c.short_period_reason
        ).items():
            problems.append((f"{edit}#id_{name}", message))
    return problems


# --- the dashboard ---------------------------------------------------------------------------


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    ids = staff_institution_ids(request.user)
    if not ids and not is_administrator(request.user):
        raise PermissionDenied
    rows = (
        Consultation.objects.filter(institution_id__in=ids)
        .select_related("institution")
        .only(
            "pk", "title", "state", "kind", "opens_at", "closes_on", "comments_count",
            "institution__name_bg", "institution__name_en",
        )
        .order_by("closes_on", "-pk")
    )  # fmt: skip
    by_state: dict[str, list[Consultation]] = {s: [] for s in State.values}
    counts: dict[str, int] = dict.fromkeys(State.values, 0)
    for c in rows.iterator():
        counts[c.state] += 1
        if len(by_state[c.state]) < DASHBOARD_LIMIT:
            c.next_step = next_step(c)  # type: ignore[attr-defined]
            by_state[c.state].append(c)
    groups = [(State(s).label, s, by_state[s], counts[s]) for s in State.values]
    context = {
        "groups": groups,
        "institutions": list(Institution.objects.filter(pk__in=ids).order_by("name_bg")),
        "total": sum(counts.values()),
        "limit": DASHBOARD_LIMIT,
        "breadcrumbs": [(_("My consultations"), "")],
    }
    return render(request, "consultations/staff/dashboard.html", context)


# --- create and edit -------------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    form: ConsultationForm,
    consultation: Consultation | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    title = _("Edit the consultation") if consultation else _("New consultation")
    context = {
        "form": form,
        "consultation": consultation,
        "conflict": conflict,
        "title": title,
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(consultation, title),
    }
    return render(request, "consultations/staff/form.html", context)


def _institution_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("institution", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Http404
    return int(raw)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    wanted = _institution_param(request)
    institutions = _institutions_for(request, wanted)
    allowed = [
        i for i in institutions if request.user.has_perm("consultations.add_consultation", i)
    ]
    if wanted is not None:
        chosen = next((i for i in allowed if i.pk == wanted), None)
        if chosen is None:
            get_object_or_404(Institution, pk=wanted)
            raise PermissionDenied
    elif len(allowed) == 1:
        chosen = allowed[0]
    elif allowed:
        context = {"institutions": allowed, "breadcrumbs": _crumbs(None, _("New consultation"))}
        return render(request, "consultations/staff/choose_institution.html", context)
    else:
        raise PermissionDenied
    queryset = institutions.filter(pk__in=[i.pk for i in allowed])
    if request.method != "POST":
        initial = {"institution": chosen, "contact_email": ""}
        return _render_form(request, ConsultationForm(initial=initial, institutions=queryset))
    form = ConsultationForm(request.POST, institutions=queryset, instance=Consultation())
    if not form.is_valid():
        return _render_form(request, form)
    with transaction.atomic():
        consultation = form.save(commit=False)
        consultation.state = State.DRAFT
        consultation.created_by = request.user
        consultation.save()
        form.save_m2m()
    messages.success(
        request, _("The consultation is saved as a draft. Add its text, then publish it.")
    )
    return redirect("consultations:draft", consultation.pk)


def _display(form: ConsultationForm, name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "topics":
        return ", ".join(sorted(str(t) for t in value))
    if name == "opens_at":
        return _sofia(value)
    if name == "closes_on":
        return date_format(value, "d.m.Y")
    if name == "kind":
        return str(dict(form.fields["kind"].choices).get(value, value))  # type: ignore[attr-defined]
    return str(value)


def _snapshot(form: ConsultationForm, values: dict[str, Any]) -> dict[str, str]:
    return {name: _display(form, name, values.get(name)) for name in form.Meta.fields}


def _saved_values(c: Consultation) -> dict[str, Any]:
    values = {name: getattr(c, name) for name in ConsultationForm.Meta.fields if name != "topics"}
    values["topics"] = list(c.topics.all())
    return values


@transaction.atomic
def _save_edit(
    request: HttpRequest, pk: int, form: ConsultationForm
) -> tuple[Consultation, Conflict | None, bool]:
    current = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("institution", "province", "municipality")
        .get(pk=pk)
    )
    saved = _snapshot(form, _saved_values(current))
    yours = _snapshot(form, form.cleaned_data)
    changed = [name for name in saved if saved[name] != yours[name]]
    if not changed:
        return current, None, False
    if form.cleaned_data.get("version") != current.version:
        labels = {name: str(form.fields[name].label) for name in saved}
        rows = [(labels[n], saved[n], yours[n]) for n in changed]
        return current, Conflict(at=current.updated_at, rows=rows), False
    for name in ConsultationForm.Meta.fields:
        if name != "topics":
            setattr(current, name, form.cleaned_data[name])
    current.version += 1
    current.save()
    current.topics.set(form.cleaned_data["topics"])
    return current, None, True


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    if not request.user.has_perm("consultations.change_consultation", consultation):
        messages.error(request, _("The package cannot be changed once the consultation is open."))
        return redirect("consultations:staff", consultation.pk)
    institutions = Institution.objects.filter(pk=consultation.institution_id)
    if request.method != "POST":
        return _render_form(
            request,
            ConsultationForm(instance=consultation, institutions=institutions),
            consultation,
        )
    form = ConsultationForm(request.POST, instance=consultation, institutions=institutions)
    valid = form.is_valid()
    if valid and consultation.state == State.SCHEDULED:
        opens_at = form.cleaned_data.get("opens_at")
        if opens_at is None or opens_at <= timezone.now():
            form.add_error(
                "opens_at",
                _(
                    "A scheduled consultation opens in the future; to publish it now, "
                    "use “Publish now”."
                ),
            )
            valid = False
    if not valid:
        return _render_form(request, form, consultation)
    current, conflict, changed = _save_edit(request, consultation.pk, form)
    if conflict is not None:
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = ConsultationForm(data, instance=current, institutions=institutions)
        form.is_valid()
        return _render_form(request, form, current, conflict)
    if changed:
        messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    return redirect("consultations:staff", current.pk)


# --- the consultation's staff page -----------------------------------------------------------


def _actions(c: Consultation) -> set[str]:
    allowed = TRANSITIONS.get(c.state, frozenset())
    actions = set()
    if c.state == State.DRAFT:
        actions |= {"schedule", "publish"}
    if c.state == State.SCHEDULED:
        actions |= {"publish", "unschedule"}
    if State.WITHDRAWN in allowed:
        actions.add("withdraw")
    if State.ADOPTED in allowed:
        actions.add("adopt")
    return actions


def _render_staff(
    request: HttpRequest, c: Consultation, problems: list[tuple[str, str]] | None = None
) -> HttpResponse:
    version = c.current_version
    context = {
        "consultation": c,
        "version": version,
        "units": list(
            version.articles.filter(commentable=True, depth__lte=1)
            .only("version_id", "label", "anchor", "title", "kind", "depth", "index")
            .order_by("index")
        )
        if version
        else [],
        "attachments": list(c.attachments.all()),
        "hearings": list(c.hearings.all()),
        "history": list(c.state_changes.select_related("by")),
        "actions": _actions(c),
        "editable": c.state in (State.DRAFT, State.SCHEDULED),
        "next_step": next_step(c),
        "problems": problems or [],
        "adopted": c.versions.filter(kind=VersionKind.ADOPTED).exists(),
        "breadcrumbs": _crumbs(None, c.title),
    }
    return render(request, "consultations/staff/detail.html", context)


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    return _render_staff(request, consultation)


# --- the draft's text ------------------------------------------------------------------------


def _preview(draft: drafts.Draft) -> list[drafts.Node]:
    """The table of contents of a parsed draft: containers and units, not their paragraphs."""
    keep = drafts.UNIT_KINDS | drafts.CONTAINER_KINDS
    return [n for n in draft.walk() if n.kind in keep]


def _text_page(
    request: HttpRequest,
    c: Consultation,
    form: DraftTextForm,
    adopted: bool,
    preview: drafts.Draft | None = None,
) -> HttpResponse:
    kind = VersionKind.ADOPTED if adopted else VersionKind.CONSULTED
    version = c.versions.filter(kind=kind).order_by("-number").first()
    title = _("The adopted text") if adopted else _("The text of the draft")
    context = {
        "consultation": c,
        "form": form,
        "adopted": adopted,
        "title": title,
        "version": version,
        "units": list(
            version.articles.exclude(kind__in=["alinea", "point", "letter"])
            .only("version_id", "label", "anchor", "title", "kind", "depth", "index")
            .order_by("index")
        )
        if version
        else [],
        "preview": preview,
        "preview_nodes": _preview(preview) if preview else [],
        "preview_file": form.source_name if preview else "",
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(c, title),
    }
    return render(request, "consultations/staff/text.html", context)


def _text_view(request: HttpRequest, c: Consultation, adopted: bool) -> HttpResponse:
    url = "consultations:adopted-text" if adopted else "consultations:draft"
    if request.method != "POST":
        return _text_page(request, c, DraftTextForm(), adopted)
    form = DraftTextForm(request.POST, request.FILES)
    if not form.is_valid() or form.draft is None:
        return _text_page(request, c, form, adopted)
    if "preview" in request.POST:
        # Nothing is saved: a browser cannot send a chosen file back, so after previewing a
        # file the page asks to choose it again to save it.
        return _text_page(request, c, form, adopted, preview=form.draft)
    with transaction.atomic():
        # The state is read again under the row's lock: text may change only before opening.
        row = Consultation.objects.select_for_update(of=("self",)).get(pk=c.pk)
        allowed = (State.ADOPTED,) if adopted else (State.DRAFT, State.SCHEDULED)
        if row.state not in allowed:
            raise PermissionDenied
        version = save_version(
            row,
            form.draft,
            source_text=form.source_text,
            source_name=form.source_name,
            kind=VersionKind.ADOPTED if adopted else VersionKind.CONSULTED,
            by=request.user,
        )
    units = sum(1 for _node in form.draft.articles())
    messages.success(
        request,
        _("Version %(number)d is saved: %(units)d units to comment on.")
        % {"number": version.number, "units": units},
    )
    return redirect(url, c.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def draft_text(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.change_consultation", consultation)
    return _text_view(request, consultation, adopted=False)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def adopted_text(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    if consultation.state != State.ADOPTED:
        raise PermissionDenied
    return _text_view(request, consultation, adopted=True)


# --- attachments -----------------------------------------------------------------------------


def _render_attachments(
    request: HttpRequest, c: Consultation, form: AttachmentForm
) -> HttpResponse:
    context = {
        "consultation": c,
        "form": form,
        "attachments": list(c.attachments.all()),
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(c, _("Attachments")),
    }
    return render(request, "consultations/staff/attachments.html", context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.change_consultation", consultation)
    attachment = Attachment(consultation=consultation, uploaded_by=_user(request))
    if request.method != "POST":
        return _render_attachments(request, consultation, AttachmentForm(instance=attachment))
    form = AttachmentForm(request.POST, request.FILES, instance=attachment)
    if not form.is_valid():
        return _render_attachments(request, consultation, form)
    form.save()
    messages.success(request, _("The attachment is added."))
    return redirect("consultations:attachments", consultation.pk)


@login_required
@write_limit
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        Attachment.objects.select_related("consultation__institution"), pk=_pk(pk)
    )
    consultation = attachment.consultation
    _require(request, "consultations.change_consultation", consultation)
    stored = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    if stored:  # the file goes once the row is gone for good
        transaction.on_commit(lambda: storage.delete(stored))
    messages.success(request, _("The attachment is removed."))
    return redirect("consultations:attachments", consultation.pk)


# --- moves between states --------------------------------------------------------------------


@login_required
@write_limit
@require_POST
def move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Schedule, publish now, or take back to draft (the moves that need no answer)."""
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    if action not in _actions(consultation):
        messages.error(request, _("This step is not possible in the consultation's state."))
        return redirect("consultations:staff", consultation.pk)
    now = timezone.now()
    try:
        if action == "unschedule":
            transition(consultation, State.DRAFT, by=request.user, note=_("Taken back to draft."))
            messages.success(request, _("The consultation is a draft again."))
        elif action == "schedule":
            if consultation.opens_at is None or consultation.opens_at <= now:
                problems = [
                    (
                        reverse("consultations:edit", args=[consultation.pk]) + "#id_opens_at",
                        _("Set a date of publication in the future, or publish it now."),
                    )
                ]
                return _render_staff(request, consultation, problems)
            opens_on = consultation.opens_at.astimezone(SOFIA).date()
            problems = publication_problems(consultation, opens_on)
            if problems:
                return _render_staff(request, consultation, problems)
            transition(consultation, State.SCHEDULED, by=request.user)
            messages.success(
                request,
                _("Scheduled: it opens by itself on %(when)s.")
                % {"when": _sofia(consultation.opens_at)},
            )
        else:  # publish now: the period counts from today
            problems = publication_problems(consultation, sofia_today())
            if problems:
                return _render_staff(request, consultation, problems)
            transition(consultation, State.OPEN, by=request.user, opens_at=now)
            messages.success(request, _("Published: the consultation is open for comments."))
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("consultations:staff", consultation.pk)


def _answer_page(
    request: HttpRequest, c: Consultation, form: Any, template: str, title: str
) -> HttpResponse:
    context = {
        "consultation": c,
        "form": form,
        "title": title,
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(c, title),
    }
    return render(request, template, context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    if "withdraw" not in _actions(consultation):
        raise PermissionDenied
    title = _("Withdraw the consultation")
    form = WithdrawForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _answer_page(request, consultation, form, "consultations/staff/withdraw.html", title)
    reason = form.cleaned_data["reason"]
    try:
        transition(
            consultation, State.WITHDRAWN, by=request.user, note=reason, withdrawn_reason=reason
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The consultation is withdrawn."))
    return redirect("consultations:staff", consultation.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.manage_consultation", consultation)
    if "adopt" not in _actions(consultation):
        raise PermissionDenied
    title = _("Record the adoption")
    form = AdoptForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _answer_page(request, consultation, form, "consultations/staff/adopt.html", title)
    try:
        transition(
            consultation,
            State.ADOPTED,
            by=request.user,
            note=form.cleaned_data["adoption_reference"],
            adopted_on=form.cleaned_data["adopted_on"],
            adoption_reference=form.cleaned_data["adoption_reference"],
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("consultations:staff", consultation.pk)
    messages.success(request, _("The adoption is recorded. Now publish the adopted text."))
    return redirect("consultations:adopted-text", consultation.pk)


# --- hearings --------------------------------------------------------------------------------


def _hearing_page(
    request: HttpRequest, c: Consultation, form: HearingForm, hearing: Hearing | None
) -> HttpResponse:
    title = _("Edit the public hearing") if hearing else _("Add a public hearing")
    context = {
        "consultation": c,
        "form": form,
        "hearing": hearing,
        "hearing_has_started": bool(hearing and hearing.starts_at <= timezone.now()),
        "title": title,
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(c, title),
    }
    return render(request, "consultations/staff/hearing.html", context)


def _hearing_view(request: HttpRequest, c: Consultation, hearing: Hearing | None) -> HttpResponse:
    _require(request, "consultations.manage_consultation", c)
    if c.state == State.WITHDRAWN:
        raise PermissionDenied
    instance = hearing or Hearing(consultation=c)
    if request.method != "POST":
        return _hearing_page(request, c, HearingForm(instance=instance), hearing)
    form = HearingForm(request.POST, instance=instance)
    if not form.is_valid():
        return _hearing_page(request, c, form, hearing)
    form.save()
    messages.success(request, _("The public hearing is saved."))
    return redirect("consultations:staff", c.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def hearing_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _hearing_view(request, _consultation(pk), None)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def hearing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = get_object_or_404(
        Hearing.objects.select_related("consultation__institution"), pk=_pk(pk)
    )
    return _hearing_view(request, hearing.consultation, hearing)


@login_required
@write_limit
@require_POST
def hearing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A hearing announced by mistake or called off goes before it starts; one that took
    place stays, with its minutes, part of the consultation's record."""
    hearing = get_object_or_404(
        Hearing.objects.select_related("consultation__institution"), pk=_pk(pk)
    )
    c = hearing.consultation
    _require(request, "consultations.manage_consultation", c)
    if hearing.starts_at <= timezone.now():
        messages.error(
            request, _("A hearing that has taken place stays in the record: it cannot be deleted.")
        )
        return redirect("consultations:hearing-edit", hearing.pk)
    hearing.delete()
    messages.success(request, _("The public hearing is deleted."))
    return redirect("consultations:staff", c.pk)


# --- versions (public) -----------------------------------------------------------------------


def versions(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    _require(request, "consultations.view_consultation", consultation)
    all_versions = list(consultation.versions.select_related(None).order_by("number"))
    if not request.user.has_perm("consultations.manage_consultation", consultation):
        # The public sees what was consulted (the last version before opening) and the
        # adopted text, not the drafts revised before publication.
        consulted = [v for v in all_versions if v.kind == VersionKind.CONSULTED][-1:]
        all_versions = consulted + [v for v in all_versions if v.kind == VersionKind.ADOPTED]
    consulted_v = next((v for v in reversed(all_versions) if v.kind == VersionKind.CONSULTED), None)
    adopted_v: DraftVersion | None = next(
        (v for v in reversed(all_versions) if v.kind == VersionKind.ADOPTED), None
    )
    comparison = version_diff.compare(consulted_v, adopted_v) if consulted_v and adopted_v else None
    context = {
        "consultation": consultation,
        "versions": all_versions,
        "consulted": consulted_v,
        "adopted": adopted_v,
        "comparison": comparison,
    }
    return render(request, "consultations/versions.html", context)


urlpatterns = [
    path("manage/", manage, name="manage"),
    path("new/", create, name="create"),
    path("<int:pk>/manage/", staff_detail, name="staff"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/draft/", draft_text, name="draft"),
    path("<int:pk>/adopted-text/", adopted_text, name="adopted-text"),
    path("<int:pk>/attachments/", attachments, name="attachments"),
    path("attachments/<int:pk>/delete/", attachment_delete, name="attachment-delete"),
    path("<int:pk>/state/withdraw/", withdraw, name="withdraw"),
    path("<int:pk>/state/adopt/", adopt, name="adopt"),
    path("<int:pk>/state/<slug:action>/", move, name="move"),
    path("<int:pk>/hearings/new/", hearing_add, name="hearing-add"),
    path("hearings/<int:pk>/edit/", hearing_edit, name="hearing-edit"),
    path("hearings/<int:pk>/delete/", hearing_delete, name="hearing-delete"),
    path("<int:pk>/versions/", versions, name="versions"),
]
