"""The questionnaire builder: assessment coordinators and administrators make questionnaires
(details, sections, questions with their options and conditions), make them ready for use,
archive them, and change one in use only through a new version.

Who may do what is in assessments/rules.py: a draft is seen and changed by coordinators only
(404 to anyone else, so drafts are not revealed); a questionnaire ready for use or archived is
public and read-only (a coordinator who tries to change one gets a 403 page that offers a new
version). The writes are assessments/builder.py's; the forms, assessments/builder_forms.py.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments import builder
from assessments.builder_forms import (
    BaseOptionFormSet,
    QuestionForm,
    QuestionnaireForm,
    SectionForm,
    add_errors,
    option_formset,
    validate_question,
)
from assessments.enums import (
    CHOICE_TYPES,
    ROW_TYPES,
    SCALE_POINTS,
    QuestionnaireState,
    QuestionType,
    RespondentType,
)
from assessments.models import Dimension, Option, Question, Questionnaire, Section
from assessments.selectors import questions_of
from core.ratelimit import ratelimit

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
# One person's saves; generous for building a long questionnaire, a stop for scripts.
write_limit = ratelimit("assessments-builder", limit=300, period=3600)
TEMPLATES = "assessments/builder"


def pk_or_404(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def _load(pk: int) -> Questionnaire:
    return get_object_or_404(Questionnaire, pk=pk_or_404(pk))


def _coordinates(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("assessments.coordinate"))


def _require_view(request: HttpRequest, questionnaire: Questionnaire) -> None:
    if not request.user.has_perm("assessments.view_questionnaire", questionnaire):
        raise Http404  # a draft, to someone who may not see it: it does not exist for them


def _refusal(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse | None:
    """None when the person may change the questionnaire; else 404 for a draft they may not
    see, the page that offers a new version to a coordinator (403), or 403."""
    if request.user.has_perm("assessments.change_questionnaire", questionnaire):
        return None
    _require_view(request, questionnaire)
    if not _coordinates(request):
        raise PermissionDenied
    return _locked(request, questionnaire)


def _locked(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse:
    title = _("This questionnaire is no longer changed")
    context = {
        "questionnaire": questionnaire,
        "title": title,
        "breadcrumbs": _crumbs(request, questionnaire, title),
    }
    return render(request, f"{TEMPLATES}/locked.html", context, status=403)


def _url_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _crumbs(
    request: HttpRequest, questionnaire: Questionnaire | None, title: str = ""
) -> list[tuple[str, str]]:
    trail: list[tuple[str, str]] = []
    index = _url_or_empty("assessments:index")
    if index:
        trail.append((_("Assessments"), index))
    if _coordinates(request):
        trail.append((_("Questionnaires"), reverse("assessments:questionnaires")))
    if questionnaire is not None:
        trail.append((str(questionnaire), questionnaire.get_absolute_url() if title else ""))
    if title:
        trail.append((title, ""))
    return trail


def _error_links(*forms: Any) -> list[tuple[str, str]]:
    """(anchor, message) of every error of these forms and formsets, for the summary."""
    links: list[tuple[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        if isinstance(form, BaseOptionFormSet):
            for error in form.non_form_errors():
                links.append(("options", str(error)))
            links.extend(_error_links(*[f for f in form.forms if f.errors]))
            continue
        for error in form.non_field_errors():
            links.append(("main", str(error)))
        for bound in form:
            for error in bound.errors:
                anchor = bound.id_for_label or bound.auto_id
                links.append((anchor if not bound.is_hidden else "main", f"{bound.label}: {error}"))
    return links


def _back(questionnaire: Questionnaire, anchor: str = "") -> HttpResponse:
    url = questionnaire.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)


def _up(request: HttpRequest) -> bool | None:
    direction = request.POST.get("direction")
    return {"up": True, "down": False}.get(direction or "")


# --- the coordinator's list --------------------------------------------------------------------


@dataclass
class Family:
    slug: str
    versions: list[Questionnaire] = field(default_factory=list)

    @property
    def latest(self) -> Questionnaire:
        return self.versions[0]


@login_required
def questionnaires(request: HttpRequest) -> HttpResponse:
    if not _coordinates(request):
        raise PermissionDenied
    rows = Questionnaire.objects.annotate(
        n_questions=Count("questions", distinct=True),
        n_campaigns=Count("campaigns", distinct=True),
    ).order_by("family", "-version")
    families: dict[str, Family] = {}
    for row in rows:
        families.setdefault(row.family, Family(row.family)).versions.append(row)
    ordered = sorted(families.values(), key=lambda f: f.latest.title.lower())
    title = _("Questionnaires")
    context = {
        "families": ordered,
        "title": title,
        "breadcrumbs": _crumbs(request, None),  # ends with this page, not linked
    }
    return render(request, f"{TEMPLATES}/list.html", context)


# --- the questionnaire's page ------------------------------------------------------------------


@dataclass
class Item:
    """A question as the page shows it."""

    question: Question
    options: list[Option]
    condition: str = ""
    points: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Block:
    section: Section
    items: list[Item] = field(default_factory=list)


def _points(question: Question) -> list[tuple[int, str]]:
    """The scale's points as the respondent's form labels them."""
    low = question.low_label or _("not at all")
    high = question.high_label or _("fully")
    last = SCALE_POINTS[-1]
    return [
        (p, f"{p} — {low}" if p == 1 else f"{p} — {high}" if p == last else str(p))
        for p in SCALE_POINTS
    ]


def _blocks(sections: list[Section], questions: list[Question]) -> list[Block]:
    answers = {o.pk: (q, o) for q in questions for o in q.options.all()}
    blocks = {s.pk: Block(s) for s in sections}
    for q in questions:
        condition = ""
        if q.show_if_id is not None:
            parent, option = answers.get(q.show_if_id, (None, None))
            if parent is not None and option is not None:
                condition = _("Shown only if the answer to %(code)s is “%(answer)s”.") % {
                    "code": parent.code,
                    "answer": option.label,
                }
        points = _points(q) if q.type in (QuestionType.SCALE, QuestionType.MATRIX) else []
        block = blocks.get(q.section_id)
        if block is not None:
            block.items.append(Item(q, list(q.options.all()), condition, points))
    return list(blocks.values())


def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire as a respondent sees it; for coordinators also how it is scored and
    the builder's actions (`?as=respondent`: without them)."""
    q = _load(pk)
    _require_view(request, q)
    coordinator = _coordinates(request)
    annotated = coordinator and request.GET.get("as") != "respondent"
    sections = list(q.sections.all())
    questions = questions_of(q)
    editable = annotated and bool(request.user.has_perm("assessments.change_questionnaire", q))
    context = {
        "questionnaire": q,
        "blocks": _blocks(sections, questions),
        "question_count": len(questions),
        "annotated": annotated,
        "coordinator": coordinator,
        "editable": editable,
        "problems": builder.publish_problems(sections, questions) if editable else [],
        "versions": (
            list(
                Questionnaire.objects.filter(family=q.family)
                .only("pk", "family", "version", "title", "state")
                .order_by("-version")
            )
            if annotated
            else []
        ),
        "changes": (list(q.changes.select_related("by").order_by("at", "pk")) if annotated else []),
        "choice_types": [str(t) for t in CHOICE_TYPES],
        "breadcrumbs": _crumbs(request, q),
    }
    return render(request, f"{TEMPLATES}/questionnaire.html", context)


