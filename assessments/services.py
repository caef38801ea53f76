"""The workflows of assessments: a campaign's states with their history, responses saved and
submitted (with their scores, and the links cut in a fully anonymous campaign), and the
recommendations the coordinator's rules make from the results.

Each function that writes does so in one transaction and locks the row it changes, so two
people acting at once never half-write or overwrite each other unseen.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.enums import CAMPAIGN_TRANSITIONS, CampaignState, RespondentType, ResponseState
from assessments.models import (
    Campaign,
    CampaignChange,
    Invitation,
    Questionnaire,
    Recommendation,
    RecommendationRule,
    Response,
)
from assessments.results import compute
from assessments.scoring import OVERALL, score
from assessments.selectors import structure_of
from core.email import enqueue_many, render_email
from core.legal_calendar import SOFIA
from directory.enums import MUNICIPAL_ADMINISTRATION, MUNICIPAL_COUNCIL
from directory.models import Institution


class AssessmentError(Exception):
    """A change that cannot be made, with the reason to show the person."""


class StaleRevision(AssessmentError):
    """Someone (or the same person in another tab) saved the answers since this page."""


def today() -> date:
    return timezone.now().astimezone(SOFIA).date()


def bump_results(campaign: Campaign) -> None:
    """The cached results and pages of the campaign are out of date."""
    Campaign.objects.filter(pk=campaign.pk).update(results_version=F("results_version") + 1)
    campaign.refresh_from_db(fields=["results_version"])


# --- Campaign states ---------------------------------------------------------------------------


def transition(campaign: Campaign, to: str, by: Any = None, note: str = "") -> Campaign:
    """Move the campaign to another state, with a history row."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = locked.state
        if to not in CAMPAIGN_TRANSITIONS.get(before, frozenset()):
            raise AssessmentError(_("This step is not possible in the campaign's current state."))
        if to == CampaignState.OPEN:
            if not locked.questionnaires.exists():
                raise AssessmentError(_("Choose at least one questionnaire first."))
            if locked.closes_on < today():
                raise AssessmentError(
                    _("The period has ended: move its closing date before opening it again.")
                )
        locked.state = to
        if to == CampaignState.PUBLISHED:
            locked.published_at = timezone.now()
        elif before == CampaignState.PUBLISHED:
            locked.published_at = None
        locked.results_version += 1
        locked.save(update_fields=["state", "published_at", "results_version", "updated_at"])
        CampaignChange.objects.create(
            campaign=locked,
            from_state=before,
            to_state=to,
            by=by if getattr(by, "is_authenticated", False) else None,
            note=note[:500],
        )
    campaign.refresh_from_db()
    return campaign


def questionnaire_for(campaign: Campaign, respondent_type: str) -> Questionnaire | None:
    return campaign.questionnaires.filter(respondent_type=respondent_type).first()


# --- Responses -----------------------------------------------------------------------------------


def respondent_key(campaign: Campaign, user: Any) -> str:
    """A keyed hash of (campaign, account): finds the account's open-link response and stops a
    second one, without naming the account."""
    message = f"assessments:{campaign.pk}:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def open_link_response(campaign: Campaign, user: Any) -> Response | None:
    """The account's response through the open link: a draft under its key, or a submitted
    one under its key or (fully anonymous) the key hashed once more."""
    key = respondent_key(campaign, user)
    return (
        Response.objects.filter(campaign=campaign, respondent_key__in=[key, _anonymous_key(key)])
        .order_by("pk")
        .first()
    )


def check_accepting(campaign: Campaign) -> None:
    if not campaign.is_open_for_answers:
        raise AssessmentError(
            _("This assessment does not accept answers now (it was open %(start)s – %(end)s).")
            % {"start": f"{campaign.opens_on:%d.%m.%Y}", "end": f"{campaign.closes_on:%d.%m.%Y}"}
        )


def response_for_invitation(invitation: Invitation) -> Response:
    """The invitation's response, started on first use."""
    campaign = invitation.campaign
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.submitted_at is not None:
            raise AssessmentError(_("The answers of this invitation have already been submitted."))
        found = Response.objects.filter(invitation=locked).first()
        if found is not None:
            return found
        check_accepting(campaign)
        questionnaire = questionnaire_for(campaign, locked.respondent_type)
        if questionnaire is None:
            raise AssessmentError(_("This assessment has no questionnaire for you."))
        locked.started_at = timezone.now()
        locked.save(update_fields=["started_at", "updated_at"])
        response = Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            respondent_type=locked.respondent_type,
            invitation=locked,
            institution=locked.institution,
            organisation=locked.organisation,
            municipality=locked.municipality,
            is_demo=campaign.is_demo,
        )
    return response


