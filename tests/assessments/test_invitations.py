"""Invitations and reminders by e-mail through the real SMTP server: sent once each, only while
the campaign is open; a reminder goes to those who have not submitted, at most once in three
days, and never to those who did."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.enums import CampaignState
from assessments.models import Invitation
from tests.assessments.helpers import invitation, make_campaign, make_form, submitted

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_reminders_go_to_those_who_have_not_submitted_once_in_a_while(territory, mailbox):
    form = make_form()
    campaign = make_campaign(form)
    waiting = invitation(campaign, email="waiting@plovdiv.example.org")
    recent = invitation(campaign, email="recent@plovdiv.example.org")
    reminded = invitation(campaign, email="reminded@plovdiv.example.org")
    answered = submitted(campaign, form, {form.scale.pk: 3}).invitation
    now = timezone.now()
    Invitation.objects.filter(pk__in=[waiting.pk, reminded.pk, answered.pk]).update(
        sent_at=now - 5 * DAY
    )
    Invitation.objects.filter(pk=recent.pk).update(sent_at=now - DAY)
    Invitation.objects.filter(pk=reminded.pk).update(reminded_at=now - DAY, reminders=1)

    assert services.send_reminders(campaign) == 1
    assert [m["To"] for m in mailbox.messages] == ["waiting@plovdiv.example.org"]
    body = mailbox.body(mailbox.messages[0])
    assert reverse("assessments:answer", args=[waiting.token]) in body
    assert Invitation.objects.get(pk=waiting.pk).reminders == 1
    assert services.send_reminders(campaign) == 0  # not again within three days
    assert len(mailbox.messages) == 1


def test_nothing_is_sent_unless_the_campaign_is_open(territory, mailbox):
    campaign = make_campaign(make_form(), state=CampaignState.CLOSED)
    invitation(campaign)
    for send in (services.send_invitations, services.send_reminders):
        with pytest.raises(services.AssessmentError):
            send(campaign)
    assert mailbox.messages == []
    assert Invitation.objects.filter(sent_at=None).count() == 1