# --- details -----------------------------------------------------------------------------------


@dataclass
class Conflict:
    """Someone saved after the form was loaded: when, and (label, saved, yours) rows."""

    at: Any
    who: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def _details_rows(form: QuestionnaireForm, saved: builder.Details) -> list[tuple[str, str, str]]:
    yours = form.details()
    rows = []
    for name in ("title", "description", "respondent_type"):
        mine, theirs = getattr(yours, name), getattr(saved, name)
        if mine != theirs:
            if name == "respondent_type":
                mine, theirs = RespondentType(mine).label, RespondentType(theirs).label
            rows.append((str(form.fields[name].label), str(theirs), str(mine)))
    return rows


def _details_page(
    request: HttpRequest,
    form: QuestionnaireForm,
    q: Questionnaire | None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    title = _("The questionnaire's details") if q else _("New questionnaire")
    context = {
        "form": form,
        "questionnaire": q,
        "title": title,
        "conflict": conflict,
        "error_links": _error_links(form) if form.is_bound else [],
        "breadcrumbs": _crumbs(request, q, title),
    }
    return render(request, f"{TEMPLATES}/details_form.html", context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    if not _coordinates(request):
        raise PermissionDenied
    if request.method != "POST":
        return _details_page(request, QuestionnaireForm(), None)
    form = QuestionnaireForm(request.POST)
    if not form.is_valid():
        return _details_page(request, form, None)
    try:
        q = builder.create_questionnaire(form.details(), by=request.user)
    except builder.BuilderError as exc:
        form.add_error(None, str(exc))
        return _details_page(request, form, None)
    messages.success(request, _("The questionnaire is saved as a draft. Add its sections next."))
    return _back(q)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    if request.method != "POST":
        return _details_page(request, QuestionnaireForm(instance=copy.copy(q)), q)
    form = QuestionnaireForm(request.POST, instance=copy.copy(q))
    if not form.is_valid():
        return _details_page(request, form, q)
    try:
        saved, changed = builder.update_details(q, form.details(), form.cleaned_data["revision"])
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.Stale as exc:
        current: Questionnaire = exc.current
        conflict = Conflict(
            at=current.updated_at,
            who=_("another coordinator"),
            rows=_details_rows(form, builder.Details.of(current)),
        )
        data = request.POST.copy()
        data["revision"] = str(current.revision)
        form = QuestionnaireForm(data, instance=copy.copy(current))
        form.is_valid()
        return _details_page(request, form, current, conflict)
    if changed:
        messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    return _back(saved)


# --- sections ----------------------------------------------------------------------------------


def _section(q: Questionnaire, sid: int) -> Section:
    return get_object_or_404(Section, pk=pk_or_404(sid), questionnaire=q)


def _section_page(
    request: HttpRequest, form: SectionForm, q: Questionnaire, section: Section | None
) -> HttpResponse:
    title = _("Edit the section") if section else _("New section")
    context = {
        "form": form,
        "questionnaire": q,
        "section": section,
        "title": title,
        "breadcrumbs": _crumbs(request, q, title),
    }
    return render(request, f"{TEMPLATES}/section_form.html", context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def section_new(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    form = SectionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _section_page(request, form, q, None)
    try:
        section = builder.add_section(
            q, form.cleaned_data["title"].strip(), form.cleaned_data["description"]
        )
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    messages.success(request, _("The section is added. Add its questions next."))
    return _back(q, f"section-{section.pk}")


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    section = _section(q, sid)
    form = SectionForm(request.POST or None, instance=copy.copy(section))
    if request.method != "POST" or not form.is_valid():
        return _section_page(request, form, q, section)
    try:
        builder.change_section(
            section, form.cleaned_data["title"].strip(), form.cleaned_data["description"]
        )
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    messages.success(request, _("Saved."))
    return _back(q, f"section-{section.pk}")


@login_required
@write_limit
@require_POST
def section_delete(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    section = _section(q, sid)
    try:
        builder.delete_section(section)
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
        return _back(q, f"section-{section.pk}")
    messages.success(request, _("The section “%(title)s” is deleted.") % {"title": section.title})
    return _back(q)


@login_required
@write_limit
@require_POST
def section_move(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    section = _section(q, sid)
    up = _up(request)
    if up is None:
        return HttpResponse(status=400)
    try:
        builder.move_section(section, up)
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
    return _back(q, f"section-{section.pk}")


# --- questions ---------------------------------------------------------------------------------


def _question(q: Questionnaire, qid: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section", "questionnaire"),
        pk=pk_or_404(qid),
        questionnaire=q,
    )


def _display(name: str, values: builder.QuestionValues, options: list[Any]) -> str:
    """One field of a question in words, for the conflict's table."""
    if name == "options":
        return "\n".join(o.label if o.score is None else f"{o.label} ({o.score})" for o in options)
    value = getattr(values, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return ""
    if name == "type":
        return str(QuestionType(value).label)
    if name == "dimension_id":
        return str(Dimension.objects.filter(pk=value).first() or "")
    if name == "show_if_id":
        option = Option.objects.filter(pk=value).select_related("question").first()
        return f"{option.question.code}: {option.label}" if option else ""
    return str(value)


def _question_rows(
    form: QuestionForm,
    saved: builder.QuestionValues,
    saved_options: list[Option],
    yours: builder.QuestionValues,
    your_options: list[builder.OptionRow],
) -> list[tuple[str, str, str]]:
    labels = {name: str(f.label) for name, f in form.fields.items()}
    names = {"dimension_id": "dimension", "show_if_id": "show_if"}
    rows = []
    for name in [*builder.QuestionValues.__dataclass_fields__, "options"]:
        theirs = _display(name, saved, saved_options)
        mine = _display(name, yours, your_options)
        if theirs != mine:
            label = labels.get(names.get(name, name), _("Options"))
            rows.append((label, theirs, mine))
    return rows


def _question_page(
    request: HttpRequest,
    q: Questionnaire,
    section: Section,
    question: Question | None,
    form: QuestionForm,
    options: BaseOptionFormSet,
    conflict: Conflict | None = None,
) -> HttpResponse:
    title = _("Edit the question") if question else _("New question")
    context = {
        "questionnaire": q,
        "section": section,
        "question": question,
        "form": form,
        "options": options,
        "conflict": conflict,
        "title": title,
        "error_links": _error_links(form, options) if form.is_bound else [],
        "option_types": [str(t) for t in (*CHOICE_TYPES, *ROW_TYPES)],
        "breadcrumbs": _crumbs(request, q, title),
    }
    return render(request, f"{TEMPLATES}/question_form.html", context)


def _question_form(
    request: HttpRequest, q: Questionnaire, section: Section, question: Question | None
) -> HttpResponse:
    """The form of a new question at the end of `section`, or of `question`, and its save."""
    context = builder.context_for(q, question=question, section=section)
    instance = copy.copy(question) if question else Question(questionnaire=q, section=section)
    new = question is None
    if request.method != "POST":
        form = QuestionForm(instance=instance, context=context)
        return _question_page(request, q, section, question, form, option_formset(context, new=new))
    form = QuestionForm(request.POST, instance=instance, context=context)
    options = option_formset(context, request.POST, new=new)
    if not validate_question(form, options):
        return _question_page(request, q, section, question, form, options)
    values, rows = form.values(), options.rows()
    try:
        saved = builder.save_question(
            q, values, rows, section=section, question=question, seen=form.cleaned_data["seen"]
        )
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.Stale as exc:
        current: Question = exc.current
        fresh = builder.context_for(q, question=current)
        conflict = Conflict(
            at=Questionnaire.objects.only("updated_at").get(pk=q.pk).updated_at,
            who=_("another coordinator"),
            rows=_question_rows(
                form,
                builder.QuestionValues.of(current),
                fresh.options,
                *builder.normalise(values, rows),
            ),
        )
        data = request.POST.copy()
        data["seen"] = fresh.fingerprint
        form = QuestionForm(data, instance=copy.copy(current), context=fresh)
        options = option_formset(fresh, data, new=new)
        validate_question(form, options)
        return _question_page(request, q, section, question, form, options, conflict)
    except builder.Invalid as exc:
        add_errors(form, options, exc.errors)
        return _question_page(request, q, section, question, form, options)
    if saved.type in (QuestionType.SCALE, QuestionType.MATRIX) and saved.dimension_id is None:
        messages.warning(
            request,
            _("Saved. Without a dimension, its answers are asked but not scored."),
        )
    else:
        messages.success(request, _("Saved."))
    return _back(q, f"question-{saved.pk}")


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    raw = request.GET.get("section", "")
    if raw.isdigit() and len(raw) <= 18:
        section = _section(q, int(raw))
    else:
        section = q.sections.order_by("-position", "-pk").first()  # type: ignore[assignment]
        if section is None:
            messages.info(request, _("Add a section first: every question belongs to one."))
            return redirect("assessments:section-new", q.pk)
    return _question_form(request, q, section, None)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    question = _question(q, qid)
    return _question_form(request, q, question.section, question)


@login_required
@write_limit
@require_POST
def question_delete(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    question = _question(q, qid)
    try:
        builder.delete_question(question)
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
        return _back(q, f"question-{question.pk}")
    messages.success(request, _("The question %(code)s is deleted.") % {"code": question.code})
    return _back(q, f"section-{question.section_id}")


@login_required
@write_limit
@require_POST
def question_move(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    question = _question(q, qid)
    up = _up(request)
    if up is None:
        return HttpResponse(status=400)
    try:
        builder.move_question(question, up)
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
    return _back(q, f"question-{question.pk}")


# --- states and versions -----------------------------------------------------------------------


@login_required
@write_limit
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    if (refusal := _refusal(request, q)) is not None:
        return refusal
    try:
        builder.publish(q, by=request.user)
    except builder.NotEditable as exc:
        return _locked(request, exc.questionnaire)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
        return _back(q, "problems")
    messages.success(
        request,
        _("The questionnaire is ready for use: campaigns can use it. It no longer changes; "
          "to change it, make a new version."),
    )  # fmt: skip
    return _back(q)


def _require_coordinator_of_public(request: HttpRequest, q: Questionnaire) -> None:
    _require_view(request, q)
    if not _coordinates(request):
        raise PermissionDenied


@login_required
@write_limit
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    _require_coordinator_of_public(request, q)
    try:
        draft = builder.new_version(q, by=request.user)
    except builder.DraftExists as exc:
        messages.info(request, str(exc))
        return _back(exc.draft)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
        return _back(q)
    messages.success(
        request,
        _("Version %(version)s is made as a draft, a copy of version %(source)s. Change it, then "
          "make it ready for use.") % {"version": draft.version, "source": q.version},
    )  # fmt: skip
    return _back(draft)


@login_required
@write_limit
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    q = _load(pk)
    _require_coordinator_of_public(request, q)
    if q.state == QuestionnaireState.DRAFT:
        messages.error(request, _("Only a questionnaire ready for use can be archived."))
        return _back(q)
    try:
        builder.archive(q, by=request.user)
    except builder.BuilderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The questionnaire is archived: new campaigns no longer offer it.")
        )
    return _back(q)


urlpatterns: list[URLPattern] = [
    path("questionnaires/", questionnaires, name="questionnaires"),
    path("questionnaires/new/", questionnaire_new, name="questionnaire-new"),
    path("questionnaires/<int:pk>/", questionnaire, name="questionnaire"),
    path("questionnaires/<int:pk>/edit/", questionnaire_edit, name="questionnaire-edit"),
    path("questionnaires/<int:pk>/publish/", publish, name="questionnaire-publish"),
    path("questionnaires/<int:pk>/new-version/", new_version, name="questionnaire-new-version"),
    path("questionnaires/<int:pk>/archive/", archive, name="questionnaire-archive"),
    path("questionnaires/<int:pk>/sections/new/", section_new, name="section-new"),
    path("questionnaires/<int:pk>/sections/<int:sid>/edit/", section_edit, name="section-edit"),
    path(
        "questionnaires/<int:pk>/sections/<int:sid>/delete/", section_delete, name="section-delete"
    ),
    path("questionnaires/<int:pk>/sections/<int:sid>/move/", section_move, name="section-move"),
    path("questionnaires/<int:pk>/questions/new/", question_new, name="question-new"),
    path("questionnaires/<int:pk>/questions/<int:qid>/edit/", question_edit, name="question-edit"),
    path(
        "questionnaires/<int:pk>/questions/<int:qid>/delete/",
        question_delete,
        name="question-delete",
    ),
    path("questionnaires/<int:pk>/questions/<int:qid>/move/", question_move, name="question-move"),
]