def response_for_open_link(
    campaign: Campaign, user: Any, respondent_type: str, municipality: Any
) -> Response:
    """The account's response through the open link, started on first use; one per account."""
    key = respondent_key(campaign, user)
    with transaction.atomic():
        # Lock the campaign so two tabs cannot start two responses for one account.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        found = open_link_response(campaign, user)
        if found is not None:
            if found.state == ResponseState.SUBMITTED:
                raise AssessmentError(_("You have already submitted your answers."))
            return found
        check_accepting(campaign)
        if respondent_type not in RespondentType.values:
            raise AssessmentError(_("Choose who you answer as."))
        questionnaire = questionnaire_for(campaign, respondent_type)
        if questionnaire is None:
            raise AssessmentError(_("This assessment has no questionnaire for you."))
        return Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            respondent_type=respondent_type,
            user=user,
            municipality=municipality,
            respondent_key=key,
            is_demo=campaign.is_demo,
        )


def save_answers(response: Response, answers: dict[str, Any], revision: int) -> Response:
    """Store the answers given so far (all of them: the page merged its section's over the
    stored ones); refused when the page was older than the stored answers."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.state != ResponseState.DRAFT:
            raise AssessmentError(_("These answers have already been submitted."))
        if locked.revision != revision:
            raise StaleRevision(
                _(
                    "These answers were saved elsewhere (another tab or device) after this "
                    "page was opened. The page now shows what is stored: check it and go on."
                )
            )
        check_accepting(locked.campaign)
        locked.answers = answers
        locked.revision += 1
        locked.save(update_fields=["answers", "revision", "updated_at"])
    return locked


def record_submission(response: Response, on: date | None = None) -> Response:
    """Score and submit the response (no period check: the caller made it). In a fully
    anonymous campaign, cut every link to who answered and keep only the date."""
    structure = structure_of(response.questionnaire)
    response.scores = score(structure, response.answers)
    response.state = ResponseState.SUBMITTED
    response.submitted_on = on or today()
    campaign = response.campaign
    invitation_id = response.invitation_id
    if campaign.is_fully_anonymous:
        response.invitation = None
        response.user = None
        response.institution = None
        response.organisation = None
        response.respondent_key = _anonymous_key(response.respondent_key)
    response.save()
    if invitation_id is not None:
        # A submission recorded for a past day (the demo's rounds) is stamped on that day.
        at = timezone.now() if on is None else datetime.combine(on, time(12), tzinfo=SOFIA)
        Invitation.objects.filter(pk=invitation_id).update(submitted_at=at)
    return response


def _anonymous_key(key: str) -> str:
    # The key still blocks a second open-link submission; hashed once more it no longer
    # matches the draft-time key a log or backup could pair with the account.
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def submit(response: Response, revision: int) -> Response:
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update()
            .select_related("campaign", "questionnaire")
            .get(pk=response.pk)
        )
        if locked.state != ResponseState.DRAFT:
            raise AssessmentError(_("These answers have already been submitted."))
        if locked.revision != revision:
            raise StaleRevision(
                _(
                    "These answers were saved elsewhere (another tab or device) after this "
                    "page was opened. The page now shows what is stored: check it and submit."
                )
            )
        check_accepting(locked.campaign)
        record_submission(locked)
        bump_results(locked.campaign)
    return locked


# --- Recommendations -------------------------------------------------------------------------


def decimal_comma(value: float) -> str:
    """One decimal, with the comma Bulgarian writes (the reason is stored text)."""
    return f"{value:.1f}".replace(".", ",")


def generate_recommendations(campaign: Campaign) -> int:
    """Apply the campaign's rules to each municipality's indices: the rule-made
    recommendations that the coordinator has not edited are replaced; edited ones stay. The
    number of recommendations made."""
    # The reasons are stored text of a Bulgarian report, whoever's language made them.
    with translation.override("bg"):
        return _generate(campaign)


def _generate(campaign: Campaign) -> int:
    results = compute(campaign)
    rules = list(RecommendationRule.objects.filter(campaign=campaign).select_related("dimension"))
    with transaction.atomic():
        kept = set(
            Recommendation.objects.filter(campaign=campaign, edited=True)
            .exclude(rule=None)
            .values_list("rule_id", "municipality_id")
        )
        Recommendation.objects.filter(campaign=campaign, edited=False).exclude(rule=None).delete()
        made = []
        for rule in rules:
            slug = rule.dimension.slug if rule.dimension else OVERALL
            label = rule.dimension.name if rule.dimension else _("Overall index")
            kind = rule.respondent_type or None
            for code, group in sorted(results.municipalities(kind).items()):
                value = None if group.hidden else group.values.get(slug)
                if value is None or value >= float(rule.below) or (rule.pk, code) in kept:
                    continue
                who = RespondentType(kind).label if kind else _("all respondents")
                made.append(
                    Recommendation(
                        campaign=campaign,
                        municipality_id=code,
                        rule=rule,
                        reason=f"{label}: {decimal_comma(value)} ({who})",
                        text=rule.text,
                    )
                )
        Recommendation.objects.bulk_create(made)
        bump_results(campaign)
    return len(made)


# --- Invitations -----------------------------------------------------------------------------

# The directory's kind that answers for each respondent type it holds.
DIRECTORY_KINDS: dict[str, str] = {
    RespondentType.ADMINISTRATION: MUNICIPAL_ADMINISTRATION,
    RespondentType.COUNCIL: MUNICIPAL_COUNCIL,
}
REMIND_AFTER_DAYS = 3


def invite(
    campaign: Campaign,
    respondent_type: str,
    emails: list[str],
    municipality: Any = None,
) -> tuple[int, int]:
    """Add invitations for typed addresses; (added, already invited)."""
    with transaction.atomic():
        known = set(
            Invitation.objects.filter(campaign=campaign, email__in=emails).values_list(
                "email", flat=True
            )
        )
        new = [
            Invitation(
                campaign=campaign,
                respondent_type=respondent_type,
                municipality=municipality,
                email=address,
            )
            for address in dict.fromkeys(emails)
            if address not in known
        ]
        Invitation.objects.bulk_create(new)
    return len(new), len(known)


def invite_from_directory(
    campaign: Campaign, respondent_type: str, municipalities: list[Any]
) -> tuple[int, int, list[str]]:
    """Invite the directory's institution of that type in each municipality, at its published
    e-mail; (added, already invited, names of those without an address)."""
    kind = DIRECTORY_KINDS.get(respondent_type)
    if kind is None:
        raise AssessmentError(
            _("The directory holds institutions only: invite organisations by their addresses.")
        )
    institutions = list(
        Institution.objects.filter(kind__slug=kind, municipality__in=municipalities).order_by(
            "municipality_id"
        )
    )
    without = [i.name for i in institutions if not (i.cs_contact_email or i.email)]
    with transaction.atomic():
        known = set(Invitation.objects.filter(campaign=campaign).values_list("email", flat=True))
        new = []
        for institution in institutions:
            address = (institution.cs_contact_email or institution.email).lower()
            if not address or address in known:
                continue
            known.add(address)
            new.append(
                Invitation(
                    campaign=campaign,
                    respondent_type=respondent_type,
                    institution=institution,
                    municipality_id=institution.municipality_id,
                    email=address,
                )
            )
        Invitation.objects.bulk_create(new)
    return len(new), len(institutions) - len(new) - len(without), without


def _locked_invitations(campaign: Campaign) -> QuerySet[Invitation]:
    # Only the invitations' rows are locked, in the order of their keys: the default ordering
    # joins the (nullable) municipality, which PostgreSQL cannot lock.
    return (
        Invitation.objects.select_for_update(of=("self",)).filter(campaign=campaign).order_by("pk")
    )


def _invitation_messages(
    campaign: Campaign, invitations: list[Invitation], template: str
) -> list[dict[str, Any]]:
    return [
        render_email(
            invitation.email,
            None,
            f"assessments/email/{template}",
            {
                "campaign": campaign,
                "url": settings.SITE_URL + invitation.get_answer_url(),
            },
        )
        for invitation in invitations
    ]


def send_invitations(campaign: Campaign) -> int:
    """E-mail every invitation not yet sent (the campaign must be open)."""
    if campaign.state != CampaignState.OPEN:
        raise AssessmentError(_("Invitations are sent once the campaign is open."))
    with transaction.atomic():
        pending = list(_locked_invitations(campaign).filter(sent_at=None))
        enqueue_many(_invitation_messages(campaign, pending, "invitation"))
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(sent_at=timezone.now())
    return len(pending)


def send_reminders(campaign: Campaign) -> int:
    """Remind those invited who have not submitted, at most once every few days."""
    if campaign.state != CampaignState.OPEN:
        raise AssessmentError(_("Reminders are sent while the campaign is open."))
    now = timezone.now()
    recent = now - timedelta(days=REMIND_AFTER_DAYS)
    with transaction.atomic():
        due = list(
            _locked_invitations(campaign)
            .filter(submitted_at=None, sent_at__lt=recent)
            .filter(Q(reminded_at=None) | Q(reminded_at__lt=recent))
        )
        enqueue_many(_invitation_messages(campaign, due, "reminder"))
        Invitation.objects.filter(pk__in=[i.pk for i in due]).update(
            reminded_at=now, reminders=F("reminders") + 1
        )
    return len(due)
