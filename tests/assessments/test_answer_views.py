"""Answering on any device: one section per page, saved at every step and continued later
from the same link; conditional questions; a tampered option refused next to its question;
the required questions checked before submitting; one submission per invitation and per
account on the open link; nothing accepted outside the period; a fully anonymous response cut
from who gave it; pages whose queries do not grow with the answers."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.enums import Anonymity, CampaignState, ResponseState
from assessments.models import Invitation, Response
from tests.assessments.helpers import invitation, make_campaign, make_form
from tests.clients import signed_in
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def form(territory):
    return make_form()


def url(inv: Invitation, section: str | int = 1) -> str:
    return f"{reverse('assessments:answer', args=[inv.token])}?section={section}"


def revision(inv: Invitation) -> int:
    return Response.objects.get(invitation=inv).revision


def test_save_and_continue_then_submit(form):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    page = client.get(url(inv))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Публикува ли общината проектите на решения?" in text
    assert f'data-show-if="q{form.publishes.pk}:{form.option(form.publishes, 0)}"' in text
    assert Invitation.objects.get(pk=inv.pk).started_at is not None

    yes = form.option(form.publishes, 0)
    saved = client.post(
        url(inv),
        {
            "revision": revision(inv),
            f"q{form.publishes.pk}": yes,
            f"q{form.scale.pk}": 4,
            f"q{form.follow.pk}": form.option(form.follow, 0),
            "go": "stay",
        },
    )
    assert saved.status_code == 302
    stored = Response.objects.get(invitation=inv)
    assert stored.answers == {
        str(form.publishes.pk): yes,
        str(form.scale.pk): 4,
        str(form.follow.pk): form.option(form.follow, 0),
    }
    # Later, on another device: the same link shows what was saved.
    again = Client().get(url(inv)).content.decode()
    assert f'value="{yes}" required' not in again  # nothing is required while saving
    assert f'name="q{form.publishes.pk}" value="{yes}"' in again and "checked" in again

    # The review lists the required matrix of section 2 as missing.
    review = client.get(url(inv, "review")).content.decode()
    assert "Оценете практиките" in review and "Submit" not in review
    rows = list(form.matrix.options.order_by("position"))
    client.post(
        url(inv, 2),
        {
            "revision": revision(inv),
            f"q{form.matrix.pk}_r{rows[0].pk}": 5,
            f"q{form.matrix.pk}_r{rows[1].pk}": 3,
            f"q{form.comment.pk}": "Повече срокове.",
        },
    )
    done = client.post(url(inv, "review"), {"revision": revision(inv)})
    assert done.status_code == 200
    response = Response.objects.get(invitation=inv)
    assert response.state == ResponseState.SUBMITTED
    # transparency: (100 + 75 + 100) / 3; consultation: (100 + 50) / 2
    assert response.scores == {"transparency": 91.67, "consultation": 75.0, "overall": 83.33}
    assert Invitation.objects.get(pk=inv.pk).submitted_at is not None
    # A second submission (or a save) is refused; the link says it is done.
    assert _("Thank you: your answers are submitted") in client.get(url(inv)).content.decode()
    client.post(url(inv), {"revision": response.revision, f"q{form.scale.pk}": 1})
    assert Response.objects.get(pk=response.pk).answers[str(form.scale.pk)] == 4


def test_changing_an_answer_drops_the_answers_it_no_longer_shows(form):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    client.get(url(inv))
    yes, no = form.option(form.publishes, 0), form.option(form.publishes, 1)
    client.post(
        url(inv),
        {
            "revision": revision(inv),
            f"q{form.publishes.pk}": yes,
            f"q{form.follow.pk}": form.option(form.follow, 1),
        },
    )
    client.post(
        url(inv),
        {
            "revision": revision(inv),
            f"q{form.publishes.pk}": no,
            f"q{form.follow.pk}": form.option(form.follow, 1),
        },
    )
    assert Response.objects.get(invitation=inv).answers == {str(form.publishes.pk): no}


def test_a_tampered_option_is_refused_next_to_the_question_and_nothing_is_saved(form):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    client.get(url(inv))
    other = form.option(form.follow, 0)  # an option of another question
    page = client.post(
        url(inv),
        {
            "revision": revision(inv),
            f"q{form.publishes.pk}": other,
            f"q{form.scale.pk}": 9,
            f"q{form.follow.pk}": "",
        },
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert (
        text.count(_("This answer is not one of the question's options.").replace("'", "&#x27;"))
        == 4
    )  # summary + field, twice
    assert Response.objects.get(invitation=inv).answers == {}


def test_a_stale_page_does_not_overwrite_newer_answers(form):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    client.get(url(inv))
    old = revision(inv)
    client.post(url(inv), {"revision": old, f"q{form.scale.pk}": 5})
    client.post(url(inv), {"revision": old, f"q{form.scale.pk}": 1})
    assert Response.objects.get(invitation=inv).answers == {str(form.scale.pk): 5}


def test_nothing_is_accepted_outside_the_period(form):
    today = timezone.localdate()
    campaign = make_campaign(
        form,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
    )
    inv = invitation(campaign)
    page = Client().get(url(inv))
    assert page.status_code == 200
    assert campaign.closes_on.strftime("%d.%m.%Y") in page.content.decode()
    assert not Response.objects.filter(invitation=inv).exists()
    closed = make_campaign(form, state=CampaignState.CLOSED)
    assert not Response.objects.filter(campaign=closed).exists()
    Client().get(url(invitation(closed)))
    assert not Response.objects.filter(campaign=closed).exists()


def test_an_unknown_token_is_404(form):
    assert Client().get(reverse("assessments:answer", args=["nope"])).status_code == 404


def test_fully_anonymous_submission_cuts_every_link(form):
    campaign = make_campaign(form, anonymity=Anonymity.ANONYMOUS)
    inv = invitation(campaign)
    client = Client()
    client.get(url(inv))
    rows = list(form.matrix.options.order_by("position"))
    client.post(
        url(inv),
        {
            "revision": revision(inv),
            f"q{form.publishes.pk}": form.option(form.publishes, 1),
            f"q{form.scale.pk}": 2,
        },
    )
    client.post(
        url(inv, 2),
        {
            "revision": revision(inv),
            f"q{form.matrix.pk}_r{rows[0].pk}": 1,
            f"q{form.matrix.pk}_r{rows[1].pk}": 1,
        },
    )
    client.post(url(inv, "review"), {"revision": revision(inv)})
    response = Response.objects.get(campaign=campaign)
    assert response.state == ResponseState.SUBMITTED
    assert response.invitation_id is None and response.user_id is None
    assert response.institution_id is None and response.organisation_id is None
    assert response.municipality_id == "PDV22" and response.submitted_on == timezone.localdate()
    assert Invitation.objects.get(pk=inv.pk).submitted_at is not None
    # The link now only says thank you; no second response can start.
    assert client.get(url(inv)).status_code == 200
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_open_link_needs_sign_in_and_takes_one_response_per_account(form):
    campaign = make_campaign(form, open_key="k" * 22)
    link = reverse("assessments:open", args=[campaign.pk, campaign.open_key])
    assert Client().get(link).status_code == 302  # to sign in
    assert (
        signed_in(UserFactory())
        .get(reverse("assessments:open", args=[campaign.pk, "wrong"]))
        .status_code
        == 404
    )
    person = signed_in(UserFactory())
    start = person.post(link, {"respondent_type": "administration", "municipality": "PDV22"})
    assert start.status_code == 302
    person.post(link, {"respondent_type": "administration", "municipality": "PDV22"})
    assert Response.objects.filter(campaign=campaign).count() == 1
    response = Response.objects.get(campaign=campaign)
    assert response.municipality_id == "PDV22" and response.invitation_id is None
    bad = signed_in(UserFactory()).post(link, {"respondent_type": "mayor", "municipality": "X"})
    assert bad.status_code == 200
    assert _("Choose a municipality from the list.") in bad.content.decode()
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_section_page_queries_stay_flat_as_answers_grow(form, django_assert_max_num_queries):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    client.get(url(inv))
    with django_assert_max_num_queries(14):
        assert client.get(url(inv)).status_code == 200
    for n in range(30):
        invitation(campaign, email=f"other{n}@example.org")
    with django_assert_max_num_queries(14):
        assert client.get(url(inv, 2)).status_code == 200


def test_fully_anonymous_open_link_still_takes_one_submission_per_account(form):
    campaign = make_campaign(form, anonymity=Anonymity.ANONYMOUS, open_key="a" * 22)
    link = reverse("assessments:open", args=[campaign.pk, campaign.open_key])
    person = UserFactory()
    client = signed_in(person)
    client.post(link, {"respondent_type": "administration", "municipality": "PDV22"})
    response = Response.objects.get(campaign=campaign)
    assert response.user == person
    rows = list(form.matrix.options.order_by("position"))
    client.post(f"{link}?section=1", {"revision": response.revision,
                                      f"q{form.publishes.pk}": form.option(form.publishes, 1),
                                      f"q{form.scale.pk}": 3})  # fmt: skip
    response.refresh_from_db()
    client.post(f"{link}?section=2", {"revision": response.revision,
                                      f"q{form.matrix.pk}_r{rows[0].pk}": 2,
                                      f"q{form.matrix.pk}_r{rows[1].pk}": 2})  # fmt: skip
    response.refresh_from_db()
    client.post(f"{link}?section=review", {"revision": response.revision})
    response.refresh_from_db()
    assert response.state == ResponseState.SUBMITTED and response.user_id is None
    # The account is no longer named on the response, yet cannot start a second one.
    again = client.get(link)
    assert _("Thank you: your answers are submitted") in again.content.decode()
    client.post(link, {"respondent_type": "administration", "municipality": "PDV22"})
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_required_questions_are_marked_yet_a_section_saves_half_filled(form):
    campaign = make_campaign(form)
    inv = invitation(campaign)
    client = Client()
    optional = f"({_('optional')})"
    first = client.get(url(inv)).content.decode()
    assert optional not in first  # A1–A3 are required
    assert " required" not in first  # the browser does not block a partial save
    second = client.get(url(inv, 2)).content.decode()
    assert second.count(optional) == 1  # B2 only, not the matrix's rows
    saved = client.post(url(inv), {"revision": revision(inv), f"q{form.scale.pk}": 2})
    assert saved.status_code == 302
    assert Response.objects.get(invitation=inv).answers == {str(form.scale.pk): 2}
