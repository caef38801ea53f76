"""Taking part in a consultation: commenting, replying, supporting a proposal, editing within
the first minutes, reporting a comment, and moderating it.

Each workflow runs in one transaction with the consultation's row locked, checks again what the
view checked (the period may have ended since the form was shown), and keeps the stored counts
(Consultation.comments_count / proposals_count / participants_count, Article.comments_count,
Comment.supports_count) right with F() updates, so that no page ever counts rows.

Counting rules: every comment and reply counts as a comment; a proposal is a top-level comment
with a new wording; participants are the distinct people who wrote at least one comment or reply
(a person speaking for an organisation is still one participant). Hiding a comment changes no
count: its text stays in the record (and in the report's annex).

Errors a person can cause raise `CommentError` with a message for them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.enums import ModerationAction, ShownAs, State
from consultations.models import (
    MAX_COMMENT_LENGTH,
    Article,
    Comment,
    CommentFlag,
    Consultation,
    ModerationLog,
    Support,
)
from core.ratelimit import hit
from organisations.models import Network, Organisation
from organisations.selectors import represented_ids

# A comment may be corrected this long after it is written; then it is part of the record.
EDIT_WINDOW = datetime.timedelta(minutes=15)

# Comments a person may write in an hour, and the stricter number for accounts younger than a
# day (most spam comes from accounts made for it).
COMMENTS_PER_HOUR = 10
NEW_ACCOUNT_COMMENTS_PER_HOUR = 3
NEW_ACCOUNT_AGE = datetime.timedelta(days=1)
FLAGS_PER_HOUR = 20


class CommentError(Exception):
    """Something a person asked that the rules do not allow; the message is for them."""


# --- who is speaking -------------------------------------------------------------------------


def initials(user: User) -> str:
    """ "И. П." for Иван Петров (§7.2: a person may be shown by initials only)."""
    parts = [p for p in (user.first_name, user.last_name) if p.strip()]
    if not parts:
        return str(_("Participant"))
    return " ".join(f"{p.strip()[0].upper()}." for p in parts)


def person_name(user: User, shown_as: str) -> str:
    if shown_as == ShownAs.INITIALS:
        return initials(user)
    return user.get_full_name().strip() or user.public_name


def coordinated_networks(user: Any) -> list[Network]:
    """The networks whose coordinating organisation `user` represents (they publish the
    network's joint position)."""
    ids = represented_ids(user)
    if not ids:
        return []
    return list(Network.objects.filter(coordinator_id__in=ids).order_by("name", "pk"))


def represented_organisations(user: Any) -> list[Organisation]:
    ids = represented_ids(user)
    if not ids:
        return []
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


# --- when ------------------------------------------------------------------------------------


def accepts_comments(consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    """Open, and its last day (until 23:59:59 Sofia time) not yet over — the platform closes
    it a few minutes later, but the law's deadline is the end of the day."""
    if consultation.state != State.OPEN or consultation.is_imported:
        return False
    closes_at = consultation.closes_at
    return closes_at is None or (now or timezone.now()) <= closes_at


def editable_until(comment: Comment) -> datetime.datetime:
    return comment.created_at + EDIT_WINDOW


def can_edit(comment: Comment, user: Any, now: datetime.datetime | None = None) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and comment.author_id == user.pk
        and comment.hidden_at is None
        and (now or timezone.now()) <= editable_until(comment)
        and accepts_comments(comment.consultation, now)
    )


def can_support(comment: Comment, user: Any) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and comment.is_proposal
        and comment.parent_id is None
        and comment.hidden_at is None
        and comment.author_id != user.pk
        and user.has_perm("consultations.add_comment", comment.consultation)
        and accepts_comments(comment.consultation)
    )


# --- writing ---------------------------------------------------------------------------------


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update(of=("self",)).get(pk=consultation.pk)


def _check_open(consultation: Consultation, user: Any, now: datetime.datetime) -> None:
    if not user.has_perm("consultations.add_comment", consultation) or not accepts_comments(
        consultation, now
    ):
        raise CommentError(closed_message(consultation))


