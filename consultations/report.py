"""The report (справка за отразяване на предложенията, ЗНА чл. 26, ал. 5): what it lists, when it
may be published, and its files (PDF through core.documents and WeasyPrint, .docx through
python-docx).

One row per group of proposals (grouping.py): number, participants, article, the proposal and
its proposed wordings, the decision and its reasons. A row of a group lists every participant,
each with an anchor (`c-<comment id>`) that the e-mail to its author links to. Participants
are named as they chose to be shown (`Comment.display_name`, fixed when they commented: full
name or initials), an organisation or a network by its name; never an e-mail address or any
other contact (domain-rules §7.2). An annex lists the hidden comments with the moderators'
reasons.

Loading costs a fixed number of queries whatever the number of proposals.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from consultations import grouping
from consultations.enums import Decision, State
from consultations.models import Comment, Consultation, ProposalGroup
from consultations.services import transition
from core import documents
from core.email import enqueue_many, render_email

REPORT_VERSION = "1"
LANGUAGE = "bg"
TEMPLATES = (
    "consultations/report/document.html",
    "consultations/report/pdf.css",
    "consultations/report/rows.html",
)

Progress = Callable[[int], None]


class ReportError(Exception):
    """The report cannot be published now; the message is for people."""


# --- What the report lists ----------------------------------------------------------------------


@dataclass
class Participant:
    name: str
    anchor: str


@dataclass
class Row:
    number: int
    anchor: str
    article: str
    participants: list[Participant] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    wordings: list[str] = field(default_factory=list)
    decision: str = ""  # as the report says it, in the language of the moment
    decision_code: str = ""  # enums.Decision value, "" while unanswered
    reasons: str = ""
    count: int = 0

    @property
    def participant_names(self) -> str:
        return ", ".join(p.name for p in self.participants)


@dataclass
class AnnexRow:
    number: int
    participant: str
    article: str
    text: str
    reason: str
    hidden_at: datetime.datetime | None


def participant_name(comment: Comment) -> str:
    """How the report names the author: the organisation or network, or the person as they
    chose (the name fixed on the comment). Never a contact."""
    if comment.network_id and comment.network:
        return comment.network.name
    if comment.organisation_id and comment.organisation:
        return comment.organisation.name
    return comment.display_name


def _with_names(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    """Only what the report shows of a comment, with the names of its article and voice."""
    return qs.select_related("article", "organisation", "network").only(
        "pk", "group_id", "article__label", "organisation__name", "network__name",
        "organisation_id", "network_id", "display_name", "text", "proposed_wording",
        "created_at", "hidden_reason", "hidden_at", "parent_id",
    )  # fmt: skip


def rows(consultation: Consultation) -> list[Row]:
    """The report's rows in order (two queries: groups, then the proposals)."""
    groups = {
        g.pk: g
        for g in ProposalGroup.objects.filter(consultation=consultation)
        .select_related("article")
        .order_by("order", "pk")
    }
    out: dict[int, Row] = {}
    seen_texts: dict[int, set[str]] = {}
    seen_wordings: dict[int, set[str]] = {}
    for pk, group in groups.items():
        out[pk] = Row(
            number=group.order,
            anchor=f"p-{group.order}",
            article=group.article.label if group.article else _("The whole draft"),
            decision=str(Decision(group.decision).label) if group.decision else "",
            decision_code=group.decision,
            reasons=group.reasons,
        )
        seen_texts[pk], seen_wordings[pk] = set(), set()
    proposals = _with_names(grouping.proposals(consultation).filter(group__isnull=False))
    for c in proposals.order_by("created_at", "pk").iterator(chunk_size=2000):
        row = out[c.group_id]  # type: ignore[index]
        row.count += 1
        row.participants.append(Participant(participant_name(c), f"c-{c.pk}"))
        # Identical texts (a campaign) are shown once; near-identical variants each.
        key = grouping.normalise(c.text)
        if key not in seen_texts[c.group_id]:  # type: ignore[index]
            seen_texts[c.group_id].add(key)  # type: ignore[index]
            row.texts.append(c.text)
        wording = c.proposed_wording.strip()
        if wording and grouping.normalise(wording) not in seen_wordings[c.group_id]:  # type: ignore[index]
            seen_wordings[c.group_id].add(grouping.normalise(wording))  # type: ignore[index]
            row.wordings.append(wording)
    return [r for r in out.values() if r.count]


def annex(consultation: Consultation) -> list[AnnexRow]:
    """The hidden comments (proposals and replies), with the moderators' public reasons."""
    hidden = _with_names(
        Comment.objects.filter(consultation=consultation, hidden_at__isnull=False)
    ).order_by("created_at", "pk")
    return [
        AnnexRow(
            number=n,
            participant=participant_name(c),
            article=c.article.label if c.article else _("The whole draft"),
            text=c.text,
            reason=c.hidden_reason,
            hidden_at=c.hidden_at,
        )
        for n, c in enumerate(hidden, start=1)
    ]


