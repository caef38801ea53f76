"""Choices of the monitoring app: information requests (ЗДОИ), proposals and signals (АПК),
commitments and what happens to them.

The statuses and events of information requests follow the vocabulary of the national
Platform for Access to Public Information (pitay.government.bg, ЗДОИ чл. 15в; its source
`governmentbg/pitay-gov-bg`, Constants.java), so records can be exchanged with it:
domain-rules.md §2.3.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Information requests (ЗДОИ) -------------------------------------------------------------


class RequestStatus(models.TextChoices):
    # pitay: "accepted on the platform, awaiting registration at the obliged body"
    SUBMITTED = "submitted", _("Awaiting registration")
    REGISTERED = "registered", _("Registered, in progress")
    CLARIFICATION = "clarification", _("Clarification requested")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    GRANTED = "granted", _("Access granted")
    PARTIAL = "partial", _("Partial access")
    REFUSED = "refused", _("Access refused")
    NOT_EXISTS = "not_exists", _("The information does not exist")
    NO_CONSIDERATION = "no_consideration", _("Left without consideration")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


# Waiting for the body: its statutory deadline runs (and can be missed).
REQUEST_PENDING = frozenset({RequestStatus.SUBMITTED, RequestStatus.REGISTERED})
# Final: the body has decided or the request ended otherwise.
REQUEST_FINAL = frozenset(
    {
        RequestStatus.FORWARDED,
        RequestStatus.GRANTED,
        RequestStatus.PARTIAL,
        RequestStatus.REFUSED,
        RequestStatus.NOT_EXISTS,
        RequestStatus.NO_CONSIDERATION,
        RequestStatus.WITHDRAWN,
    }
)
# The outcomes of a decision (ЗДОИ чл. 28, ал. 2; чл. 33; чл. 37): what staff choose when
# they answer. Forwarding and clarification have their own actions.
REQUEST_OUTCOMES = (
    RequestStatus.GRANTED,
    RequestStatus.PARTIAL,
    RequestStatus.REFUSED,
    RequestStatus.NOT_EXISTS,
)
# Outcomes after which the tracking page shows the appeal route (АПК чл. 149, ЗДОИ чл. 40).
REQUEST_APPEALABLE = frozenset({RequestStatus.PARTIAL, RequestStatus.REFUSED})

# Which status may follow which; services check every change against it.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.SUBMITTED: frozenset(
        {RequestStatus.REGISTERED, RequestStatus.FORWARDED, RequestStatus.WITHDRAWN}
    ),
    RequestStatus.REGISTERED: frozenset(
        {
            RequestStatus.CLARIFICATION,
            RequestStatus.FORWARDED,
            *REQUEST_OUTCOMES,
            RequestStatus.WITHDRAWN,
        }
    ),
    RequestStatus.CLARIFICATION: frozenset(
        {RequestStatus.REGISTERED, RequestStatus.NO_CONSIDERATION, RequestStatus.WITHDRAWN}
    ),
    RequestStatus.FORWARDED: frozenset(),
    RequestStatus.GRANTED: frozenset(),
    RequestStatus.PARTIAL: frozenset(),
    RequestStatus.REFUSED: frozenset(),
    RequestStatus.NOT_EXISTS: frozenset(),
    RequestStatus.NO_CONSIDERATION: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
}


class RefusalGround(models.TextChoices):
    """ЗДОИ чл. 37, ал. 1, the three grounds (pitay's refusal reasons 1–3)."""

    SECRET = (
        "secret",
        _("Classified information or another secret protected by law (Art. 37(1)(1))"),
    )
    THIRD_PARTY = "third_party", _("Third-party interests without their consent (Art. 37(1)(2))")
    GIVEN_BEFORE = (
        "given_before",
        _("Given to the same requester in the previous 6 months (Art. 37(1)(3))"),
    )


class ExtensionReason(models.TextChoices):
    """ЗДОИ чл. 30 and чл. 31: pitay's two reasons for extending the term."""

    LARGE_VOLUME = "large_volume", _("Large volume of information (Art. 30)")
    THIRD_PARTY = "third_party", _("Consent of a third party is asked (Art. 31)")


class AccessForm(models.TextChoices):
    """ЗДОИ чл. 26: the forms of access the requester may prefer."""

    ELECTRONIC = "electronic", _("Electronically: by e-mail or a link")
    INSPECTION = "inspection", _("Inspection of the original or a copy")
    ORAL = "oral", _("Oral answer")
    PAPER = "paper", _("Paper copy")
    MEDIUM = "medium", _("Copy on a technical medium")


class Channel(models.TextChoices):
    """How a request, proposal or signal reached the institution."""

    PLATFORM = "platform", _("Through this portal")
    PITAY = "pitay", _("Through pitay.government.bg")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("By post")


class RequestEventKind(models.TextChoices):
    """One entry of a request's timeline (pitay's event types, plus the portal's own)."""

    FILED = "filed", _("Filed")
    LOGGED = "logged", _("Logged: filed elsewhere")
    SENT = "sent", _("Sent to the institution")
    REGISTERED = "registered", _("Registered")
    CLARIFICATION_ASKED = "clarification_asked", _("Clarification requested")
    CLARIFIED = "clarified", _("Clarification provided")
    EXTENDED = "extended", _("Term extended")
    FORWARDED = "forwarded", _("Forwarded")
    DECIDED = "decided", _("Decision")
    DOCUMENT = "document", _("Document added")
    OVERDUE = "overdue", _("Deadline missed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Not clarified in time: left without consideration")
    NOTE = "note", _("Note")


class DocumentKind(models.TextChoices):
    REQUEST = "request", _("The request")
    DECISION = "decision", _("Decision")
    RELEASED = "released", _("Released information")
    NOTICE = "notice", _("Notice")
    OTHER = "other", _("Other")


# --- Proposals and signals (АПК гл. 8) --------------------------------------------------------


class SignalKind(models.TextChoices):
    """АПК чл. 107: a proposal improves the work of a body; a signal reports abuse, corruption,
    mismanagement or other unlawful or inexpedient acts or omissions."""

    PROPOSAL = "proposal", _("Proposal")
    SIGNAL = "signal", _("Signal")


class SignalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting registration")
    REGISTERED = "registered", _("Registered, being examined")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    ANSWERED = "answered", _("Decided and answered")
    # АПК чл. 111, ал. 4: anonymous, or about acts more than 2 years old. Kept as feedback.
    NO_PROCEEDINGS = "no_proceedings", _("No proceedings opened")
    WITHDRAWN = "withdrawn", _("Withdrawn by the filer")


SIGNAL_PENDING = frozenset({SignalStatus.SUBMITTED, SignalStatus.REGISTERED})
SIGNAL_FINAL = frozenset(
    {
        SignalStatus.FORWARDED,
        SignalStatus.ANSWERED,
        SignalStatus.NO_PROCEEDINGS,
        SignalStatus.WITHDRAWN,
    }
)
SIGNAL_TRANSITIONS: dict[str, frozenset[str]] = {
    SignalStatus.SUBMITTED: frozenset(
        {
            SignalStatus.REGISTERED,
            SignalStatus.FORWARDED,
            SignalStatus.NO_PROCEEDINGS,
            SignalStatus.WITHDRAWN,
        }
    ),
    SignalStatus.REGISTERED: frozenset(
        {
            SignalStatus.FORWARDED,
            SignalStatus.ANSWERED,
            SignalStatus.NO_PROCEEDINGS,
            SignalStatus.WITHDRAWN,
        }
    ),
    SignalStatus.FORWARDED: frozenset(),
    SignalStatus.ANSWERED: frozenset(),
    SignalStatus.NO_PROCEEDINGS: frozenset(),
    SignalStatus.WITHDRAWN: frozenset(),
}


class SignalOutcome(models.TextChoices):
    """What the decision says (АПК чл. 118 for a proposal, чл. 123 for a signal)."""

    ACCEPTED = "accepted", _("Accepted / well-founded")
    PARTLY = "partly", _("Partly accepted / partly well-founded")
    REJECTED = "rejected", _("Not accepted / unfounded")


class SignalEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    LOGGED = "logged", _("Logged: filed elsewhere")
    REGISTERED = "registered", _("Registered")
    EXTENDED = "extended", _("Term extended")
    FORWARDED = "forwarded", _("Forwarded")
    ANSWERED = "answered", _("Decided and answered")
    NO_PROCEEDINGS = "no_proceedings", _("No proceedings opened")
    OVERDUE = "overdue", _("Deadline missed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOTE = "note", _("Note")


# --- Commitments ------------------------------------------------------------------------------


class CommitmentSource(models.TextChoices):
    COUNCIL_DECISION = "council_decision", _("Decision of the municipal council")
    PROGRAMME_MEASURE = "programme_measure", _("Measure of a programme or plan")
    CONSULTATION_REPORT = "consultation_report", _("Promise in a consultation report")
    MINUTES = "minutes", _("Minutes of a meeting")
    OTHER = "other", _("Other")


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    # Set by the daily check when the deadline passes unfinished; cleared by an update to
    # done or dropped (or a new deadline).
    OVERDUE = "overdue", _("Overdue")
    DROPPED = "dropped", _("Dropped")


COMMITMENT_OPEN = frozenset(
    {CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.OVERDUE}
)


class CommitmentUpdateKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    PROGRESS = "progress", _("Progress update")
    ANSWER = "answer", _("Answer of the institution")
    COMMENT = "comment", _("Comment of a monitor")
    RATING = "rating", _("Assessment of fulfilment")
    OVERDUE = "overdue", _("Deadline missed")
