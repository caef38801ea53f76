"""Feedback after an event: the participant's short form (overall rating and usefulness, 1–5,
and comments), who may give it and when, and the organiser's results (the number of answers
against the number who attended, averages, the distribution of each rating as a bar chart,
the comments without names).

A person gives feedback once per registration (the database's one-to-one holds it even for two
submissions at once) and only after attending: at least one day checked in. The form opens on
the event's last day (Sofia time), so those leaving the last session can answer on the spot;
the e-mail asking for it goes out once the event has ended (services.request_feedback).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import Chart, chart
from core.legal_calendar import SOFIA
from events.models import Attendance, Event, Feedback, Registration

SCALE = (1, 2, 3, 4, 5)

RATING_CHOICES = [
    (1, gettext_lazy("1 – very poor")),
    (2, gettext_lazy("2 – poor")),
    (3, gettext_lazy("3 – satisfactory")),
    (4, gettext_lazy("4 – good")),
    (5, gettext_lazy("5 – excellent")),
]
USEFULNESS_CHOICES = [
    (1, gettext_lazy("1 – not useful")),
    (2, gettext_lazy("2 – of little use")),
    (3, gettext_lazy("3 – somewhat useful")),
    (4, gettext_lazy("4 – useful")),
    (5, gettext_lazy("5 – very useful")),
]


def rating_label(value: int) -> str:
    return str(dict(RATING_CHOICES).get(value, value))


def usefulness_label(value: int) -> str:
    return str(dict(USEFULNESS_CHOICES).get(value, value))


# --- Who may answer, and when ----------------------------------------------------------------


def opens_on(event: Event) -> datetime.date:
    """The day (Sofia) the form opens: the event's last day."""
    return event.days[-1]


def is_open(event: Event, now: datetime.datetime | None = None) -> bool:
    today = (now or timezone.now()).astimezone(SOFIA).date()
    return today >= opens_on(event)


def attended(registration: Registration) -> bool:
    return Attendance.objects.filter(registration=registration).exists()


# --- The form --------------------------------------------------------------------------------


def _scale_errors(message: Any) -> dict[str, Any]:
    # "7" and "abc" are as wrong as nothing: the same sentence says what is expected.
    return {"required": message, "invalid_choice": message}


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Overall, how would you rate the event?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_scale_errors(gettext_lazy("Choose a rating from 1 to 5.")),
    )
    usefulness = forms.TypedChoiceField(
        label=gettext_lazy("How useful was it for your work?"),
        choices=USEFULNESS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_scale_errors(gettext_lazy("Choose a value from 1 to 5.")),
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"),
        help_text=gettext_lazy(
            "What was good and what could be better. The organiser sees the comments without names."
        ),
        required=False,
        max_length=Feedback._meta.get_field("comments").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def save(registration: Registration, data: dict[str, Any]) -> tuple[Feedback, bool]:
    """Store the answers once: (the feedback, True) or, when some were already stored (a
    second tab, a double click), (those, False) and nothing changes."""
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                registration=registration,
                rating=data["rating"],
                usefulness=data["usefulness"],
                comments=data.get("comments", "").strip(),
            )
    except IntegrityError:
        return Feedback.objects.get(registration=registration), False
    return feedback, True


# --- The organiser's results -----------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    attended: int  # participants checked in on at least one day
    answers: int
    average_rating: float | None
    average_usefulness: float | None
    charts: tuple[Chart, Chart]

    @property
    def share(self) -> int | None:
        """Answers as a percentage of those who attended."""
        if not self.attended:
            return None
        # Attendance undone after answering must not make it more than everyone.
        return min(100, round(100 * self.answers / self.attended))


def of_event(event: Event) -> QuerySet[Feedback]:
    return Feedback.objects.filter(registration__event=event)


def results(event: Event) -> Results:
    """Two queries, whatever the number of answers: the aggregates, the attended."""
    counts: dict[str, Any] = {
        f"{field}_{n}": Count("pk", filter=Q(**{field: n}))
        for field in ("rating", "usefulness")
        for n in SCALE
    }
    row = of_event(event).aggregate(
        answers=Count("pk"),
        average_rating=Avg("rating"),
        average_usefulness=Avg("usefulness"),
        **counts,
    )
    present = (
        Attendance.objects.filter(registration__event=event)
        .aggregate(n=Count("registration", distinct=True))
        .get("n")
    )
    column = _("Answers")
    charts = (
        chart(
            "rating",
            _("Overall rating"),
            column,
            [(str(label), row[f"rating_{n}"]) for n, label in RATING_CHOICES],
        ),
        chart(
            "usefulness",
            _("Usefulness for one's work"),
            column,
            [(str(label), row[f"usefulness_{n}"]) for n, label in USEFULNESS_CHOICES],
        ),
    )
    return Results(
        attended=present or 0,
        answers=row["answers"],
        average_rating=row["average_rating"],
        average_usefulness=row["average_usefulness"],
        charts=charts,
    )


def comments(event: Event) -> QuerySet[Feedback]:
    """The answers with comments, oldest first; only the text is shown (no names)."""
    return of_event(event).exclude(comments="").order_by("submitted_at", "pk").only("comments")
