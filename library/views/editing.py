"""Writing the library: library editors and portal administrators (rules.py) create and edit
publications, upload files, write and order chapters, fill in a good practice's record,
publish and unpublish (each change in the history), start a new edition and link a
publication to where it is used.

Every write is rate-limited, runs in one transaction (library/services.py) and an edit form
carries the revision it showed: a save over someone else's newer one is refused with a
message and the typed text kept.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.ratelimit import ratelimit
from library import services
from library.enums import PublicationType, State
from library.forms import (
    ChapterForm,
    FileForm,
    GoodPracticeForm,
    PublicationForm,
    StateForm,
    UseForm,
)
from library.models import Chapter, GoodPractice, Publication, PublicationFile, PublicationUse
from library.views.public import _pk, crumbs, load

# One person's saves: generous for real work (a handbook of twenty chapters), a stop for scripts.
write_limit = ratelimit("library-edit", limit=300, period=3600)
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the views are behind login_required


def _require_editor(request: HttpRequest, publication: Publication | None = None) -> None:
    perm = "library.edit_publication" if publication is not None else "library.edit"
    if not request.user.has_perm(perm, publication):
        raise PermissionDenied


def _editable(request: HttpRequest, pk: int) -> Publication:
    _require_editor(request)
    publication = load(request, pk)
    _require_editor(request, publication)
    return publication


def _conflict(form: BaseForm) -> None:
    form.add_error(
        None,
        _(
            "Someone else saved this publication after you opened the page. Nothing has been "
            "saved: copy what you typed, reload the page and make your change again."
        ),
    )


# --- The editor's list ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def manage(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    qs = Publication.objects.only("pk", "title", "type", "year", "edition", "state", "updated_at")
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "library/edit/manage.html",
        {
            "page_obj": page,
            "rows": list(page.object_list),
            "state": state,
            "states": State.choices,
            "breadcrumbs": crumbs((_("Editing the library"), "")),
        },
    )


# --- A publication -------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: PublicationForm, publication: Publication | None
) -> HttpResponse:
    title = _("Edit the publication") if publication else _("New publication")
    trail: list[tuple[str, str]] = [(_("Editing the library"), reverse("library:manage"))]
    if publication is not None:
        trail.append((publication.title, publication.get_absolute_url()))
    return render(
        request,
        "library/edit/publication_form.html",
        {
            "form": form,
            "publication": publication,
            "title": title,
            "breadcrumbs": crumbs(*trail, (title, "")),
        },
    )


def _save(request: HttpRequest, form: PublicationForm, publication: Publication | None) -> Any:
    form.apply_audience()
    seen = form.cleaned_data.get("revision")
    try:
        saved = services.save_publication(
            form.instance, seen_revision=seen, by=_user(request), m2m=form.m2m()
        )
    except services.Conflict:
        _conflict(form)
        return None
    return saved


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    if request.method != "POST":
        initial = {"type": request.GET.get("type", "")} if request.GET.get("type") else {}
        return _form_page(request, PublicationForm(initial=initial), None)
    form = PublicationForm(request.POST)
    if form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("The publication is saved as a draft."))
            if saved.type == PublicationType.GOOD_PRACTICE:
                return redirect("library:case", saved.pk)
            return redirect("library:files", saved.pk)
    return _form_page(request, form, None)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    if request.method != "POST":
        return _form_page(request, PublicationForm(instance=publication), publication)
    form = PublicationForm(request.POST, instance=publication)
    if form.is_valid() and _save(request, form, publication) is not None:
        messages.success(request, _("The publication is saved."))
        return redirect(publication.get_absolute_url())
    return _form_page(request, form, publication)


# --- Files ---------------------------------------------------------------------------------


def _files_page(request: HttpRequest, publication: Publication, form: FileForm) -> HttpResponse:
    title = _("Files")
    return render(
        request,
        "library/edit/files.html",
        {
            "publication": publication,
            "form": form,
            "files": list(publication.files.defer("text")),
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def files(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    if request.method != "POST":
        return _files_page(request, publication, FileForm())
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _files_page(request, publication, form)
    upload = form.cleaned_data["file"]
    services.add_file(
        publication, upload, kind=form.kind, text=form.text, pages=form.pages,
        title=form.cleaned_data["title"], by=_user(request),
    )  # fmt: skip
    messages.success(request, _("The file is added; its text is searchable."))
    return redirect("library:files", publication.pk)


@login_required
@write_limit
@require_POST
def file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    row = get_object_or_404(PublicationFile, pk=_pk(file_pk), publication=publication)
    services.remove_file(row)
    messages.success(request, _("The file is removed."))
    return redirect("library:files", publication.pk)


# --- Chapters ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def chapters(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    title = _("Chapters")
    return render(
        request,
        "library/edit/chapters.html",
        {
            "publication": publication,
            "chapters": list(publication.chapters.only("pk", "title", "anchor", "position")),
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


def _chapter_page(
    request: HttpRequest, publication: Publication, form: ChapterForm, chapter: Chapter | None
) -> HttpResponse:
    title = _("Edit the chapter") if chapter else _("New chapter")
    return render(
        request,
        "library/edit/chapter_form.html",
        {
            "publication": publication,
            "form": form,
            "chapter": chapter,
            "title": title,
            "breadcrumbs": crumbs(
                (publication.title, publication.get_absolute_url()),
                (_("Chapters"), reverse("library:chapters", args=[publication.pk])),
                (title, ""),
            ),
        },
    )


def _save_chapter(request: HttpRequest, publication: Publication, form: ChapterForm) -> bool:
    if form.cleaned_data["revision"] != publication.revision:
        _conflict(form)
        return False
    try:
        services.save_chapter(form.instance)
    except IntegrityError:  # the same address saved by someone else at the same moment
        form.add_error("anchor", _("Another chapter has this address. Choose another."))
        return False
    return True


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def chapter_new(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    chapter = Chapter(publication=publication)
    if request.method != "POST":
        return _chapter_page(
            request, publication, ChapterForm(instance=chapter, publication=publication), None
        )
    form = ChapterForm(request.POST, instance=chapter, publication=publication)
    if form.is_valid() and _save_chapter(request, publication, form):
        messages.success(request, _("The chapter is added."))
        return redirect("library:chapters", publication.pk)
    return _chapter_page(request, publication, form, None)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def chapter_edit(request: HttpRequest, pk: int, chapter_pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    chapter = get_object_or_404(Chapter, pk=_pk(chapter_pk), publication=publication)
    if request.method != "POST":
        form = ChapterForm(instance=chapter, publication=publication)
        return _chapter_page(request, publication, form, chapter)
    form = ChapterForm(request.POST, instance=chapter, publication=publication)
    if form.is_valid() and _save_chapter(request, publication, form):
        messages.success(request, _("The chapter is saved."))
        return redirect("library:chapters", publication.pk)
    return _chapter_page(request, publication, form, chapter)


@login_required
@write_limit
@require_POST
def chapter_delete(request: HttpRequest, pk: int, chapter_pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    chapter = get_object_or_404(Chapter, pk=_pk(chapter_pk), publication=publication)
    services.delete_chapter(chapter)
    messages.success(request, _("The chapter is removed."))
    return redirect("library:chapters", publication.pk)


@login_required
@write_limit
@require_POST
def chapter_move(request: HttpRequest, pk: int, chapter_pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    chapter = get_object_or_404(Chapter, pk=_pk(chapter_pk), publication=publication)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.move_chapter(chapter, step)
    return redirect(reverse("library:chapters", args=[publication.pk]) + f"#chapter-{chapter.pk}")


# --- The good-practice record --------------------------------------------------------------


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    if publication.type != PublicationType.GOOD_PRACTICE:
        raise Http404
    record = GoodPractice.objects.filter(publication=publication).first() or GoodPractice(
        publication=publication
    )
    if request.method == "POST":
        form = GoodPracticeForm(request.POST, instance=record, publication=publication)
        if form.is_valid():
            if form.cleaned_data["revision"] != publication.revision:
                _conflict(form)
            else:
                services.save_good_practice(form.instance)
                messages.success(request, _("The good practice's record is saved."))
                return redirect(publication.get_absolute_url())
    else:
        form = GoodPracticeForm(instance=record, publication=publication)
    title = _("The good practice's record")
    return render(
        request,
        "library/edit/case_form.html",
        {
            "publication": publication,
            "form": form,
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


# --- State, editions, uses -----------------------------------------------------------------


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def state(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    to = State.DRAFT if publication.state == State.PUBLISHED else State.PUBLISHED
    form = StateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_state(
                publication, to, by=_user(request), note=form.cleaned_data["note"]
            )
        except services.TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The publication is published.")
                if to == State.PUBLISHED
                else _("The publication is back to a draft: only editors see it."),
            )
            return redirect(publication.get_absolute_url())
    title = _("Publish") if to == State.PUBLISHED else _("Unpublish")
    return render(
        request,
        "library/edit/state.html",
        {
            "publication": publication,
            "form": form,
            "to": to,
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def new_edition(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    error = ""
    if request.method == "POST":
        try:
            new = services.new_edition(publication, by=_user(request))
        except services.TransitionError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Edition %(n)d is made as a draft. The previous edition stays published.")
                % {"n": new.edition},
            )
            return redirect("library:edit", new.pk)
    title = _("New edition")
    return render(
        request,
        "library/edit/new_edition.html",
        {
            "publication": publication,
            "error": error,
            "has_next": hasattr(publication, "next_edition"),
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def uses(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    form = UseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = {form.kind: form.target}
        try:
            with transaction.atomic():
                PublicationUse.objects.create(
                    publication=publication, note=form.cleaned_data["note"],
                    added_by=_user(request), **fields,
                )  # fmt: skip
        except IntegrityError:
            form.add_error("address", _("The publication is already linked to this page."))
        else:
            messages.success(request, _("The link is added."))
            return redirect("library:uses", publication.pk)
    title = _("Where it is used")
    return render(
        request,
        "library/edit/uses.html",
        {
            "publication": publication,
            "form": form,
            "rows": list(publication.uses.select_related("consultation", "event", "campaign")),
            "title": title,
            "breadcrumbs": crumbs((publication.title, publication.get_absolute_url()), (title, "")),
        },
    )


@login_required
@write_limit
@require_POST
def use_delete(request: HttpRequest, pk: int, use_pk: int) -> HttpResponse:
    publication = _editable(request, pk)
    get_object_or_404(PublicationUse, pk=_pk(use_pk), publication=publication).delete()
    messages.success(request, _("The link is removed."))
    return redirect("library:uses", publication.pk)


urlpatterns = [
    path("manage/", manage, name="manage"),
    path("new/", create, name="new"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/files/", files, name="files"),
    path("<int:pk>/files/<int:file_pk>/delete/", file_delete, name="file-delete"),
    path("<int:pk>/chapters/", chapters, name="chapters"),
    path("<int:pk>/chapters/new/", chapter_new, name="chapter-new"),
    path("<int:pk>/chapters/<int:chapter_pk>/edit/", chapter_edit, name="chapter-edit"),
    path("<int:pk>/chapters/<int:chapter_pk>/delete/", chapter_delete, name="chapter-delete"),
    path("<int:pk>/chapters/<int:chapter_pk>/move/", chapter_move, name="chapter-move"),
    path("<int:pk>/case/", case, name="case"),
    path("<int:pk>/state/", state, name="state"),
    path("<int:pk>/new-edition/", new_edition, name="new-edition"),
    path("<int:pk>/uses/", uses, name="uses"),
    path("<int:pk>/uses/<int:use_pk>/delete/", use_delete, name="use-delete"),
]
