"""The questionnaire builder's pages (assessments/views/builder.py): the coordinators' list,
the questionnaire as a respondent sees it (with the scoring and actions for coordinators), the
forms of the details, sections and questions, and the actions on states and versions; the
permission ladder of each, bad input kept in the form with the message next to its field,
the questionnaire ready for use refusing changes, and query counts that stay flat."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from assessments import builder
from assessments.enums import QuestionnaireState, QuestionType, RespondentType
from assessments.models import Option, Question, Questionnaire, Section
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.assessments import (
    DimensionFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
)
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

T = QuestionType
LADDER = [
    "anonymous",
    "citizen",
    "representative",
    "staff",
    "moderator",
    "coordinator",
    "administrator",
]
BUILDERS = {"coordinator", "administrator"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached structures live in the cache; ids repeat between tests."""
    cache.clear()


def person(role: str):
    if role == "anonymous":
        return None
    user = UserFactory()
    if role == "representative":
        representative_of(OrganisationFactory(), user)
    elif role == "staff":
        staff_of(generated("ma:PDV22"), user)
    elif role == "moderator":
        RoleAssignmentFactory(user=user, role=Role.MODERATOR)
    elif role == "coordinator":
        RoleAssignmentFactory(user=user, role=Role.ASSESSMENT_COORDINATOR)
    elif role == "administrator":
        RoleAssignmentFactory(user=user, role=Role.ADMINISTRATOR)
    return user


def client_as(role: str) -> Client:
    return signed_in(person(role))


@pytest.fixture
def coordinator() -> Client:
    return client_as("coordinator")


def html(response) -> str:
    return response.content.decode()


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def url(name: str, *args) -> str:
    return reverse(f"assessments:{name}", args=args)


def build(questions: int = 3, **fields) -> Questionnaire:
    """A questionnaire with two sections: a yes / no question with a dimension, a condition
    on its "Да", then scales and a matrix and a text."""
    dimension = DimensionFactory(slug="transparency", name_bg="Прозрачност")
    questionnaire = QuestionnaireFactory(**fields)
    first = SectionFactory(questionnaire=questionnaire, title="Информиране", position=0)
    second = SectionFactory(questionnaire=questionnaire, title="Консултации", position=1)
    parent = QuestionFactory(
        section=first, code="A1", type=T.YES_NO, dimension=dimension, position=0,
        text="Публикува ли общината проектите на решения?", options=[("Да", 100), ("Не", 0)],
    )  # fmt: skip
    QuestionFactory(
        section=first, code="A2", type=T.SINGLE, dimension=dimension, position=1,
        text="Къде ги публикува?", show_if=parent.options.first(),
        options=[("На сайта", 80), ("На таблото", 40), ("Не знам", None)],
    )  # fmt: skip
    for n in range(questions - 2):
        kind = [T.SCALE, T.MATRIX, T.LONG_TEXT, T.NUMBER, T.MULTIPLE][n % 5]
        options = {
            T.MATRIX: [("План", None), ("Справка", None)],
            T.MULTIPLE: [("Сайт", 40), ("Табло", 30), ("Среща", 30)],
        }.get(kind, [])
        QuestionFactory(
            section=second, code=f"B{n + 1}", type=kind, position=n,
            dimension=None if kind in (T.LONG_TEXT, T.NUMBER) else dimension,
            low_label="никак" if kind in (T.SCALE, T.MATRIX) else "",
            min_value=0 if kind == T.NUMBER else None, max_value=100 if kind == T.NUMBER else None,
            options=options,
        )  # fmt: skip
    return questionnaire


