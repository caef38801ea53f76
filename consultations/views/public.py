"""Consultations: what the public sees and does — the list, a consultation's page with its
draft, a unit of the draft with its comments, a comment with its replies, commenting,
supporting, reporting, and the moderators' queue and acts.

Every page runs a fixed number of queries however many consultations or comments there are:
list rows come from a few columns, counts shown are the stored ones (Consultation.*_count,
Article.comments_count, Comment.supports_count) and only one page of comments is loaded, with
the replies of that page in one more query. Drafts and scheduled consultations are a 404 for
everyone but those who manage them (rules.py: view_consultation).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations import comments as workflows
from consultations.comment_forms import CommentForm, EditCommentForm, FlagForm, ModerationForm
from consultations.enums import (
    PUBLIC_STATES,
    ImportedCommentState,
    Kind,
    ModerationAction,
    Source,
    State,
)
from consultations.models import (
    Article,
    Comment,
    CommentFlag,
    Consultation,
    DraftVersion,
    ModerationLog,
    Support,
)
from consultations.periods import rule_for
from consultations.search import KIND as SEARCH_KIND
from core import search as search_index
from core.legal_calendar import SOFIA
from core.models import Topic
from core.ratelimit import ratelimit
from core.widgets import ListSelect
from territory.models import Municipality, Province

IMPORTED_COMMENTS_PAGE = 50
MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
LIST_PAGE_SIZE = 20
COMMENTS_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 30
# Kinds of unit listed in the table of contents (points and paragraphs are inside articles).
TOC_KINDS = frozenset(
    {"part", "chapter", "section", "article", "final_provisions", "paragraph_sign", "heading"}
)

# Units shown as headings of the text (the others are paragraphs of it).
HEADING_KINDS = frozenset({"part", "chapter", "section", "final_provisions", "heading"})

# Anything that writes; the per-person comment limits are in consultations.comments.
write_limit = ratelimit("consultations-public-write", limit=120, period=3600)
flag_limit = ratelimit("consultations-flag", limit=workflows.FLAGS_PER_HOUR, period=3600)


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def status_label(state: str, closes_on: datetime.date | None, day: datetime.date) -> str:
    """ "остават 12 дни", "последен ден днес", or the state for one not open."""
    if state == State.OPEN and closes_on is not None:
        left = (closes_on - day).days
        if left == 0:
            return _("last day today")
        if left > 0:
            return ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
        return _("the period has ended")
    return str(State(state).label) if state in State.values else state


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    """The consultation, or a 404 when this person may not see it (a draft or a scheduled one
    to anyone but those who manage it)."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("institution", "municipality", "province"),
        pk=_pk(pk),
    )
    if not request.user.has_perm("consultations.view_consultation", consultation):
        raise Http404
    return consultation


def _crumbs(consultation: Consultation | None, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(_("Public consultations"), reverse("consultations:index"))]
    if consultation is not None:
        crumbs.append((consultation.title, consultation.get_absolute_url()))
    crumbs.extend(rest)
    return crumbs


def _current_version(consultation: Consultation) -> DraftVersion | None:
    return consultation.current_version


def _comment_form(
    request: HttpRequest, consultation: Consultation, *, allow_proposal: bool = True
) -> CommentForm | None:
    """The form to comment with, for those who may comment now (else None)."""
    if not _may_comment(request, consultation):
        return None
    return CommentForm(
        request.POST if request.method == "POST" else None,
        organisations=workflows.represented_organisations(request.user),
        networks=workflows.coordinated_networks(request.user),
        allow_proposal=allow_proposal,
    )


def _may_comment(request: HttpRequest, consultation: Consultation) -> bool:
    return request.user.has_perm(
        "consultations.add_comment", consultation
    ) and workflows.accepts_comments(consultation)


@dataclass
class Participation:
    """What the page says about taking part: whether one may, and if not, why."""

    open: bool
    may_comment: bool
    message: str