def closed_message(consultation: Consultation) -> str:
    """Why nobody can comment now, for the page and for a refused form."""
    if consultation.is_imported:
        return _(
            "This consultation was held on strategy.bg, the national Portal for Public "
            "Consultations; its record is shown here. Comments are made there."
        )
    if consultation.state in (State.DRAFT, State.SCHEDULED):
        return _("The consultation is not open yet: comments can be made once it opens.")
    if consultation.state == State.WITHDRAWN:
        return _("The consultation was withdrawn: comments can no longer be made.")
    if consultation.closes_on:
        return _(
            "The period for comments ended on %(date)s at 23:59. Comments can no longer be "
            "added, changed or supported; those made are part of the record."
        ) % {"date": consultation.closes_on.strftime("%d.%m.%Y")}
    return _("The consultation is not open for comments.")


def _check_rate(user: User, now: datetime.datetime) -> None:
    young = user.date_joined is not None and now - user.date_joined < NEW_ACCOUNT_AGE
    limit = NEW_ACCOUNT_COMMENTS_PER_HOUR if young else COMMENTS_PER_HOUR
    if not hit("consultations-comment", f"user:{user.pk}", limit, 3600):
        raise CommentError(
            _(
                "You have written %(n)d comments in the last hour, the most allowed. "
                "Please try again later."
            )
            % {"n": limit}
        )


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CommentError(_("Write the comment."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise CommentError(
            _("The comment is too long: at most %(max)d characters.") % {"max": MAX_COMMENT_LENGTH}
        )
    return text


@transaction.atomic
def add_comment(
    consultation: Consultation,
    user: User,
    *,
    text: str,
    article: Article | None = None,
    parent: Comment | None = None,
    organisation: Organisation | None = None,
    network: Network | None = None,
    shown_as: str = ShownAs.FULL_NAME,
    is_proposal: bool = False,
    proposed_wording: str = "",
) -> Comment:
    """A new comment (or, with `parent`, a reply) by `user`, as themselves, for an organisation
    they represent, or as the joint position of a network whose coordinator they represent."""
    now = timezone.now()
    row = _locked(consultation)
    _check_open(row, user, now)
    text = _check_text(text)
    if organisation is not None and network is not None:
        raise CommentError(_("Choose one: an organisation or a network."))
    if organisation is not None and organisation.pk not in represented_ids(user):
        raise CommentError(_("You can comment only for an organisation you represent."))
    if network is not None and network.coordinator_id not in represented_ids(user):
        raise CommentError(
            _(
                "Only a representative of the coordinating organisation publishes the "
                "network's joint position."
            )
        )
    if parent is not None:
        if parent.consultation_id != row.pk:
            raise CommentError(_("The comment you reply to is not part of this consultation."))
        # One level of threads: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
        article = parent.article
        is_proposal = False  # replies are discussion, not proposals
    if article is not None and article.version.consultation_id != row.pk:
        raise CommentError(_("The unit is not part of this consultation."))
    wording = (proposed_wording or "").strip() if is_proposal else ""
    if is_proposal and not wording:
        raise CommentError(_("Write the new wording you propose, or untick “proposal”."))
    if len(wording) > MAX_COMMENT_LENGTH:
        raise CommentError(
            _("The proposed wording is too long: at most %(max)d characters.")
            % {"max": MAX_COMMENT_LENGTH}
        )
    _check_rate(user, now)

    if organisation is not None:
        display_name = organisation.display_name
    elif network is not None:
        display_name = network.name
    else:
        display_name = person_name(user, shown_as)
    first_time = not Comment.objects.filter(consultation=row, author=user).exists()
    comment = Comment.objects.create(
        consultation=row,
        article=article,
        parent=parent,
        author=user,
        organisation=organisation,
        network=network,
        shown_as=shown_as if shown_as in ShownAs.values else ShownAs.FULL_NAME,
        display_name=display_name[:300],
        text=text,
        is_proposal=is_proposal,
        proposed_wording=wording,
        created_at=now,
    )
    Consultation.objects.filter(pk=row.pk).update(
        comments_count=F("comments_count") + 1,
        proposals_count=F("proposals_count") + (1 if is_proposal else 0),
        participants_count=F("participants_count") + (1 if first_time else 0),
    )
    if article is not None:
        Article.objects.filter(pk=article.pk).update(comments_count=F("comments_count") + 1)
    return comment


@transaction.atomic
def edit_comment(
    comment: Comment,
    user: User,
    *,
    text: str,
    is_proposal: bool | None = None,
    proposed_wording: str = "",
) -> Comment:
    """Correct one's own comment within EDIT_WINDOW of writing it, while the period runs."""
    now = timezone.now()
    row = _locked(comment.consultation)
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    current.consultation = row
    if current.author_id != user.pk:
        raise CommentError(_("Only the author can edit a comment."))
    _check_open(row, user, now)
    if not can_edit(current, user, now):
        raise CommentError(
            _(
                "A comment can be edited for 15 minutes after it is written; after that it "
                "is part of the record."
            )
        )
    current.text = _check_text(text)
    was_proposal = current.is_proposal
    if current.parent_id is None and is_proposal is not None:
        current.is_proposal = is_proposal
    wording = (proposed_wording or "").strip() if current.is_proposal else ""
    if current.is_proposal and not wording:
        raise CommentError(_("Write the new wording you propose, or untick “proposal”."))
    if len(wording) > MAX_COMMENT_LENGTH:
        raise CommentError(
            _("The proposed wording is too long: at most %(max)d characters.")
            % {"max": MAX_COMMENT_LENGTH}
        )
    current.proposed_wording = wording
    current.edited_at = now
    current.save(update_fields=["text", "is_proposal", "proposed_wording", "edited_at"])
    if was_proposal != current.is_proposal:
        Consultation.objects.filter(pk=row.pk).update(
            proposals_count=F("proposals_count") + (1 if current.is_proposal else -1)
        )
    return current


@transaction.atomic
def support(comment: Comment, user: User) -> Support:
    """`user` supports a proposal (once; not their own)."""
    row = _locked(comment.consultation)
    current = Comment.objects.get(pk=comment.pk)
    current.consultation = row
    _check_open(row, user, timezone.now())
    if not current.is_proposal or current.parent_id is not None or current.hidden_at:
        raise CommentError(_("Only a proposal can be supported."))
    if current.author_id == user.pk:
        raise CommentError(_("You cannot support your own proposal."))
    try:
        with transaction.atomic():
            made = Support.objects.create(comment=current, user=user)
    except IntegrityError:
        raise CommentError(_("You already support this proposal.")) from None
    Comment.objects.filter(pk=current.pk).update(supports_count=F("supports_count") + 1)
    return made


# --- reporting and moderating ----------------------------------------------------------------


def flag(comment: Comment, user: User, reason: str) -> CommentFlag:
    """`user` reports `comment` to the moderators; a second report by the same person while
    the first is unhandled updates its reason instead of adding another."""
    reason = (reason or "").strip()
    if not reason:
        raise CommentError(_("Say why you report the comment."))
    if len(reason) > 2000:
        raise CommentError(_("The reason is too long: at most 2000 characters."))
    with transaction.atomic():
        existing = (
            CommentFlag.objects.select_for_update()
            .filter(comment=comment, reporter=user, handled_at__isnull=True)
            .first()
        )
        if existing is not None:
            existing.reason = reason
            existing.save(update_fields=["reason"])
            return existing
        return CommentFlag.objects.create(comment=comment, reporter=user, reason=reason)


@transaction.atomic
def moderate(comment: Comment, moderator: User, action: str, reason: str = "") -> ModerationLog:
    """Hide (with a public reason), show again, or dismiss the reports of a comment; every
    act is logged and handles the reports waiting on the comment."""
    if not moderator.has_perm("consultations.moderate_comment", comment.consultation):
        raise CommentError(_("Only moderators can do this."))
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    reason = (reason or "").strip()[:500]
    now = timezone.now()
    if action == ModerationAction.HIDE:
        if not reason:
            raise CommentError(
                _("State the reason for hiding: it is shown instead of the comment.")
            )
        current.hidden_at = now
        current.hidden_reason = reason
        current.save(update_fields=["hidden_at", "hidden_reason"])
    elif action == ModerationAction.RESTORE:
        if current.hidden_at is None:
            raise CommentError(_("The comment is not hidden."))
        current.hidden_at = None
        current.hidden_reason = ""
        current.save(update_fields=["hidden_at", "hidden_reason"])
    elif action != ModerationAction.DISMISS:
        raise CommentError(_("Unknown moderation action."))
    CommentFlag.objects.filter(comment=current, handled_at__isnull=True).update(handled_at=now)
    return ModerationLog.objects.create(
        comment=current, moderator=moderator, action=action, reason=reason, at=now
    )