def question_data(section: Section | None = None, **changes) -> dict:
    """The question form as typed: a single choice with two scored options."""
    data = {
        "code": "C1",
        "text": "Провежда ли общината обществени обсъждания?",
        "help_text": "",
        "type": T.SINGLE,
        "required": "on",
        "dimension": str(DimensionFactory(slug="consultation").pk),
        "weight": "1",
        "low_label": "",
        "high_label": "",
        "min_value": "",
        "max_value": "",
        "show_if": "",
        "seen": "",
        "options-TOTAL_FORMS": "6",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "50",
    }
    for n in range(6):
        data.update({f"options-{n}-label": "", f"options-{n}-score": "", f"options-{n}-ORDER": ""})
    data.update({"options-0-label": "Редовно", "options-0-score": "100"})
    data.update({"options-1-label": "Рядко", "options-1-score": "30"})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(question: Question, **changes) -> dict:
    """The edit form of `question` as loaded, with `changes` typed over it."""
    context = builder.context_for(question.questionnaire, question=question)
    options = list(question.options.all())
    data = {
        "code": question.code,
        "text": question.text,
        "help_text": question.help_text,
        "type": question.type,
        "dimension": str(question.dimension_id or ""),
        "weight": str(question.weight),
        "low_label": question.low_label,
        "high_label": question.high_label,
        "min_value": "" if question.min_value is None else str(question.min_value),
        "max_value": "" if question.max_value is None else str(question.max_value),
        "show_if": str(question.show_if_id or ""),
        "seen": context.fingerprint,
        "options-TOTAL_FORMS": str(len(options) + 3),
        "options-INITIAL_FORMS": str(len(options)),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "50",
    }
    if question.required:
        data["required"] = "on"
    for n, option in enumerate(options):
        data.update({
            f"options-{n}-id": str(option.pk), f"options-{n}-label": option.label,
            f"options-{n}-score": "" if option.score is None else str(option.score),
            f"options-{n}-ORDER": str(n + 1),
        })  # fmt: skip
    for n in range(len(options), len(options) + 3):
        data.update({f"options-{n}-label": "", f"options-{n}-score": "", f"options-{n}-ORDER": ""})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the coordinators' list --------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_the_list_is_for_coordinators_and_administrators(role):
    build(published=True)
    response = client_as(role).get(url("questionnaires"))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in BUILDERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_the_list_groups_versions_by_family_with_their_state(coordinator):
    v1 = QuestionnaireFactory(family="obshtini", version=1, title="Общини", archived=True)
    v2 = QuestionnaireFactory(family="obshtini", version=2, title="Общини 2027", published=True)
    v3 = QuestionnaireFactory(family="obshtini", version=3, title="Общини 2028")
    other = QuestionnaireFactory(family="saveti", title="Съвети", published=True)
    SectionFactory(questionnaire=v2)
    QuestionFactory(section=SectionFactory(questionnaire=v2))
    response = coordinator.get(url("questionnaires"))
    page = html(response)
    families = response.context["families"]
    assert [f.slug for f in families] == ["obshtini", "saveti"]
    assert [q.version for q in families[0].versions] == [3, 2, 1]
    assert families[0].versions[1].n_questions == 1
    for q in (v1, v2, v3, other):
        assert q.get_absolute_url() in page
    assert str(QuestionnaireState.ARCHIVED.label) in page
    assert url("questionnaire-new") in page
    assert 'style="' not in page


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_query_count_is_flat(rows, coordinator, django_assert_max_num_queries):
    for n in range(rows):
        QuestionnaireFactory(family=f"f{n % 7}", version=n // 7 + 1)
    with django_assert_max_num_queries(6):
        assert coordinator.get(url("questionnaires")).status_code == 200


def test_coordinators_need_their_second_factor():
    client = Client()
    client.force_login(person("coordinator"))
    response = client.get(url("questionnaires"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


# --- the questionnaire's page --------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("state", ["draft", "published", "archived"])
def test_the_page_shows_drafts_to_coordinators_only(role, state):
    questionnaire = build(state=state)
    response = client_as(role).get(questionnaire.get_absolute_url())
    if state == "draft" and role not in BUILDERS:
        assert response.status_code == 404  # a draft does not exist for them
        assert questionnaire.title not in html(response)
    else:
        assert response.status_code == 200
        assert "Публикува ли общината проектите на решения?" in html(response)


def test_the_public_sees_it_as_a_respondent_does_without_the_scoring():
    questionnaire = build(questions=7, published=True)
    page = html(Client().get(questionnaire.get_absolute_url()))
    assert "Информиране" in page and "Консултации" in page
    assert "Къде ги публикува?" in page
    condition = _("Shown only if the answer to %(code)s is “%(answer)s”.") % {
        "code": "A1",
        "answer": "Да",
    }
    assert condition in page
    assert "1 — никак" in page  # the scale's labelled end
    assert "План" in page and "Справка" in page  # the matrix's rows
    assert "<fieldset disabled>" in page
    assert "Прозрачност" not in page  # the dimension
    assert _("not scored") not in page
    assert url("questionnaire-edit", questionnaire.pk) not in page
    assert 'style="' not in page and "<script>" not in page


def test_coordinators_see_the_scoring_and_the_draft_actions(coordinator):
    questionnaire = build()
    page = html(coordinator.get(questionnaire.get_absolute_url()))
    assert "Прозрачност" in page
    assert _("score %(n)s").replace("%(n)s", "80") in page or "score 80" in page
    assert _("not scored") in page  # "Не знам"
    for name in ("questionnaire-edit", "section-new", "questionnaire-publish"):
        assert url(name, questionnaire.pk) in page
    question = Question.objects.get(questionnaire=questionnaire, code="A2")
    for name in ("question-edit", "question-move", "question-delete"):
        assert url(name, questionnaire.pk, question.pk) in page
    assert f"{url('question-new', questionnaire.pk)}?section=" in page
    # As a respondent: the same page without them.
    page = html(coordinator.get(questionnaire.get_absolute_url(), {"as": "respondent"}))
    assert "Прозрачност" not in page and url("questionnaire-edit", questionnaire.pk) not in page


def test_a_draft_lists_what_keeps_it_from_being_ready(coordinator):
    questionnaire = build()
    SectionFactory(questionnaire=questionnaire, title="Празен раздел", position=5)
    page = html(coordinator.get(questionnaire.get_absolute_url()))
    assert 'id="problems"' in page
    assert "Празен раздел" in page
    assert url("questionnaire-publish", questionnaire.pk) not in page


def test_a_published_one_offers_a_new_version_and_archiving_not_changes(coordinator):
    questionnaire = build(published=True)
    page = html(coordinator.get(questionnaire.get_absolute_url()))
    assert url("questionnaire-new-version", questionnaire.pk) in page
    assert url("questionnaire-archive", questionnaire.pk) in page
    assert url("questionnaire-edit", questionnaire.pk) not in page
    assert url("section-new", questionnaire.pk) not in page


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_the_page_query_count_is_flat(size, role, django_assert_max_num_queries):
    questionnaire = build(questions=size, state="draft" if role == "coordinator" else "published")
    client = client_as(role)
    # Session, user, roles; the questionnaire, sections, questions, options; versions.
    with django_assert_max_num_queries(10):
        response = client.get(questionnaire.get_absolute_url())
    assert response.status_code == 200
    assert html(response).count('class="panel" id="question-') == size


def test_an_unknown_or_huge_id_is_404(coordinator):
    assert coordinator.get(url("questionnaire", 999999)).status_code == 404
    assert coordinator.get(url("questionnaire", 2**63)).status_code == 404


# --- the details ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_new_questionnaire_ladder(role):
    client = client_as(role)
    response = client.post(
        url("questionnaire-new"),
        {"title": "Капацитет на НПО", "description": "", "respondent_type": "organisation"},
    )
    created = Questionnaire.objects.filter(title="Капацитет на НПО").first()
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert created is None
    elif role in BUILDERS:
        assert created is not None
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    else:
        assert response.status_code == 403 and created is None


def test_a_new_questionnaire_gets_its_family_from_the_title(coordinator):
    page = html(coordinator.get(url("questionnaire-new")))
    assert 'name="title"' in page and 'name="revision"' not in page
    coordinator.post(
        url("questionnaire-new"),
        {"title": "Оценка на съвета", "description": "**Важно**", "respondent_type": "council"},
    )
    created = Questionnaire.objects.get(title="Оценка на съвета")
    assert (created.family, created.version, created.state) == ("otsenka-na-saveta", 1, "draft")
    assert created.respondent_type == RespondentType.COUNCIL
    assert "<strong>Важно</strong>" in html(coordinator.get(created.get_absolute_url()))


def test_the_details_form_keeps_what_was_typed_on_bad_input(coordinator):
    response = coordinator.post(
        url("questionnaire-new"),
        {"title": "", "description": "Моят дълъг увод", "respondent_type": "nobody"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title", "respondent_type"}
    assert "Моят дълъг увод" in html(response)
    assert not Questionnaire.objects.exists()


def test_details_edited_with_the_revision_and_a_stale_save_shows_the_conflict(coordinator):
    questionnaire = build(title="Старо заглавие")
    page = html(coordinator.get(url("questionnaire-edit", questionnaire.pk)))
    assert f'name="revision" value="{questionnaire.revision}"' in page
    seen = questionnaire.revision
    response = coordinator.post(
        url("questionnaire-edit", questionnaire.pk),
        {"title": "Ново заглавие", "description": "", "respondent_type": "administration",
         "revision": seen},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh(questionnaire).title == "Ново заглавие"
    assert fresh(questionnaire).revision == seen + 1
    # Someone else's save meanwhile: refused with both versions, the typed text kept.
    response = coordinator.post(
        url("questionnaire-edit", questionnaire.pk),
        {"title": "Моето заглавие", "description": "Моят увод", "respondent_type": "council",
         "revision": seen},
    )  # fmt: skip
    assert response.status_code == 200
    page = html(response)
    assert response.context["conflict"] is not None
    assert "banner-warning" in page
    assert 'value="Моето заглавие"' in page and "Моят увод" in page
    assert "Ново заглавие" in page  # what is saved now, in the comparison
    assert f'name="revision" value="{seen + 1}"' in page  # saving again replaces it
    assert fresh(questionnaire).title == "Ново заглавие"
    # A tampered revision is refused as an out-of-date page.
    response = coordinator.post(
        url("questionnaire-edit", questionnaire.pk),
        {"title": "Х", "description": "", "respondent_type": "council", "revision": "x"},
    )
    assert "revision" in response.context["form"].errors


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_editing_ladder(role, state):
    questionnaire = build(state=state)
    client = client_as(role)
    response = client.get(url("questionnaire-edit", questionnaire.pk))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif state == "draft":
        assert response.status_code == (200 if role in BUILDERS else 404)
    else:
        assert response.status_code == 403
        if role in BUILDERS:  # the reason, and the way: a new version
            assert url("questionnaire-new-version", questionnaire.pk) in html(response)


# --- sections ------------------------------------------------------------------------------------


def test_sections_added_edited_moved_and_deleted_through_the_pages(coordinator):
    questionnaire = QuestionnaireFactory()
    revision = questionnaire.revision
    response = coordinator.post(
        url("section-new", questionnaire.pk), {"title": "Информиране", "description": "Увод"}
    )
    first = Section.objects.get(questionnaire=questionnaire, title="Информиране")
    assert response["Location"] == f"{questionnaire.get_absolute_url()}#section-{first.pk}"
    coordinator.post(url("section-new", questionnaire.pk), {"title": "Втори", "description": ""})
    second = Section.objects.get(questionnaire=questionnaire, title="Втори")
    page = html(coordinator.get(url("section-edit", questionnaire.pk, first.pk)))
    assert 'value="Информиране"' in page
    coordinator.post(
        url("section-edit", questionnaire.pk, first.pk), {"title": "Информация", "description": ""}
    )
    assert fresh(first).title == "Информация"
    coordinator.post(url("section-move", questionnaire.pk, second.pk), {"direction": "up"})
    assert list(questionnaire.sections.values_list("pk", flat=True)) == [second.pk, first.pk]
    bad = coordinator.post(url("section-move", questionnaire.pk, second.pk), {"direction": "x"})
    assert bad.status_code == 400
    coordinator.post(url("section-delete", questionnaire.pk, first.pk))
    assert list(questionnaire.sections.values_list("pk", flat=True)) == [second.pk]
    assert fresh(questionnaire).revision == revision + 5


def test_a_section_form_keeps_what_was_typed(coordinator):
    questionnaire = QuestionnaireFactory()
    response = coordinator.post(
        url("section-new", questionnaire.pk), {"title": "", "description": "Моят увод"}
    )
    assert response.status_code == 200 and "title" in response.context["form"].errors
    assert "Моят увод" in html(response)
    assert not Section.objects.exists()


def test_sections_are_only_those_of_the_questionnaire(coordinator):
    questionnaire = QuestionnaireFactory()
    foreign = SectionFactory()
    assert coordinator.get(url("section-edit", questionnaire.pk, foreign.pk)).status_code == 404
    response = coordinator.post(url("section-delete", questionnaire.pk, foreign.pk))
    assert response.status_code == 404 and Section.objects.filter(pk=foreign.pk).exists()
    response = coordinator.get(url("question-new", questionnaire.pk), {"section": foreign.pk})
    assert response.status_code == 404


def test_deleting_a_section_others_depend_on_is_refused_with_a_message(coordinator):
    questionnaire = build(questions=2)
    first = questionnaire.sections.get(title="Информиране")
    other = SectionFactory(questionnaire=questionnaire, position=9)
    parent = Question.objects.get(questionnaire=questionnaire, code="A1")
    QuestionFactory(section=other, code="Z1", show_if=parent.options.first())
    response = coordinator.post(url("section-delete", questionnaire.pk, first.pk), follow=True)
    assert Section.objects.filter(pk=first.pk).exists()
    assert "Z1" in html(response)


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_section_writes_ladder(role, state):
    questionnaire = build(state=state)
    section = questionnaire.sections.first()
    client = client_as(role)
    responses = [
        client.post(url("section-new", questionnaire.pk), {"title": "Нов", "description": ""}),
        client.post(url("section-edit", questionnaire.pk, section.pk), {"title": "Х"}),
        client.post(url("section-move", questionnaire.pk, section.pk), {"direction": "down"}),
        client.post(url("section-delete", questionnaire.pk, section.pk)),
    ]
    codes = [r.status_code for r in responses]
    if role == "anonymous" or (state == "draft" and role in BUILDERS):
        assert codes == [302] * 4
    elif state == "draft":
        assert codes == [404] * 4
    else:
        assert codes == [403] * 4
    if not (state == "draft" and role in BUILDERS):
        assert list(questionnaire.sections.values_list("title", flat=True)) == [
            "Информиране",
            "Консултации",
        ]


# --- questions -----------------------------------------------------------------------------------


def test_a_question_added_with_its_options(coordinator):
    questionnaire = build(questions=2)
    section = questionnaire.sections.get(title="Консултации")
    new_url = f"{url('question-new', questionnaire.pk)}?section={section.pk}"
    page = html(coordinator.get(new_url))
    assert 'name="options-5-label"' in page  # six empty rows
    assert "A1: Да" in page  # the answers a condition may be
    assert 'src="/static/js/assessments-builder.js"' in page
    revision = fresh(questionnaire).revision
    parent = Question.objects.get(questionnaire=questionnaire, code="A1")
    yes = parent.options.first()
    data = question_data(**{"show_if": str(yes.pk), "options-2-label": "Никога",
                            "options-2-score": "0", "options-0-ORDER": "4"})  # fmt: skip
    response = coordinator.post(new_url, data)
    question = Question.objects.get(questionnaire=questionnaire, code="C1")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert (question.section, question.show_if, question.dimension.slug) == (
        section,
        yes,
        "consultation",
    )
    assert [(o.label, o.score) for o in question.options.all()] == [
        ("Рядко", 30),
        ("Никога", 0),
        ("Редовно", 100),
    ]
    assert fresh(questionnaire).revision == revision + 1


def test_a_question_without_a_section_asks_for_one_first(coordinator):
    questionnaire = QuestionnaireFactory()
    response = coordinator.get(url("question-new", questionnaire.pk))
    assert response["Location"] == url("section-new", questionnaire.pk)
    section = SectionFactory(questionnaire=questionnaire)
    response = coordinator.get(url("question-new", questionnaire.pk))
    assert response.status_code == 200 and response.context["section"] == section


def test_a_yes_no_question_without_options_gets_da_and_ne(coordinator):
    questionnaire = build(questions=2)
    section = questionnaire.sections.first()
    data = question_data(
        **{"type": T.YES_NO, "options-0-label": "", "options-0-score": "",
           "options-1-label": "", "options-1-score": ""}
    )  # fmt: skip
    response = coordinator.post(
        f"{url('question-new', questionnaire.pk)}?section={section.pk}", data
    )
    assert response.status_code == 302
    question = Question.objects.get(questionnaire=questionnaire, code="C1")
    assert [(o.label, o.score) for o in question.options.all()] == [("Да", 100), ("Не", 0)]


def test_a_scale_without_a_dimension_is_saved_with_a_warning(coordinator):
    questionnaire = build(questions=2)
    section = questionnaire.sections.first()
    data = question_data(
        **{"type": T.SCALE, "dimension": "", "low_label": "никак", "options-0-label": "",
           "options-0-score": "", "options-1-label": "", "options-1-score": ""}
    )  # fmt: skip
    new_url = f"{url('question-new', questionnaire.pk)}?section={section.pk}"
    response = coordinator.post(new_url, data, follow=True)
    assert Question.objects.get(questionnaire=questionnaire, code="C1").dimension is None
    assert _("Saved. Without a dimension, its answers are asked but not scored.") in html(response)


BAD_QUESTIONS = [
    ({"code": ""}, "code"),
    ({"code": "A1"}, "code"),
    ({"code": "a1"}, "code"),
    ({"text": ""}, "text"),
    ({"weight": "0"}, "weight"),
    ({"weight": "-1"}, "weight"),
    ({"weight": "много"}, "weight"),
    ({"type": "essay"}, "type"),
    ({"show_if": "999999"}, "show_if"),
    ({"options-1-label": "", "options-1-score": ""}, "options"),
    ({"type": T.YES_NO, "options-2-label": "Може би"}, "options"),
    ({"type": T.MATRIX}, "options"),
    ({"type": T.SHORT_TEXT, "dimension": ""}, "options"),
    (
        {
            "type": T.LONG_TEXT,
            "options-0-label": "",
            "options-0-score": "",
            "options-1-label": "",
            "options-1-score": "",
        },
        "dimension",
    ),
    (
        {
            "type": T.NUMBER,
            "dimension": "",
            "min_value": "10",
            "max_value": "5",
            "options-0-label": "",
            "options-0-score": "",
            "options-1-label": "",
            "options-1-score": "",
        },
        "max_value",
    ),
    (
        {
            "type": T.NUMBER,
            "dimension": "",
            "min_value": "едно",
            "options-0-label": "",
            "options-0-score": "",
            "options-1-label": "",
            "options-1-score": "",
        },
        "min_value",
    ),
    ({"options-0-score": "", "options-1-score": ""}, "dimension"),
    ({"dimension": ""}, "dimension"),
    ({"options-0-score": "101"}, "options-0-score"),
    ({"options-0-score": "-5"}, "options-0-score"),
    ({"options-2-score": "50"}, "options-2-label"),
    (
        {
            "training_need": "on",
            "type": T.SCALE,
            "options-0-label": "",
            "options-0-score": "",
            "options-1-label": "",
            "options-1-score": "",
        },
        "training_need",
    ),
]


@pytest.mark.parametrize(("changes", "field"), BAD_QUESTIONS)
def test_bad_questions_are_refused_next_to_the_field_keeping_what_was_typed(
    changes, field, coordinator
):
    questionnaire = build(questions=2)
    section = questionnaire.sections.first()
    revision = fresh(questionnaire).revision
    data = question_data(**{"help_text": "Моята помощна бележка", **changes})
    response = coordinator.post(
        f"{url('question-new', questionnaire.pk)}?section={section.pk}", data
    )
    assert response.status_code == 200
    form, options = response.context["form"], response.context["options"]
    if field == "options":
        assert options.non_form_errors()
    elif field.startswith("options-"):
        _prefix, index, name = field.split("-")
        assert name in options.forms[int(index)].errors
    else:
        assert field in form.errors
    page = html(response)
    assert "error-summary" in page
    assert "Моята помощна бележка" in page  # what was typed stays
    assert 'value="Редовно"' in page or changes.get("options-0-label") == ""
    assert Question.objects.filter(questionnaire=questionnaire).count() == 2
    assert fresh(questionnaire).revision == revision


def test_editing_a_question_with_its_options(coordinator):
    questionnaire = build(questions=2)
    question = Question.objects.get(questionnaire=questionnaire, code="A2")
    site, _board, unknown = question.options.all()
    page = html(coordinator.get(url("question-edit", questionnaire.pk, question.pk)))
    assert 'value="На сайта"' in page and f'name="options-0-id" value="{site.pk}"' in page
    assert "A1: Да" in page  # its condition, selected
    data = edit_data(question, text="Къде публикува проектите?", **{
        "options-1-label": "На информационното табло", "options-2-DELETE": "on",
        "options-3-label": "В местен вестник", "options-3-score": "20",
    })  # fmt: skip
    response = coordinator.post(url("question-edit", questionnaire.pk, question.pk), data)
    assert response.status_code == 302
    question = fresh(question)
    assert question.text == "Къде публикува проектите?"
    assert [(o.label, o.score) for o in question.options.all()] == [
        ("На сайта", 80),
        ("На информационното табло", 40),
        ("В местен вестник", 20),
    ]
    assert not Option.objects.filter(pk=unknown.pk).exists()


def test_an_invalid_options_formset_leaves_the_question_unchanged(coordinator):
    questionnaire = build(questions=2)
    question = Question.objects.get(questionnaire=questionnaire, code="A2")
    before = [(o.pk, o.label, o.score) for o in question.options.all()]
    data = edit_data(question, text="Нов текст", **{
        "options-0-label": "Променено", "options-1-score": "500",
    })  # fmt: skip
    response = coordinator.post(url("question-edit", questionnaire.pk, question.pk), data)
    assert response.status_code == 200
    assert 'value="Променено"' in html(response) and "Нов текст" in html(response)
    assert fresh(question).text == "Къде ги публикува?"
    assert [(o.pk, o.label, o.score) for o in question.options.all()] == before


def test_an_option_a_condition_relies_on_cannot_be_deleted(coordinator):
    questionnaire = build(questions=2)
    parent = Question.objects.get(questionnaire=questionnaire, code="A1")
    data = edit_data(parent, **{"options-0-DELETE": "on"})
    response = coordinator.post(url("question-edit", questionnaire.pk, parent.pk), data)
    assert response.status_code == 200
    assert any("A2" in str(e) for e in response.context["options"].non_form_errors())
    assert parent.options.count() == 2


def test_a_question_changed_by_someone_else_meanwhile_shows_the_conflict(coordinator):
    questionnaire = build(questions=2)
    question = Question.objects.get(questionnaire=questionnaire, code="A2")
    data = edit_data(question, text="Моят текст")
    # Someone else's save after this form was loaded.
    Question.objects.filter(pk=question.pk).update(text="Техният текст")
    response = coordinator.post(url("question-edit", questionnaire.pk, question.pk), data)
    assert response.status_code == 200
    page = html(response)
    assert response.context["conflict"].rows
    assert "Моят текст" in page and "Техният текст" in page
    assert fresh(question).text == "Техният текст"
    # Saving again replaces theirs.
    fingerprint = response.context["form"]["seen"].value()
    data["seen"] = fingerprint
    response = coordinator.post(url("question-edit", questionnaire.pk, question.pk), data)
    assert response.status_code == 302 and fresh(question).text == "Моят текст"


def test_questions_moved_and_deleted_through_the_pages(coordinator):
    questionnaire = build(questions=2)
    parent = Question.objects.get(questionnaire=questionnaire, code="A1")
    child = Question.objects.get(questionnaire=questionnaire, code="A2")
    # Above its condition's question: refused with the reason.
    response = coordinator.post(
        url("question-move", questionnaire.pk, child.pk), {"direction": "up"}, follow=True
    )
    assert fresh(child).position > fresh(parent).position
    assert "A2" in html(response) and "banner-error" in html(response)
    # Deleting the question a condition relies on: refused with the reason.
    response = coordinator.post(url("question-delete", questionnaire.pk, parent.pk), follow=True)
    assert Question.objects.filter(pk=parent.pk).exists()
    assert "A2" in html(response)
    coordinator.post(url("question-delete", questionnaire.pk, child.pk))
    assert not Question.objects.filter(pk=child.pk).exists()
    coordinator.post(url("question-delete", questionnaire.pk, parent.pk))
    assert not Question.objects.filter(questionnaire=questionnaire).exists()


def test_moving_questions_in_their_section(coordinator):
    questionnaire = build(questions=5)
    b1, b2 = (Question.objects.get(questionnaire=questionnaire, code=c) for c in ("B1", "B2"))
    response = coordinator.post(url("question-move", questionnaire.pk, b2.pk), {"direction": "up"})
    assert response["Location"].endswith(f"#question-{b2.pk}")
    assert fresh(b2).position < fresh(b1).position


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_question_writes_ladder(role, state):
    questionnaire = build(state=state)
    section = questionnaire.sections.first()
    question = Question.objects.get(questionnaire=questionnaire, code="B1")
    client = client_as(role)
    new_url = f"{url('question-new', questionnaire.pk)}?section={section.pk}"
    responses = [
        client.post(new_url, question_data()),
        client.post(url("question-edit", questionnaire.pk, question.pk), edit_data(question)),
        client.post(url("question-move", questionnaire.pk, question.pk), {"direction": "up"}),
        client.post(url("question-delete", questionnaire.pk, question.pk)),
    ]
    codes = [r.status_code for r in responses]
    if role == "anonymous":
        assert codes == [302] * 4
    elif state == "draft" and role in BUILDERS:
        assert codes == [302] * 4
        assert not Question.objects.filter(pk=question.pk).exists()
    elif state == "draft":
        assert codes == [404] * 4
    else:
        assert codes == [403] * 4
    if not (state == "draft" and role in BUILDERS):
        assert Question.objects.filter(questionnaire=questionnaire).count() == 3


@pytest.mark.parametrize("size", [5, 50])
def test_the_question_form_query_count_is_flat(size, coordinator, django_assert_max_num_queries):
    questionnaire = build(questions=size)
    question = Question.objects.get(questionnaire=questionnaire, code="B1")
    with django_assert_max_num_queries(10):
        response = coordinator.get(url("question-edit", questionnaire.pk, question.pk))
    assert response.status_code == 200


# --- states and versions -------------------------------------------------------------------------


def test_publishing_through_the_page(coordinator):
    questionnaire = build()
    empty = SectionFactory(questionnaire=questionnaire, title="Празен раздел", position=9)
    response = coordinator.post(url("questionnaire-publish", questionnaire.pk), follow=True)
    assert fresh(questionnaire).state == QuestionnaireState.DRAFT
    assert "Празен раздел" in html(response)
    empty.delete()
    response = coordinator.post(url("questionnaire-publish", questionnaire.pk))
    assert response["Location"] == questionnaire.get_absolute_url()
    assert fresh(questionnaire).state == QuestionnaireState.PUBLISHED
    # Once ready for use, nothing changes: the page says why and offers a new version.
    response = coordinator.post(url("section-new", questionnaire.pk), {"title": "Нов"})
    assert response.status_code == 403
    assert url("questionnaire-new-version", questionnaire.pk) in html(response)
    assert questionnaire.sections.count() == 2


def test_a_new_version_through_the_page(coordinator):
    questionnaire = build(published=True)
    response = coordinator.post(url("questionnaire-new-version", questionnaire.pk))
    copy = Questionnaire.objects.get(family=questionnaire.family, version=2)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.based_on == questionnaire and copy.state == QuestionnaireState.DRAFT
    child = Question.objects.get(questionnaire=copy, code="A2")
    assert child.show_if.question == Question.objects.get(questionnaire=copy, code="A1")
    # Asked again: the draft already being prepared.
    response = coordinator.post(url("questionnaire-new-version", questionnaire.pk))
    assert response["Location"] == copy.get_absolute_url()
    assert Questionnaire.objects.filter(family=questionnaire.family).count() == 2
    # A draft is changed as it is.
    response = coordinator.post(url("questionnaire-new-version", copy.pk))
    assert Questionnaire.objects.filter(family=questionnaire.family).count() == 2


def test_archiving_through_the_page(coordinator):
    questionnaire = build(published=True)
    coordinator.post(url("questionnaire-archive", questionnaire.pk))
    assert fresh(questionnaire).state == QuestionnaireState.ARCHIVED
    page = html(coordinator.get(questionnaire.get_absolute_url()))
    assert url("questionnaire-archive", questionnaire.pk) not in page
    assert url("questionnaire-new-version", questionnaire.pk) in page
    draft = build()
    coordinator.post(url("questionnaire-archive", draft.pk))
    assert fresh(draft).state == QuestionnaireState.DRAFT


@pytest.mark.parametrize("role", LADDER)
@pytest.mark.parametrize("state", ["draft", "published"])
def test_state_actions_ladder(role, state):
    questionnaire = build(state=state)
    client = client_as(role)
    codes = [
        client.post(url(name, questionnaire.pk)).status_code
        for name in ("questionnaire-publish", "questionnaire-new-version", "questionnaire-archive")
    ]
    after = Questionnaire.objects.filter(family=questionnaire.family)
    if role == "anonymous":
        assert codes == [302] * 3
    elif role in BUILDERS:
        assert codes[0] in (302, 403)
    elif state == "draft":
        assert codes == [404] * 3
    else:
        assert codes == [403] * 3
    if role not in BUILDERS:
        assert [(q.pk, q.state) for q in after] == [(questionnaire.pk, state)]


def test_writes_are_post_only(coordinator):
    questionnaire = build()
    section = questionnaire.sections.first()
    question = Question.objects.filter(questionnaire=questionnaire).first()
    for target in (
        url("questionnaire-publish", questionnaire.pk),
        url("questionnaire-new-version", questionnaire.pk),
        url("questionnaire-archive", questionnaire.pk),
        url("section-delete", questionnaire.pk, section.pk),
        url("section-move", questionnaire.pk, section.pk),
        url("question-delete", questionnaire.pk, question.pk),
        url("question-move", questionnaire.pk, question.pk),
    ):
        assert coordinator.get(target).status_code == 405


def test_the_pages_have_breadcrumbs_and_titles(coordinator):
    questionnaire = build()
    question = Question.objects.filter(questionnaire=questionnaire).first()
    for target in (
        url("questionnaires"),
        questionnaire.get_absolute_url(),
        url("questionnaire-edit", questionnaire.pk),
        url("section-new", questionnaire.pk),
        url("question-edit", questionnaire.pk, question.pk),
    ):
        page = html(coordinator.get(target))
        assert 'class="breadcrumbs"' in page, target
        assert re.search(r"<h1>[^<]+</h1>", page), target
        assert 'style="' not in page and "<script>" not in page, target


def test_writes_are_rate_limited(coordinator, monkeypatch):
    questionnaire = QuestionnaireFactory()
    monkeypatch.setattr("core.ratelimit.hit", lambda *args: False)
    response = coordinator.post(url("section-new", questionnaire.pk), {"title": "Нов"})
    assert response.status_code == 429
    assert not questionnaire.sections.exists()