def _participation(request: HttpRequest, consultation: Consultation) -> Participation:
    accepting = workflows.accepts_comments(consultation)
    if not accepting:
        return Participation(False, False, workflows.closed_message(consultation))
    if not request.user.is_authenticated:
        return Participation(True, False, _("Sign in to comment, reply or support a proposal."))
    may = request.user.has_perm("consultations.add_comment", consultation)
    return Participation(True, may, "" if may else _("Your account cannot comment."))


def _thread_page(
    request: HttpRequest,
    consultation: Consultation,
    article: Article | None,
    page_number: str | None,
) -> Page[Comment]:
    """One page of the top-level comments on the whole draft (article None) or on a unit,
    with their replies, and what the reader may do with each: a fixed number of queries."""
    top = Comment.objects.filter(consultation=consultation, article=article, parent=None)
    page = Paginator(top.order_by("created_at", "pk"), COMMENTS_PAGE_SIZE).get_page(page_number)
    comments = list(page.object_list)
    _decorate(request, consultation, comments, with_replies=True)
    page.object_list = comments
    return page


# An id no comment or organisation has, replaced in one reversed address by each row's own:
# a reverse per link of each comment cost a fifth of a consultation's page.
_PLACEHOLDER = 987654321
_ANCHOR_PLACEHOLDER = "unit-anchor-placeholder"


def _pattern(name: str, *args: Any) -> str:
    return reverse(name, args=[*args, _PLACEHOLDER])


def _filled(pattern: str, value: Any) -> str:
    return pattern.replace(str(_PLACEHOLDER), str(value))


class _CommentLinks:
    """What comment.html shows of a comment written out once per page, not by the template
    for each comment: its addresses, its time, and its counts in words."""

    def __init__(self, consultation: Consultation) -> None:
        pk = consultation.pk
        self.comment = _pattern("consultations:comment", pk)
        self.support = _pattern("consultations:comment-support", pk)
        self.edit = _pattern("consultations:comment-edit", pk)
        self.report = _pattern("consultations:comment-report", pk)
        self.organisation = _pattern("organisations:detail")
        self.network = _pattern("organisations:network")
        self.counts: dict[tuple[str, int], SafeString] = {}

    def counted(self, text: str, n: int) -> SafeString:
        """`_counted` once per text and number on the page (most are 0 or 1)."""
        key = (text, n)
        if key not in self.counts:
            self.counts[key] = _counted(text, n)
        return self.counts[key]

    def attach(self, c: Comment) -> None:
        c.url = _filled(self.comment, c.pk)  # type: ignore[attr-defined]
        c.support_url = _filled(self.support, c.pk)  # type: ignore[attr-defined]
        c.edit_url = _filled(self.edit, c.pk)  # type: ignore[attr-defined]
        c.report_url = _filled(self.report, c.pk)  # type: ignore[attr-defined]
        author_url = ""
        if c.organisation_id:
            author_url = _filled(self.organisation, c.organisation_id)
        elif c.network_id:
            author_url = _filled(self.network, c.network_id)
        c.author_url = author_url  # type: ignore[attr-defined]
        written = timezone.localtime(c.created_at)
        c.written_iso = written.isoformat()  # type: ignore[attr-defined]
        c.written_text = f"{written:%d.%m.%Y %H:%M}"  # type: ignore[attr-defined]
        supports = c.supports_count
        c.supporters_text = self.counted(  # type: ignore[attr-defined]
            ngettext("%(n)s supporter", "%(n)s supporters", supports), supports
        )
        replies = len(getattr(c, "thread", ()))
        c.replies_text = self.counted(  # type: ignore[attr-defined]
            ngettext("%(n)s reply", "%(n)s replies", replies), replies
        )


def _counted(text: str, n: int) -> SafeString:
    """A count in words as {% blocktranslate count n=... %} writes it: the number localized
    and escaped, the translation as it is."""
    return mark_safe(text % {"n": conditional_escape(localize(n))})  # noqa: S308