# --- Publishing ---------------------------------------------------------------------------------


def unanswered(consultation: Consultation) -> int:
    """Proposals not (yet) in an answered group."""
    return (
        grouping.proposals(consultation)
        .filter(Q(group__isnull=True) | Q(group__decision=""))
        .count()
    )


def publish(consultation: Consultation, by: object) -> Consultation:
    """Publish the report (state REPORT_PUBLISHED) and write to everyone who commented.
    Refused while a proposal is unanswered, with how many are left."""
    with transaction.atomic():
        # Locked: grouping (grouping.group_proposals) waits, so nothing changes under the count.
        locked = Consultation.objects.select_for_update(of=("self",)).get(pk=consultation.pk)
        if locked.state != State.CLOSED:
            raise ReportError(_("The report can be published only after the consultation closed."))
        left = unanswered(locked)
        if left:
            raise ReportError(
                translation.ngettext(
                    "%(n)d proposal is still unanswered: answer it before publishing the report.",
                    "%(n)d proposals are still unanswered: answer them before publishing the "
                    "report.",
                    left,
                )
                % {"n": left}
            )
        judged = grouping.proposals(locked)
        row = transition(
            locked,
            State.REPORT_PUBLISHED,
            by=by,
            report_published_at=timezone.now(),
            # The audit's share of comments taken into account (consultations.compliance).
            audit_comments=judged.count(),
            audit_taken_into_account=judged.filter(
                group__decision__in=[Decision.ACCEPTED, Decision.PARTLY]
            ).count(),
        )
    notify_commenters(row)
    return row


def report_url(consultation: Consultation) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("consultations:report", args=[consultation.pk])


def notify_commenters(consultation: Consultation) -> int:
    """One e-mail, in Bulgarian, to each person who commented: the report's link and links to
    the rows answering their own proposals. Returns how many were queued."""
    url = report_url(consultation)
    groups = dict(
        ProposalGroup.objects.filter(consultation=consultation).values_list("pk", "order")
    )
    mine: dict[int, list[tuple[str, str]]] = {}
    emails: dict[int, str] = {}
    comments = (
        Comment.objects.filter(consultation=consultation)
        .select_related("author", "article")
        .only("pk", "group_id", "parent_id", "hidden_at", "article__label", "author__email")
        .order_by("created_at", "pk")
    )
    for c in comments.iterator(chunk_size=2000):
        emails[c.author_id] = c.author.email
        links = mine.setdefault(c.author_id, [])
        if c.group_id and c.group_id in groups:
            label = c.article.label if c.article else ""
            links.append((f"{url}#c-{c.pk}", f"{groups[c.group_id]}. {label}".strip()))
    messages = []
    with translation.override(LANGUAGE):
        for author_id, address in emails.items():
            if not address:
                continue
            messages.append(
                render_email(
                    address,
                    None,
                    "consultations/email/report_published",
                    {
                        "consultation": consultation,
                        "report_url": url,
                        "links": mine.get(author_id, []),
                        "portal_name": settings.PORTAL_NAME,
                    },
                )
            )
    enqueue_many(messages)
    return len(messages)


# --- Files --------------------------------------------------------------------------------------


@functools.cache
def template_digest() -> str:
    return documents.template_digest(REPORT_VERSION, TEMPLATES)


