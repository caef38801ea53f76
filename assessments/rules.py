"""Who may do what with assessments.

- Assessment coordinators (a role) and administrators build questionnaires: a draft is edited
  by any of them; a questionnaire ready for use is read-only and public, changed only through
  a new version.
- A campaign is run by its coordinator and administrators: invitations, reminders, states,
  recommendation rules and the recommendations. Other coordinators may read its progress.
- A campaign's page is public once it opens; its results once they are published.
- Published results are public, as the anonymity setting allows: who answered what is shown
  to the public only in a named campaign, to the campaign's coordinator also in one anonymous
  to the public, and to nobody in a fully anonymous one.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.enums import Role
from accounts.rules import has_role, is_administrator
from assessments.enums import Anonymity, CampaignState, QuestionnaireState

is_coordinator = has_role(Role.ASSESSMENT_COORDINATOR)
coordinates = is_coordinator | is_administrator


@rules.predicate
def questionnaire_is_draft(user: Any, questionnaire: Any) -> bool:
    return questionnaire is not None and questionnaire.state == QuestionnaireState.DRAFT


@rules.predicate
def runs_campaign(user: Any, campaign: Any) -> bool:
    return (
        campaign is not None
        and getattr(user, "is_authenticated", False)
        and campaign.coordinator_id == user.pk
        and bool(is_coordinator(user))
    )


@rules.predicate
def campaign_is_draft(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.state == CampaignState.DRAFT


@rules.predicate
def campaign_is_published(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.state == CampaignState.PUBLISHED


@rules.predicate
def campaign_is_named(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.anonymity == Anonymity.NAMED


@rules.predicate
def campaign_is_fully_anonymous(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.anonymity == Anonymity.ANONYMOUS


manages = runs_campaign | is_administrator

rules.add_perm("assessments.coordinate", coordinates)
rules.add_perm("assessments.view_questionnaire", ~questionnaire_is_draft | coordinates)
rules.add_perm("assessments.change_questionnaire", questionnaire_is_draft & coordinates)
# The campaign's page (what it is, the open link while open); its results are another
# permission: public once published, and seen before by those who run it (to check them).
rules.add_perm("assessments.view_campaign", ~campaign_is_draft | coordinates)
rules.add_perm("assessments.view_results", campaign_is_published | manages)
rules.add_perm("assessments.manage_campaign", manages)
# Who answered, and each respondent's own indices and answers.
rules.add_perm(
    "assessments.view_respondents",
    (campaign_is_named & campaign_is_published) | (manages & ~campaign_is_fully_anonymous),
)