def _decorate(
    request: HttpRequest,
    consultation: Consultation,
    comments: list[Comment],
    *,
    with_replies: bool,
) -> None:
    """Attach replies and the reader's possible actions to each comment (two queries at most,
    however many comments)."""
    user = request.user
    everything = list(comments)
    if with_replies and comments:
        replies: dict[int, list[Comment]] = {}
        for reply in Comment.objects.filter(parent__in=[c.pk for c in comments]).order_by(
            "created_at", "pk"
        ):
            replies.setdefault(reply.parent_id, []).append(reply)  # type: ignore[arg-type]
            everything.append(reply)
        for c in comments:
            c.thread = replies.get(c.pk, [])  # type: ignore[attr-defined]
    accepting = workflows.accepts_comments(consultation)
    may_comment = accepting and user.has_perm("consultations.add_comment", consultation)
    supported: set[int] = set()
    if may_comment and everything:
        supported = set(
            Support.objects.filter(
                user_id=cast(int, user.pk), comment__in=[c.pk for c in everything if c.is_proposal]
            ).values_list("comment_id", flat=True)
        )
    moderator = user.has_perm("consultations.moderate_comment", consultation)
    now = timezone.now()
    links = _CommentLinks(consultation)
    for c in everything:
        c.consultation = consultation  # no query per comment for its consultation
        links.attach(c)
        own = user.is_authenticated and c.author_id == user.pk
        c.can_edit = bool(  # type: ignore[attr-defined]
            own and may_comment and not c.hidden_at and now <= workflows.editable_until(c)
        )
        c.supported = c.pk in supported  # type: ignore[attr-defined]
        c.can_support = bool(  # type: ignore[attr-defined]
            may_comment
            and c.is_proposal
            and c.parent_id is None
            and not own
            and not c.hidden_at
            and c.pk not in supported
        )
        c.show_text = not c.hidden_at or moderator  # type: ignore[attr-defined]


def _article_url(consultation: Consultation, anchor: str) -> str:
    return reverse("consultations:unit", args=[consultation.pk, anchor])


def _redirect_to_comment(comment: Comment) -> HttpResponse:
    return redirect(reverse("consultations:comment", args=[comment.consultation_id, comment.pk]))


def _post_comment(
    request: HttpRequest,
    consultation: Consultation,
    form: CommentForm,
    *,
    article: Article | None = None,
    parent: Comment | None = None,
) -> HttpResponse | None:
    """Save a posted comment; the response on success, None to show the form again."""
    if form.is_spam():
        # Say nothing precise to a bot; a person never sees the field.
        form.add_error(None, _("The comment could not be accepted."))
        return None
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        comment = workflows.add_comment(
            consultation,
            request.user,  # type: ignore[arg-type]
            text=data["text"],
            article=article,
            parent=parent,
            shown_as=data.get("shown_as") or "",
            is_proposal=bool(data.get("is_proposal")),
            proposed_wording=data.get("proposed_wording") or "",
            **form.speaker(),
        )
    except workflows.CommentError as error:
        form.add_error(None, str(error))
        return None
    until = workflows.editable_until(comment).astimezone(SOFIA)
    messages.success(
        request,
        _(
            "Your comment has been published. You can edit it until %(time)s; after that it is "
            "part of the record of the consultation."
        )
        % {"time": until.strftime("%H:%M")},
    )
    return _redirect_to_comment(comment)