def fingerprint(consultation: Consultation) -> str:
    """sha256 of what the report shows: the groups' answers, the comments (visible or hidden),
    the consultation's title and publication, the templates. Three small queries."""
    groups = ProposalGroup.objects.filter(consultation=consultation).aggregate(
        n=Count("pk"), ids=Sum("pk"), orders=Sum("order"), last=Max("answered_at")
    )
    comments = Comment.objects.filter(consultation=consultation).aggregate(
        n=Count("pk"),
        ids=Sum("pk"),
        groups=Sum("group_id"),
        hidden=Count("hidden_at"),
        last_hidden=Max("hidden_at"),
        last_edit=Max("edited_at"),
    )
    summaries = list(
        ProposalGroup.objects.filter(consultation=consultation)
        .order_by("pk")
        .values_list("summary", "reasons", "decision")
    )
    digest = hashlib.sha256(repr(summaries).encode()).hexdigest()
    parts = [
        template_digest(),
        consultation.pk,
        consultation.title,
        consultation.report_published_at,
        groups,
        comments,
        digest,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class Document:
    consultation: Consultation
    institution: str
    rows: list[Row]
    annex: list[AnnexRow]
    generated_at: datetime.datetime
    url: str

    @property
    def proposals(self) -> int:
        return sum(r.count for r in self.rows)


def collect(consultation: Consultation) -> Document:
    return Document(
        consultation=consultation,
        institution=consultation.institution.name,
        rows=rows(consultation),
        annex=annex(consultation),
        generated_at=timezone.now(),
        url=report_url(consultation),
    )


ROWS_PER_TABLE = 40  # WeasyPrint lays out many short tables far faster than one long one
# A cell naming hundreds of campaign signers runs over pages, which WeasyPrint lays out slowly:
# the PDF lists the participants of a larger group after the table, as running text.
LONG_LIST = 30


def render_html(document: Document, progress: Progress | None = None) -> str:
    with translation.override(LANGUAGE):
        parts = []
        chunks = [
            document.rows[i : i + ROWS_PER_TABLE]
            for i in range(0, len(document.rows), ROWS_PER_TABLE)
        ]
        for n, chunk in enumerate(chunks, start=1):
            parts.append(
                render_to_string(
                    "consultations/report/rows.html", {"rows": chunk, "long_list": LONG_LIST}
                )
            )
            if progress:
                progress(n * 100 // len(chunks))
        counter = mark_safe(documents.page_counter_css())  # noqa: S308
        css = render_to_string("consultations/report/pdf.css", {"page_counter": counter})
        return render_to_string(
            "consultations/report/document.html",
            {
                "doc": document,
                "long_rows": [r for r in document.rows if r.count > LONG_LIST],
                # Each part was rendered, and so escaped, by the rows template.
                "tables_html": mark_safe("".join(parts)),  # noqa: S308
                # Our own stylesheet (a template without data from people).
                "css": mark_safe(css.replace("</", "<\\/")),  # noqa: S308
            },
        )


def make_pdf(consultation: Consultation, progress: Progress | None = None) -> tuple[bytes, int]:
    """(PDF bytes, pages); progress: data 5 %, HTML to 30 %, layout to 95 %."""

    def report(value: int) -> None:
        if progress:
            progress(value)

    with translation.override(LANGUAGE):
        document = collect(consultation)
        report(5)
        html = render_html(document, lambda p: report(5 + p * 25 // 100))
    return documents.render_pdf(html, lambda p: report(30 + p * 65 // 100))


def make_docx(consultation: Consultation, progress: Progress | None = None) -> tuple[bytes, int]:
    """(.docx bytes, 0 — Word counts its own pages): landscape A4, a title, a real table with a
    header row repeated on every page, then the annex."""
    from docx import Document as WordDocument
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    with translation.override(LANGUAGE):
        doc = collect(consultation)
        if progress:
            progress(5)
        word = WordDocument()
        section = word.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(1.5))
        word.styles["Normal"].font.size = Pt(9)
        word.add_heading(_("Report on the proposals received"), level=1)
        word.add_paragraph(consultation.title)
        word.add_paragraph(
            _("%(institution)s. Published on %(date)s. %(n)s proposals.")
            % {
                "institution": doc.institution,
                "date": timezone.localtime(
                    consultation.report_published_at or doc.generated_at
                ).strftime("%d.%m.%Y"),
                "n": doc.proposals,
            }
        )
        headers = [
            _("No."), _("Participant"), _("Article"), _("Proposal"), _("Decision"), _("Reasons"),
        ]  # fmt: skip
        widths = [Cm(1.2), Cm(4.5), Cm(2.3), Cm(9.0), Cm(2.7), Cm(7.0)]
        table = word.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        head = table.rows[0]
        # The header row repeats on each page (w:tblHeader).
        tr_pr = head._tr.get_or_add_trPr()
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        tr_pr.append(marker)
        for cell, text, width in zip(head.cells, headers, widths, strict=True):
            cell.text = text
            cell.width = width
            for run in cell.paragraphs[0].runs:
                run.bold = True
        total = len(doc.rows) or 1
        for n, row in enumerate(doc.rows, start=1):
            proposal = "\n\n".join(row.texts)
            if row.wordings:
                proposal += "\n\n" + _("Proposed wording:") + "\n" + "\n\n".join(row.wordings)
            values = [
                str(row.number), row.participant_names, row.article, proposal, row.decision,
                row.reasons,
            ]  # fmt: skip
            cells = table.add_row().cells
            for cell, value, width in zip(cells, values, widths, strict=True):
                cell.text = value
                cell.width = width
            if progress and n % 50 == 0:
                progress(5 + n * 85 // total)
        if doc.annex:
            word.add_heading(_("Annex: hidden comments"), level=2)
            annex_table = word.add_table(rows=1, cols=4)
            annex_table.style = "Table Grid"
            for cell, text in zip(
                annex_table.rows[0].cells,
                [_("No."), _("Participant"), _("Comment"), _("Reason for hiding")],
                strict=True,
            ):
                cell.text = text
            for a in doc.annex:
                cells = annex_table.add_row().cells
                for cell, value in zip(
                    cells, [str(a.number), a.participant, a.text, a.reason], strict=True
                ):
                    cell.text = value
        out = io.BytesIO()
        word.save(out)
    if progress:
        progress(99)
    return out.getvalue(), 0
