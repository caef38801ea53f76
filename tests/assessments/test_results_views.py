"""A campaign's results on its pages, in its PDF, exports and the API, always under the
anonymity threshold; the coordinator's pages with their permission ladder; recommendations
made by rules and edited; the training-programme link."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from assessments import services
from assessments.enums import Anonymity, CampaignState
from assessments.models import Campaign, Invitation, Recommendation, RecommendationRule
from tests.assessments.helpers import coordinator, make_campaign, make_form, submitted
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def setup(territory):
    form = make_form()
    boss = coordinator()
    campaign = make_campaign(form, minimum=3, by=boss)
    yes, no = form.option(form.publishes, 0), form.option(form.publishes, 1)
    rows = [str(o.pk) for o in form.matrix.options.order_by("position")]
    for scale in (5, 4, 3):  # Plovdiv: three answers, shown
        submitted(
            campaign,
            form,
            {
                form.publishes.pk: yes,
                form.scale.pk: scale,
                form.matrix.pk: {rows[0]: 2, rows[1]: 2},
            },
            "PDV22",
        )
    # Asenovgrad: one answer, never shown
    submitted(
        campaign,
        form,
        {
            form.publishes.pk: no,
            form.scale.pk: 1,
            form.matrix.pk: {rows[0]: 1, rows[1]: 1},
            form.comment.pk: "Нямаме звено за контакт.",
        },
        "PDV01",
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    services.bump_results(campaign)
    return form, campaign, boss


def test_published_page_shows_groups_of_enough_answers_only(setup):
    _form, campaign, _boss = setup
    page = Client().get(campaign.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Пловдив" in text and "Асеновград" in text
    assert _("fewer than %(n)s answers: not shown") % {"n": 3} in text
    plovdiv = Client().get(reverse("assessments:municipality", args=[campaign.pk, "PDV22"]))
    assert plovdiv.status_code == 200
    # Plovdiv's transparency: (100 + 100) / 2, (100 + 75) / 2, (100 + 50) / 2 → mean 87.5
    assert "87,5" in plovdiv.content.decode()
    small = Client().get(reverse("assessments:municipality", args=[campaign.pk, "PDV01"]))
    assert "0,0" not in small.content.decode()  # Asenovgrad's only answer scores 0 everywhere


def test_exports_and_api_leave_out_small_groups(setup):
    _form, campaign, _boss = setup
    rows = list(
        csv.reader(
            io.StringIO(
                Client()
                .get(reverse("assessments:indices-csv", args=[campaign.pk]))
                .content.decode("utf-8-sig")
            )
        )
    )
    codes = {r[1] for r in rows[1:]}
    assert "PDV22" in codes and "PDV01" not in codes
    data = json.loads(Client().get(reverse("assessments:indices-json", args=[campaign.pk])).content)
    assert {g["municipality"]["code"] for g in data["groups"] if g["municipality"]} == {"PDV22"}
    everything = next(
        g for g in data["groups"] if g["respondent_type"] == "all" and not g["municipality"]
    )
    assert everything["answers"] == 4
    listed = Client().get("/api/v1/assessments").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert {g["respondent_type"] for g in item["groups"]} == {"all", "administration"}
    assert all(g["municipality"] is None for g in item["groups"])
    detail = Client().get(item["api_url"].removeprefix(settings.SITE_URL))
    api = {"items": [detail.json()]}
    assert {g["municipality"]["code"] for g in api["items"][0]["groups"] if g["municipality"]} == {
        "PDV22"
    }
    answers = list(
        csv.reader(
            io.StringIO(
                Client()
                .get(reverse("assessments:answers-csv", args=[campaign.pk]))
                .content.decode("utf-8-sig")
            )
        )
    )
    # The lone Asenovgrad respondent's municipality is blanked; no names for the public.
    assert "respondent_name" not in answers[0]
    assert {r[2] for r in answers[1:]} == {"PDV22", ""}
    assert any("Нямаме звено за контакт." in r for r in answers[1:])


def test_unpublished_results_are_only_for_those_who_run_it(setup):
    _form, campaign, boss = setup
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    municipality = reverse("assessments:municipality", args=[campaign.pk, "PDV22"])
    assert Client().get(municipality).status_code == 403
    assert signed_in(UserFactory()).get(municipality).status_code == 403
    assert signed_in(coordinator()).get(municipality).status_code == 403  # another coordinator
    assert signed_in(boss).get(municipality).status_code == 200
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    assert signed_in(admin).get(municipality).status_code == 200
    assert Client().get("/api/v1/assessments").json()["count"] == 0
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.DRAFT)
    assert Client().get(campaign.get_absolute_url()).status_code == 404


def test_pdf_reports_are_real_pdfs_and_follow_the_results_permission(setup):
    from pypdf import PdfReader

    _form, campaign, boss = setup
    whole = Client().get(reverse("assessments:report-pdf", args=[campaign.pk]))
    assert whole.status_code == 200 and whole.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(whole.content)).pages)
    assert "Пловдив" in text and "Нямаме звено за контакт." in text  # the open answers' annex
    # The stylesheet reached WeasyPrint whole: A4 pages with "стр. 1 от N" in the footer.
    reader = PdfReader(io.BytesIO(whole.content))
    assert round(float(reader.pages[0].mediabox.width)) == 595
    assert (_("page %(page)s of %(pages)s") % {"page": 1, "pages": len(reader.pages)}) in text
    one = reverse("assessments:municipality-pdf", args=[campaign.pk, "PDV22"])
    response = Client().get(one)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Община Пловдив" in text and "87,5" in text
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    assert Client().get(one).status_code == 403
    assert signed_in(boss).get(one).status_code == 200


def test_rules_make_recommendations_and_edits_survive(setup):
    form, campaign, boss = setup
    client = signed_in(boss)
    dimension = form.matrix.dimension
    page = client.post(
        reverse("assessments:rules", args=[campaign.pk]),
        {
            "rules-TOTAL_FORMS": 1,
            "rules-INITIAL_FORMS": 0,
            "rules-MIN_NUM_FORMS": 0,
            "rules-MAX_NUM_FORMS": 50,
            "rules-0-dimension": dimension.pk,
            "rules-0-respondent_type": "",
            "rules-0-below": "50",
            "rules-0-text": "Да се приеме годишен план за консултациите.",
        },
    )
    assert page.status_code == 302
    # Plovdiv's consultation index is 25 (< 50); Asenovgrad is not shown, so not judged.
    made = list(Recommendation.objects.filter(campaign=campaign))
    assert [(r.municipality_id, r.reason) for r in made] == [
        ("PDV22", f"{dimension.name}: 25,0 ({_('all respondents')})")
    ]
    client.post(
        reverse("assessments:recommendation-edit", args=[campaign.pk, made[0].pk]),
        {"municipality": "PDV22", "text": "Годишен план и звено за контакт."},
    )
    assert services.generate_recommendations(campaign) == 0
    assert Recommendation.objects.get().text == "Годишен план и звено за контакт."
    bad = client.post(
        reverse("assessments:rules", args=[campaign.pk]),
        {
            "rules-TOTAL_FORMS": 1,
            "rules-INITIAL_FORMS": 0,
            "rules-MIN_NUM_FORMS": 0,
            "rules-MAX_NUM_FORMS": 50,
            "rules-0-below": "150",
            "rules-0-text": "Текст",
        },
    )
    assert bad.status_code == 400 and "Текст" in bad.content.decode()
    assert RecommendationRule.objects.filter(campaign=campaign).count() == 1
    assert RecommendationRule.objects.get().below == Decimal(50)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("moderator", 403),
        ("other coordinator", 403),
        ("coordinator", 200),
        ("administrator", 200),
    ],
)
def test_manage_page_permission_ladder(setup, who, status):
    _form, campaign, boss = setup
    users = {
        "anonymous": None,
        "citizen": UserFactory(),
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "other coordinator": coordinator(),
        "coordinator": boss,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }
    page = signed_in(users[who]).get(reverse("assessments:manage-campaign", args=[campaign.pk]))
    assert page.status_code == status


def test_campaign_created_invited_opened_and_invitations_mailed(territory, mailbox):
    form = make_form()
    boss = coordinator()
    client = signed_in(boss)
    bad = client.post(
        reverse("assessments:campaign-new"),
        {
            "title": "Кръг 2027",
            "questionnaires": [form.questionnaire.pk],
            "opens_on": "2026-12-10",
            "closes_on": "2026-12-01",
            "anonymity": Anonymity.PUBLIC_ANONYMOUS,
            "min_group_size": 5,
        },
    )
    assert bad.status_code == 400 and "Кръг 2027" in bad.content.decode()
    assert not Campaign.objects.exists()
    made = client.post(
        reverse("assessments:campaign-new"),
        {
            "title": "Кръг 2027",
            "questionnaires": [form.questionnaire.pk],
            "opens_on": "2026-12-01",
            "closes_on": "2027-01-31",
            "anonymity": Anonymity.PUBLIC_ANONYMOUS,
            "min_group_size": 5,
            "open_link": "on",
        },
    )
    campaign = Campaign.objects.get()
    assert made.status_code == 302 and campaign.coordinator == boss and len(campaign.open_key) == 22
    invite = reverse("assessments:invite", args=[campaign.pk])
    wrong = client.post(
        invite,
        {
            "respondent_type": "administration",
            "municipality": "PDV22",
            "emails": "kmet@plovdiv.example.org\nне-е-адрес",
        },
    )
    assert wrong.status_code == 400 and not Invitation.objects.exists()
    client.post(
        invite,
        {
            "respondent_type": "administration",
            "municipality": "PDV22",
            "emails": "kmet@plovdiv.example.org\nobshtina@plovdiv.example.org",
        },
    )
    assert Invitation.objects.count() == 2
    client.post(reverse("assessments:campaign-state", args=[campaign.pk]), {"to": "open"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN and campaign.changes.count() == 1
    client.post(reverse("assessments:send", args=[campaign.pk]), {"what": "invitations"})
    assert {m["To"] for m in mailbox.messages} == {
        "kmet@plovdiv.example.org",
        "obshtina@plovdiv.example.org",
    }
    body = mailbox.body(mailbox.to("kmet@plovdiv.example.org")[0])
    token = Invitation.objects.get(email="kmet@plovdiv.example.org").token
    assert reverse("assessments:answer", args=[token]) in body
    assert Invitation.objects.filter(sent_at=None).count() == 0


def test_report_pages_cost_the_same_queries_with_ten_times_the_answers(
    setup, django_assert_max_num_queries
):
    form, campaign, _boss = setup
    pages = [
        campaign.get_absolute_url(),
        reverse("assessments:municipality", args=[campaign.pk, "PDV22"]),
    ]

    def count() -> list[int]:
        cache.clear()
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(page).status_code == 200
            found.append(len(queries))
        return found

    count()  # the first visit also creates the portal's scope row (PortalScope.current)
    before = count()
    rows = [str(o.pk) for o in form.matrix.options.order_by("position")]
    yes = form.option(form.publishes, 0)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.OPEN)
    campaign.refresh_from_db()
    for n in range(36):
        submitted(
            campaign, form,
            {form.publishes.pk: yes, form.scale.pk: 1 + n % 5, form.matrix.pk: {rows[0]: 3}},
            "PDV22" if n % 2 else "SOF46",
        )  # fmt: skip
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    services.bump_results(campaign)
    assert count() == before
    # Served from the cache until the results change.
    with django_assert_max_num_queries(before[0] - 3):
        Client().get(pages[0])


def test_each_respondent_shown_only_to_those_who_may_see_who_answered(setup):
    from assessments.models import Response
    from tests.factories.directory import generated

    _form, campaign, boss = setup
    page = reverse("assessments:municipality", args=[campaign.pk, "PDV22"])
    caption = _("Each respondent's indices, 0–100")
    assert caption not in Client().get(page).content.decode()
    assert caption in signed_in(boss).get(page).content.decode()
    # Named: answers are public in the respondent's name.
    institution = generated("ma:PDV22")
    Response.objects.filter(campaign=campaign, municipality="PDV22").update(institution=institution)
    Campaign.objects.filter(pk=campaign.pk).update(anonymity=Anonymity.NAMED)
    services.bump_results(campaign)  # as the campaign's edit form does
    text = Client().get(page).content.decode()
    assert caption in text and institution.name in text
    # Fully anonymous: nobody, not even the coordinator.
    Campaign.objects.filter(pk=campaign.pk).update(anonymity=Anonymity.ANONYMOUS)
    services.bump_results(campaign)
    assert caption not in signed_in(boss).get(page).content.decode()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("citizen", False), ("staff", False), ("moderator", False),
     ("other coordinator", False), ("coordinator", True), ("administrator", True)],
)  # fmt: skip
def test_every_write_of_a_campaign_follows_the_ladder(setup, who, allowed):
    from tests.factories.directory import generated, staff_of

    _form, campaign, boss = setup
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    staff = UserFactory()
    staff_of(generated("ma:PDV22"), staff)
    users = {
        "anonymous": None,
        "citizen": UserFactory(),
        "staff": staff,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "other coordinator": coordinator(),
        "coordinator": boss,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }
    client = signed_in(users[who])
    made = Recommendation.objects.create(campaign=campaign, municipality_id="PDV22", text="Т")
    writes = [
        ("campaign-state", {"to": CampaignState.PUBLISHED}),
        ("invite", {"respondent_type": "administration", "municipality": "PDV22",
                    "emails": "new@plovdiv.example.org"}),
        ("rules", {"rules-TOTAL_FORMS": 0, "rules-INITIAL_FORMS": 0, "rules-MIN_NUM_FORMS": 0,
                   "rules-MAX_NUM_FORMS": 50}),
        ("recommendations", {"municipality": "", "text": "Обща препоръка"}),
        ("campaign-edit", {"title": "Друго име"}),
    ]  # fmt: skip
    for name, data in writes:
        response = client.post(reverse(f"assessments:{name}", args=[campaign.pk]), data)
        expected = {302, 400} if allowed else {302 if who == "anonymous" else 403}
        assert response.status_code in expected, name
        if not allowed and who == "anonymous":
            assert "/accounts/login/" in response["Location"]
    edit = client.post(
        reverse("assessments:recommendation-edit", args=[campaign.pk, made.pk]), {"delete": "1"}
    )
    assert edit.status_code == (302 if allowed or who == "anonymous" else 403)
    campaign.refresh_from_db()
    assert (campaign.state == CampaignState.PUBLISHED) is allowed
    assert Invitation.objects.filter(email="new@plovdiv.example.org").exists() is allowed
    assert Recommendation.objects.filter(text="Обща препоръка").exists() is allowed
    assert Recommendation.objects.filter(pk=made.pk).exists() is not allowed
    assert campaign.title != "Друго име"  # the edit lacked required fields: refused, kept


def test_training_needs_counted_by_topic_and_linked_to_a_new_programme(setup):
    from urllib.parse import parse_qs, urlsplit

    from assessments.enums import QuestionType
    from assessments.models import Response
    from tests.factories.assessments import QuestionFactory

    form, campaign, boss = setup
    needs = QuestionFactory(
        section=form.comment.section, code="B3", type=QuestionType.MULTIPLE,
        training_need=True, required=False, text="В какво искате обучение?",
        options=[("Работа в мрежа", None), ("Застъпничество", None)],
    )  # fmt: skip
    network, advocacy = list(needs.options.order_by("position").values_list("pk", flat=True))
    for n, response in enumerate(Response.objects.filter(campaign=campaign).order_by("pk")):
        chosen = [network] if n < 3 else [network, advocacy]
        response.answers = {**response.answers, str(needs.pk): chosen}
        response.save()
    services.bump_results(campaign)
    text = Client().get(campaign.get_absolute_url()).content.decode()
    assert _("Training needs") in text and "Работа в мрежа" in text
    link = reverse("assessments:training-programme", args=[campaign.pk])
    assert link not in text  # only for those who run it
    assert link in signed_in(boss).get(campaign.get_absolute_url()).content.decode()
    assert Client().get(link).status_code == 302  # to sign in
    assert signed_in(coordinator()).get(link).status_code == 403
    target = urlsplit(signed_in(boss).get(link)["Location"])
    assert target.path == reverse("events:programme-new")
    # Topics by how many named them: all 4 respondents, then the one in Asenovgrad.
    assert parse_qs(target.query)["strand"] == ["Работа в мрежа", "Застъпничество"]