# --- the list --------------------------------------------------------------------------------


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    # ListSelect: 265 municipalities through Django's option template cost most of the page.
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False, widget=ListSelect)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, widget=ListSelect)
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False, widget=ListSelect)
    municipality = forms.ChoiceField(
        label=gettext_lazy("Municipality"), required=False, widget=ListSelect
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False, widget=ListSelect)
    source = forms.ChoiceField(
        label=gettext_lazy("Held on"),
        required=False,
        choices=[("", gettext_lazy("everywhere")), *Source.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        cast(forms.ChoiceField, self.fields["state"]).choices = everything + [
            (s.value, s.label) for s in State if s.value in PUBLIC_STATES
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = everything + list(Kind.choices)
        cast(forms.ChoiceField, self.fields["province"]).choices = everything + [
            (p.code, p.name)
            for p in Province.objects.order_by("name_bg").only("code", "name_bg", "name_en")
        ]
        cast(forms.ChoiceField, self.fields["municipality"]).choices = everything + [
            (m.code, m.name)
            for m in Municipality.objects.order_by("name_bg", "code").only(
                "code", "name_bg", "name_en"
            )
        ]
        cast(forms.ChoiceField, self.fields["topic"]).choices = everything + [
            (t.slug, t.name) for t in Topic.objects.all()
        ]


def _listed(filters: dict[str, Any]) -> QuerySet[Consultation]:
    qs = Consultation.objects.public()
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("province"):
        code = filters["province"]
        qs = qs.filter(
            Q(institution__province_id=code) | Q(institution__municipality__province_id=code)
        )
    if filters.get("municipality"):
        qs = qs.filter(institution__municipality_id=filters["municipality"])
    if filters.get("topic"):
        through = Consultation.topics.through.objects.filter(topic__slug=filters["topic"])
        qs = qs.filter(pk__in=through.values("consultation_id"))
    if filters.get("q"):
        ids = (
            search_index.matching(filters["q"], kind=SEARCH_KIND)
            .order_by()
            .annotate(cid=Cast("object_id", IntegerField()))
            .values("cid")
        )
        qs = qs.filter(pk__in=ids)
    return qs


class OpenFirst:
    """The list's order: open consultations first, the soonest to close at the top; then the
    others, latest closed first. Two queries, each walked in an index of its order, instead of
    one order over a computed rank, which sorts every public consultation (43,000 with the
    strategy.bg history: 200 ms on SQLite). Paginator needs only `count` and slices."""

    def __init__(self, qs: QuerySet[Consultation]) -> None:
        self.open = qs.filter(state=State.OPEN).order_by("closes_on", "pk")
        self.rest = qs.exclude(state=State.OPEN).order_by(
            F("closes_on").desc(nulls_last=True), "-pk"
        )
        self._open_count: int | None = None

    @property
    def open_count(self) -> int:
        if self._open_count is None:
            self._open_count = self.open.count()
        return self._open_count

    def count(self) -> int:
        return self.open_count + self.rest.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Consultation]:
        start = window.start or 0
        stop = window.stop if window.stop is not None else self.count()
        found: list[Consultation] = []
        if start < self.open_count:
            found += list(self.open[start : min(stop, self.open_count)])
        if stop > self.open_count:
            found += list(self.rest[max(0, start - self.open_count) : stop - self.open_count])
        return found


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = (
        _listed(filters)
        .select_related("institution")
        .only(
            "pk",
            "title",
            "kind",
            "state",
            "opens_at",
            "closes_on",
            "comments_count",
            "institution__id",
            "institution__name_bg",
            "institution__name_en",
        )
    )
    # Paginator takes any sequence with count() and slices (its stubs say a QuerySet or list).
    ordered = cast(Any, OpenFirst(rows))
    page: Page[Consultation] = Paginator(ordered, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    day = today()
    for c in page.object_list:
        c.status = status_label(c.state, c.closes_on, day)  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/public/index.html",
        {
            "form": form,
            "page_obj": page,
            "consultations": page.object_list,
            "breadcrumbs": [(_("Public consultations"), "")],
            "filtered": any(filters.values()) if filters else False,
            "may_import": request.user.has_perm("consultations.import_history"),
        },
    )


# --- a consultation --------------------------------------------------------------------------


@write_limit
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    form = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = _comment_form(request, consultation)
        if form is None:
            messages.error(request, _participation(request, consultation).message)
            return redirect(consultation)
        done = _post_comment(request, consultation, form)
        if done is not None:
            return done
    else:
        form = _comment_form(request, consultation)
    version = _current_version(consultation)
    units = _marked(list(version.articles.order_by("index")), consultation) if version else []
    toc = [u for u in units if u.kind in TOC_KINDS]
    page = _thread_page(request, consultation, None, request.GET.get("page"))
    day = today()
    imported = None
    if consultation.is_imported:
        imported = Paginator(
            consultation.imported_comments.filter(state=ImportedCommentState.APPROVED),
            IMPORTED_COMMENTS_PAGE,
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/public/detail.html",
        {
            "consultation": consultation,
            "status": status_label(consultation.state, consultation.closes_on, day),
            "days_left": (consultation.closes_on - day).days
            if consultation.closes_on and consultation.is_open
            else None,
            "opens_on": consultation.opens_at.astimezone(SOFIA).date()
            if consultation.opens_at
            else None,
            "topics": list(consultation.topics.all()),
            "attachments": list(consultation.attachments.all()),
            "hearings": list(consultation.hearings.all()),
            "version": version,
            "units": units,
            "toc": toc,
            "draft": _draft(consultation, units, toc) if version else "",
            "page_obj": imported or page,
            "comments": page.object_list,
            "imported_comments": imported.object_list if imported else None,
            "audit_rule": rule_for(consultation.kind, consultation.opened_on),
            "form": form,
            "participation": _participation(request, consultation),
            "not_published": not consultation.is_public,
            "is_moderator": request.user.has_perm("consultations.moderate_comment", consultation),
            "can_manage": request.user.has_perm("consultations.manage_consultation", consultation),
            "breadcrumbs": _crumbs(None, (consultation.title, "")),
        },
    )


@write_limit
@require_http_methods(["GET", "HEAD", "POST"])
def unit(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    consultation = _consultation(request, pk)
    version = _current_version(consultation)
    if version is None:
        raise Http404
    article = get_object_or_404(
        Article.objects.select_related("version"), version=version, anchor=anchor, commentable=True
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = _comment_form(request, consultation)
        if form is None:
            messages.error(request, _participation(request, consultation).message)
            return redirect(_article_url(consultation, anchor))
        done = _post_comment(request, consultation, form, article=article)
        if done is not None:
            return done
    else:
        form = _comment_form(request, consultation)
    # The unit with what it contains (an article's paragraphs and points), in order.
    parts = _marked([article, *_descendants(version, article)], consultation)
    page = _thread_page(request, consultation, article, request.GET.get("page"))
    return render(
        request,
        "consultations/public/unit.html",
        {
            "consultation": consultation,
            "article": article,
            "parts": parts,
            "page_obj": page,
            "comments": page.object_list,
            "form": form,
            "participation": _participation(request, consultation),
            "not_published": not consultation.is_public,
            "is_moderator": request.user.has_perm("consultations.moderate_comment", consultation),
            "breadcrumbs": _crumbs(consultation, (article.label, "")),
        },
    )


# The draft's text (its contents and every unit: dozens to hundreds) is the same for everyone
# until a unit or its count of comments changes: rendered once and kept under a key made of
# everything it shows.
DRAFT_CACHE_SECONDS = 600


def _draft(consultation: Consultation, units: list[Article], toc: list[Article]) -> SafeString:
    """The draft's contents and text (includes/draft.html), kept in the cache under the hash
    of what they show: the units as loaded (their texts and counts of comments), the
    consultation (its links) and the language. A changed unit or a new comment on one is
    another key, so nothing is ever shown stale."""
    shown = [
        [u.pk, u.kind, u.number, u.label, u.anchor, u.title, u.text, u.depth, u.commentable,
         u.comments_count]
        for u in units
    ]  # fmt: skip
    spec = json.dumps([consultation.pk, get_language(), shown], ensure_ascii=False)
    key = "consultations:draft:" + hashlib.sha256(spec.encode()).hexdigest()[:40]
    html: str | None = cache.get(key)
    if html is None:
        context = {"consultation": consultation, "units": units, "toc": toc}
        html = render_to_string("consultations/includes/draft.html", context)
        cache.set(key, html, DRAFT_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the template above, autoescaped


def _marked(units: list[Article], consultation: Consultation) -> list[Article]:
    """Mark the headings, and write out the link of each commentable unit to its page with
    its count of comments once here rather than in unit.html for each of them."""
    pattern = ""
    for u in units:
        u.is_heading = u.kind in HEADING_KINDS  # type: ignore[attr-defined]
        if u.commentable:
            if not pattern:
                pattern = reverse("consultations:unit", args=[consultation.pk, _ANCHOR_PLACEHOLDER])
            u.url = pattern.replace(_ANCHOR_PLACEHOLDER, u.anchor)  # type: ignore[attr-defined]
            u.comment_on_text = mark_safe(  # type: ignore[attr-defined]  # noqa: S308
                _("Comment on %(label)s") % {"label": conditional_escape(u.label)}
            )
            u.comments_text = _counted(  # type: ignore[attr-defined]
                ngettext("%(n)s comment", "%(n)s comments", u.comments_count), u.comments_count
            )
    return units


def _descendants(version: DraftVersion, article: Article) -> list[Article]:
    """The units inside `article`: those after it in document order, deeper than it, up to
    the next unit at its depth or above (one query)."""
    following = version.articles.filter(index__gt=article.index).order_by("index")
    nxt = following.filter(depth__lte=article.depth).values_list("index", flat=True).first()
    if nxt is not None:
        following = following.filter(index__lt=nxt)
    return list(following)


# --- a comment -------------------------------------------------------------------------------


def _comment(request: HttpRequest, pk: int, comment_pk: int) -> tuple[Consultation, Comment]:
    consultation = _consultation(request, pk)
    comment = get_object_or_404(
        Comment.objects.select_related("article"),
        pk=_pk(comment_pk),
        consultation=consultation,
    )
    return consultation, comment


@write_limit
@require_http_methods(["GET", "HEAD", "POST"])
def comment_detail(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """A comment with its replies, the reply form, and for moderators its reports, the
    moderation form and the history of moderation."""
    consultation, comment = _comment(request, pk, comment_pk)
    thread_root = comment if comment.parent_id is None else comment.parent
    if thread_root is None:  # cannot be: replies are deleted with their parent (CASCADE)
        raise Http404
    form = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = _comment_form(request, consultation, allow_proposal=False)
        if form is None:
            messages.error(request, _participation(request, consultation).message)
            return redirect(request.path)
        done = _post_comment(request, consultation, form, parent=thread_root)
        if done is not None:
            return done
    else:
        form = _comment_form(request, consultation, allow_proposal=False)
    if thread_root is not comment:
        thread_root = Comment.objects.select_related("article").get(pk=thread_root.pk)
    _decorate(request, consultation, [thread_root], with_replies=True)
    moderator = request.user.has_perm("consultations.moderate_comment", consultation)
    return render(
        request,
        "consultations/public/comment.html",
        {
            "consultation": consultation,
            "comment": comment,
            "thread_root": thread_root,
            "form": form,
            "participation": _participation(request, consultation),
            "is_moderator": moderator,
            "flags": list(comment.flags.order_by("-created_at", "-pk")) if moderator else [],
            "history": list(comment.moderation.select_related("moderator")) if moderator else [],
            "moderation_form": ModerationForm() if moderator else None,
            "breadcrumbs": _crumbs(
                consultation,
                *(
                    [
                        (
                            thread_root.article.label,
                            _article_url(consultation, thread_root.article.anchor),
                        )
                    ]
                    if thread_root.article
                    else []
                ),
                (_("Comment by %(name)s") % {"name": comment.display_name}, ""),
            ),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    consultation, comment = _comment(request, pk, comment_pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    allow_proposal = comment.parent_id is None
    if not workflows.can_edit(comment, request.user):
        messages.error(
            request,
            workflows.closed_message(consultation)
            if not workflows.accepts_comments(consultation)
            else _(
                "A comment can be edited for 15 minutes after it is written; after that it is "
                "part of the record."
            ),
        )
        return _redirect_to_comment(comment)
    initial = {
        "text": comment.text,
        "is_proposal": comment.is_proposal,
        "proposed_wording": comment.proposed_wording,
    }
    form = EditCommentForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        allow_proposal=allow_proposal,
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflows.edit_comment(
                comment,
                request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                is_proposal=form.cleaned_data.get("is_proposal") if allow_proposal else None,
                proposed_wording=form.cleaned_data.get("proposed_wording") or "",
            )
        except workflows.CommentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your comment has been corrected."))
            return _redirect_to_comment(comment)
    return render(
        request,
        "consultations/public/comment_edit.html",
        {
            "consultation": consultation,
            "comment": comment,
            "form": form,
            "until": workflows.editable_until(comment).astimezone(SOFIA),
            "breadcrumbs": _crumbs(consultation, (_("Edit your comment"), "")),
        },
    )


@login_required
@write_limit
@require_POST
def comment_support(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    _consultation_row, comment = _comment(request, pk, comment_pk)
    try:
        workflows.support(comment, request.user)  # type: ignore[arg-type]
    except workflows.CommentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You support this proposal."))
    return _redirect_to_comment(comment)


@login_required
@flag_limit
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    consultation, comment = _comment(request, pk, comment_pk)
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workflows.flag(comment, request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
        except workflows.CommentError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, _("Thank you. The moderators will look at the comment."))
            return _redirect_to_comment(comment)
    return render(
        request,
        "consultations/public/comment_report.html",
        {
            "consultation": consultation,
            "comment": comment,
            "form": form,
            "breadcrumbs": _crumbs(consultation, (_("Report a comment"), "")),
        },
    )


@login_required
@write_limit
@require_POST
def comment_moderate(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    consultation, comment = _comment(request, pk, comment_pk)
    if not request.user.has_perm("consultations.moderate_comment", consultation):
        raise PermissionDenied
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            workflows.moderate(
                comment,
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["action"],
                form.cleaned_data.get("reason") or "",
            )
        except workflows.CommentError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Done: %(action)s.")
                % {"action": ModerationAction(form.cleaned_data["action"]).label},
            )
            return _redirect_to_comment(comment)
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return _redirect_to_comment(comment)


# --- the moderators' queue -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("consultations.moderate_comment", None):
        raise PermissionDenied
    waiting = (
        Comment.objects.filter(flags__handled_at__isnull=True)
        .annotate(open_flags=Count("flags", filter=Q(flags__handled_at__isnull=True)))
        .select_related("consultation", "article")
        .only(
            "pk",
            "display_name",
            "text",
            "created_at",
            "hidden_at",
            "hidden_reason",
            "consultation__id",
            "consultation__title",
            "article__id",
            "article__label",
        )
        .order_by("-open_flags", "created_at", "pk")
    )
    page = Paginator(waiting, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    reasons: dict[int, list[str]] = {}
    if page.object_list:
        for comment_id, reason in CommentFlag.objects.filter(
            comment__in=[c.pk for c in page.object_list], handled_at__isnull=True
        ).values_list("comment_id", "reason"):
            reasons.setdefault(comment_id, []).append(reason)
    for c in page.object_list:
        c.reasons = reasons.get(c.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/public/moderation.html",
        {
            "page_obj": page,
            "comments": page.object_list,
            "recent": ModerationLog.objects.select_related("moderator", "comment").order_by(
                "-at", "-pk"
            )[:10],
            "breadcrumbs": _crumbs(None, (_("Moderation of comments"), "")),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("moderation/", moderation_queue, name="moderation"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/units/<slug:anchor>/", unit, name="unit"),
    path("<int:pk>/comments/<int:comment_pk>/", comment_detail, name="comment"),
    path("<int:pk>/comments/<int:comment_pk>/edit/", comment_edit, name="comment-edit"),
    path("<int:pk>/comments/<int:comment_pk>/support/", comment_support, name="comment-support"),
    path("<int:pk>/comments/<int:comment_pk>/report/", comment_report, name="comment-report"),
    path("<int:pk>/comments/<int:comment_pk>/moderate/", comment_moderate, name="comment-moderate"),
]
