"""Importing strategy.bg's history, for administrators: the upload page with the past runs, a
run's progress and report, and the categories whose municipality an administrator chooses.

The upload is checked at once (a wrong file, encoding or header is refused next to its field);
the import itself runs in the background (consultations.tasks.import_history) and its page
refreshes itself until the report is there.
"""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from consultations import history, strategy_bg
from consultations.models import ImportRun, SourceCategory
from consultations.tasks import import_history
from core.ratelimit import ratelimit
from directory.models import Institution
from territory.models import Municipality

MAX_UPLOAD = 100 * 1024 * 1024  # the full exports are a few MB
REFRESH_SECONDS = 2
import_limit = ratelimit("consultations-import", limit=30, period=3600)


def _check_header(
    upload: UploadedFile, columns: tuple[str, ...], required: tuple[str, ...]
) -> None:
    """Read the file's header only: a wrong file, encoding or header is refused at once."""
    if upload.size and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD // (1024 * 1024)}
        )
    stream: IO[bytes] = upload.open("rb")
    try:
        stream.seek(0)
        first = next(strategy_bg.rows(stream, columns, required), None)
        del first
    except strategy_bg.ExportError as e:
        raise forms.ValidationError(str(e)) from e
    finally:
        stream.seek(0)


class ImportForm(forms.Form):
    consultations = forms.FileField(
        label=gettext_lazy("Consultations export"),
        help_text=gettext_lazy(
            "ConsultationssCSVExport.csv from strategy.bg's open data: as downloaded, UTF-8, "
            "tab-separated."
        ),
    )
    comments = forms.FileField(
        label=gettext_lazy("Comments export"),
        required=False,
        help_text=gettext_lazy("CommentsCSVExport.csv, if you have it."),
    )

    def clean_consultations(self) -> UploadedFile:
        upload = self.cleaned_data["consultations"]
        _check_header(upload, strategy_bg.CONSULTATION_COLUMNS, strategy_bg.CONSULTATION_REQUIRED)
        return upload

    def clean_comments(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("comments")
        if upload:
            _check_header(upload, strategy_bg.COMMENT_COLUMNS, strategy_bg.COMMENT_REQUIRED)
        return upload


def _admin(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not request.user.has_perm("consultations.import_history"):
        raise PermissionDenied


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (_("Public consultations"), reverse("consultations:index")),
        (_("History from strategy.bg"), reverse("consultations:history-imports")),
        *rest,
    ]


@import_limit
@require_http_methods(["GET", "HEAD", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    _admin(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, comments = form.cleaned_data["consultations"], form.cleaned_data.get("comments")
        with transaction.atomic():
            run = ImportRun(
                started_by=request.user,
                consultations_name=upload.name[:255],
                comments_name=comments.name[:255] if comments else "",
            )
            run.consultations_file.save("consultations.csv", upload, save=False)
            if comments:
                run.comments_file.save("comments.csv", comments, save=False)
            run.save()
        import_history.enqueue(run.pk)
        return redirect("consultations:history-import", pk=run.pk)
    runs = list(ImportRun.objects.select_related("started_by")[:20])
    waiting = SourceCategory.objects.filter(institution__isnull=True).count()
    return render(
        request,
        "consultations/history/imports.html",
        {
            "form": form,
            "runs": runs,
            "waiting": waiting,
            "breadcrumbs": [
                (_("Public consultations"), reverse("consultations:index")),
                (_("History from strategy.bg"), ""),
            ],
        },
    )


@require_http_methods(["GET", "HEAD"])
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    run = get_object_or_404(ImportRun, pk=pk)
    refresh = run.under_way and request.GET.get("refresh") != "off"
    report: dict[str, Any] = run.report or {}
    return render(
        request,
        "consultations/history/run.html",
        {
            "run": run,
            "report": report,
            "skipped": report.get("skipped", [])[:500],
            "skipped_more": max(0, len(report.get("skipped", [])) - 500),
            "refresh": refresh,
            "refresh_seconds": REFRESH_SECONDS,
            "breadcrumbs": _crumbs((str(run), "")),
        },
    )


class ResolveForm(forms.Form):
    municipality = forms.ChoiceField(label=gettext_lazy("The municipality it means"))

    def __init__(
        self,
        category: SourceCategory,
        *args: Any,
        everywhere: list[Municipality] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        candidates = list(category.candidates.all())
        if not candidates:  # an unknown name: any municipality
            candidates = everywhere if everywhere is not None else _all_municipalities()
        self.fields["municipality"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (m.code, f"{m.name} ({m.province.name})") for m in candidates
        ]
        self.fields["municipality"].widget.attrs["id"] = f"id_municipality_{category.pk}"


def _all_municipalities() -> list[Municipality]:
    return list(Municipality.objects.select_related("province").order_by("name_bg", "code"))


@require_http_methods(["GET", "HEAD"])
def categories(request: HttpRequest) -> HttpResponse:
    _admin(request)
    waiting = list(
        SourceCategory.objects.filter(institution__isnull=True)
        .annotate(held_count=Count("held"))
        .prefetch_related(Prefetch("candidates", Municipality.objects.select_related("province")))
        .order_by("name")
    )
    everywhere = _all_municipalities() if any(not c.candidates.all() for c in waiting) else []
    for category in waiting:
        category.form = ResolveForm(category, everywhere=everywhere)  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/history/categories.html",
        {"categories": waiting, "breadcrumbs": _crumbs((_("Municipalities to choose"), ""))},
    )


@import_limit
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    category = get_object_or_404(SourceCategory, pk=pk, institution__isnull=True)
    form = ResolveForm(category, request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose the municipality “%(name)s” means.") % {"name": category.name}
        )
        return redirect("consultations:history-categories")
    municipality = Municipality.objects.get(code=form.cleaned_data["municipality"])
    try:
        report = history.resolve_category(category, municipality, request.user)
    except Institution.DoesNotExist:
        messages.error(
            request,
            _("The directory has no municipal administration of %(name)s.")
            % {"name": municipality.name},
        )
        return redirect("consultations:history-categories")
    messages.success(
        request,
        _("“%(name)s” is now %(municipality)s: %(n)d consultations imported.")
        % {"name": category.name, "municipality": municipality.name, "n": report.created},
    )
    return redirect("consultations:history-categories")


urlpatterns = [
    path("history/", imports, name="history-imports"),
    path("history/<int:pk>/", import_run, name="history-import"),
    path("history/municipalities/", categories, name="history-categories"),
    path("history/municipalities/<int:pk>/", resolve, name="history-resolve"),
]
