"""What the monitoring pages share: ids from the address, lists read a page at a time without
counting them, the breadcrumbs, the organisations a person represents, the filters of the
lists of requests and signals, and the steps on a request or a signal (one form each, with
the version the person saw)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.models import User
from core.widgets import ListSelect
from directory.models import Institution
from monitoring.forms.common import (
    StepForm,
    choice_field,
    is_code,
    municipality_choices,
    province_choices,
)
from monitoring.services.common import MonitoringError, StaleVersion
from organisations.models import Organisation

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404


def pk_or_404(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


def url_or_empty(name: str, *args: Any) -> str:
    """The address of a page another part of the app provides; '' while it is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def crumbs(*trail: tuple[str, str]) -> list[tuple[str, str]]:
    """Home › Monitoring (when its page exists) › `trail`."""
    start = url_or_empty("monitoring:index")
    return ([(_("Monitoring"), start)] if start else []) + list(trail)


def represented(user: Any) -> list[Organisation]:
    """The organisations `user` represents, by name: one query, none for those who represent
    nobody (their role keys are loaded once per request by the permission checks)."""
    if not getattr(user, "is_authenticated", False):
        return []
    ct = ContentType.objects.get_for_model(Organisation).pk
    ids = [
        int(scope_id)
        for role, scope_type, scope_id in user.active_role_keys()
        if role == Role.ORGANISATION_REPRESENTATIVE and scope_type == ct and scope_id.isdigit()
    ]
    if not ids:
        return []
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def visible_or_404(request: HttpRequest, queryset: QuerySet[Any], pk: int) -> Any:
    """A request or signal, or a 404 if it does not exist or the person may not see it (a
    private one does not reveal that it exists)."""
    record = get_object_or_404(queryset, pk=pk_or_404(pk))
    if not request.user.has_perm("monitoring.view_item", record):
        raise Http404
    return record


# --- lists read a page at a time -------------------------------------------------------------


@dataclass
class Page:
    """One page of a list: its rows and whether pages come before and after. The list is not
    counted: one row more than the page tells whether a next page exists."""

    object_list: list[Any]
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None, last: int) -> int:
    """The page asked for: 1 for anything but a number, at most `last` (deeper than anyone
    reads, and it keeps the OFFSET the database skips bounded)."""
    text = raw or ""
    number = int(text) if text.isascii() and text.isdigit() else 1
    return min(max(number, 1), last)


def page_of(queryset: QuerySet[Any], raw: str | None, size: int, last: int) -> Page:
    number = page_number(raw, last)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows[:size], number, number > 1, len(rows) > size and number < last)


# --- the filters of the lists of requests and signals ----------------------------------------


class PlaceFilterForm(forms.Form):
    """Where (a province, a municipality, one of its institutions), the status, and only the
    overdue ones. The subclasses give the statuses and the institutions of a municipality."""

    statuses: list[tuple[str, Any]] = []
    # The municipalities of the chosen province only, or all of them.
    by_province = False

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False, widget=ListSelect)
    municipality = forms.ChoiceField(
        label=gettext_lazy("Municipality"), required=False, widget=ListSelect
    )
    institution = forms.ChoiceField(
        label=gettext_lazy("Institution"), required=False, widget=ListSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        choice_field(self, "status").choices = everything + list(self.statuses)
        choice_field(self, "province").choices = everything + province_choices()
        province = str(self.data.get("province") or "")
        of_province = province if self.by_province and is_code(province) else ""
        choice_field(self, "municipality").choices = everything + municipality_choices(of_province)
        choice_field(self, "institution").choices = everything + self._institutions()

    def of_municipality(self, code: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def _institutions(self) -> list[tuple[str, str]]:
        """Those of the chosen municipality (the whole directory is thousands), plus one
        asked for by a link from its page even without a municipality."""
        code = str(self.data.get("municipality") or "")
        if is_code(code):
            found = self.of_municipality(code)
        else:
            found = []
            self.fields["institution"].help_text = _(
                "Choose a municipality and press “Show”: its institutions are listed."
            )
        asked = str(self.data.get("institution") or "")
        if asked.isdigit() and len(asked) < 12 and asked not in {value for value, _l in found}:
            institution = Institution.objects.filter(pk=int(asked)).only("name_bg", "name_en")
            if (chosen := institution.first()) is not None:
                found.append((asked, chosen.name))
        return found

    def filters(self) -> dict[str, Any]:
        """What was chosen, without the fields that are wrong (shown with their message)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


def by_place(
    queryset: QuerySet[Any], filters: dict[str, Any], pending: frozenset[str]
) -> QuerySet[Any]:
    """The place, status and overdue filters of PlaceFilterForm, on the record's own indexed
    columns (the narrowest place only)."""
    if filters.get("institution"):
        queryset = queryset.filter(institution_id=int(filters["institution"]))
    elif filters.get("municipality"):
        queryset = queryset.filter(municipality_id=filters["municipality"])
    elif filters.get("province"):
        queryset = queryset.filter(province_id=filters["province"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("overdue"):
        queryset = queryset.filter(is_overdue=True, status__in=pending)
    return queryset


# --- the steps on a request or a signal ------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Step:
    """One action on a request or a signal: its address, its form, what it does (`run`, with
    the record, the person and the valid form) and what the person is told then."""

    name: str
    title: Any  # lazy text
    form: type[StepForm]
    run: Callable[[Any, User, Any], object]
    done: Any  # lazy text
    button: Any = ""  # lazy text
    intro: Any = ""  # lazy text
    multipart: bool = False
    danger: bool = False


def submit_step(
    request: HttpRequest,
    step: Step,
    record: Model,
    reload: Callable[[], Any],
    **form_kwargs: Any,
) -> tuple[StepForm, Any, HttpResponse | None]:
    """Check the sent form and run the step: a redirect to the record when it is done; else
    the form with its errors (and the record to show). When someone else changed the record
    meanwhile, the form keeps what was typed, now on the current record (`reload`), so that
    sending it again is a choice made over what the page now shows."""
    data = request.POST.copy()
    form = step.form(data, request.FILES, record=record, **form_kwargs)
    if form.is_valid():
        try:
            step.run(record, user_of(request), form)
        except StaleVersion as error:
            record = reload()
            data["version"] = str(record.version)  # type: ignore[attr-defined]
            form = step.form(data, request.FILES, record=record, **form_kwargs)
            form.is_valid()
            form.add_error(None, str(error))
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, str(step.done))
            return form, record, redirect(record.get_absolute_url())  # type: ignore[attr-defined]
    return form, record, None
