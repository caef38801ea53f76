"""Taking part: commenting, replying, supporting, editing and reporting in every state and for
every rung of the ladder; speaking for an organisation or a network; the 15-minute window;
the stored counts; bad input; rate limits; and a corpus of XSS payloads none of which survives
into the page."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations import comments as workflows
from consultations.enums import ShownAs, State
from consultations.models import MAX_COMMENT_LENGTH, Comment, CommentFlag, Consultation, Support
from tests.clients import signed_in
from tests.consultations.test_public import LADDER, MANAGERS, People, make_people
from tests.factories.accounts import UserFactory
from tests.factories.consultations import ConsultationFactory
from tests.factories.organisations import (
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

STATES = [State.SCHEDULED, State.OPEN, State.CLOSED, State.REPORT_PUBLISHED]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def people() -> People:
    return make_people()


def _in_state(state: str) -> tuple[Consultation, Comment]:
    """A consultation in `state` with a proposal by someone outside the ladder."""
    c = ConsultationFactory()
    stranger = UserFactory(first_name="Мария", last_name="Николова")
    proposal = workflows.add_comment(
        c, stranger, text="Да се намали шумът.", is_proposal=True, proposed_wording="Чл. 3. Нов."
    )
    Consultation.objects.filter(pk=c.pk).update(state=state)
    c.refresh_from_db()
    return c, proposal


def _login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _hidden_or_login(role: str, state: str, response) -> bool:
    """Anonymous people are sent to sign in, or get a 404 for what they may not see; others
    get the 404 for a consultation not yet published to them."""
    unseen = state == State.SCHEDULED and role not in MANAGERS
    if role == "anonymous":
        return _login_redirect(response) or (unseen and response.status_code == 404)
    return not unseen or response.status_code == 404


# --- the ladder ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", LADDER)
def test_comment_ladder(people: People, state, role):
    c, _proposal = _in_state(state)
    before = Comment.objects.count()
    response = people.client(role).post(
        c.get_absolute_url(), {"text": "Подкрепям проекта.", "shown_as": ShownAs.FULL_NAME}
    )
    allowed = state == State.OPEN and role != "anonymous"
    if allowed:
        assert response.status_code == 302
        made = Comment.objects.latest("pk")
        assert response["Location"] == reverse("consultations:comment", args=[c.pk, made.pk])
        assert made.author == people.users[role]
    else:
        assert Comment.objects.count() == before
        assert _hidden_or_login(role, state, response)
        if role != "anonymous" and (state != State.SCHEDULED or role in MANAGERS):
            assert response.status_code == 302  # back to the page, which says why


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", LADDER)
def test_reply_ladder(people: People, state, role):
    c, proposal = _in_state(state)
    before = Comment.objects.count()
    url = reverse("consultations:comment", args=[c.pk, proposal.pk])
    response = people.client(role).post(url, {"text": "Съгласен съм.", "shown_as": "full_name"})
    if state == State.OPEN and role != "anonymous":
        reply = Comment.objects.latest("pk")
        assert reply.parent == proposal
        assert not reply.is_proposal
        assert response.status_code == 302
    else:
        assert Comment.objects.count() == before
        assert _hidden_or_login(role, state, response)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", LADDER)
def test_support_ladder(people: People, state, role):
    c, proposal = _in_state(state)
    url = reverse("consultations:comment-support", args=[c.pk, proposal.pk])
    response = people.client(role).post(url)
    proposal.refresh_from_db()
    if state == State.OPEN and role != "anonymous":
        assert proposal.supports_count == 1
        assert Support.objects.filter(comment=proposal, user=people.users[role]).exists()
    else:
        assert proposal.supports_count == 0
        assert not Support.objects.exists()
        assert _hidden_or_login(role, state, response)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", LADDER)
def test_flag_ladder(people: People, state, role):
    c, proposal = _in_state(state)
    url = reverse("consultations:comment-report", args=[c.pk, proposal.pk])
    response = people.client(role).post(url, {"reason": "Обиден език."})
    visible = state != State.SCHEDULED or role in MANAGERS
    if role != "anonymous" and visible:
        assert response.status_code == 302
        assert CommentFlag.objects.filter(comment=proposal, reason="Обиден език.").count() == 1
    else:
        assert not CommentFlag.objects.exists()
        assert _hidden_or_login(role, state, response)


@pytest.mark.parametrize("state", STATES)
def test_edit_only_while_open(people: People, state):
    c = ConsultationFactory()
    author = people.users["citizen"]
    comment = workflows.add_comment(c, author, text="Първи вариант.")
    Consultation.objects.filter(pk=c.pk).update(state=state)
    url = reverse("consultations:comment-edit", args=[c.pk, comment.pk])
    client = signed_in(author)
    response = client.post(url, {"text": "Поправен вариант."})
    comment.refresh_from_db()
    if state == State.OPEN:
        assert comment.text == "Поправен вариант."
        assert comment.edited_at is not None
    elif state == State.SCHEDULED:
        assert response.status_code == 404  # a citizen does not see it before it opens
        assert comment.text == "Първи вариант."
    else:
        assert comment.text == "Първи вариант."
        page = client.get(response["Location"])
        assert workflows.closed_message(c) in page.content.decode()


@pytest.mark.parametrize("role", [r for r in LADDER if r not in ("anonymous", "citizen")])
def test_nobody_edits_another_persons_comment(people: People, role):
    c = ConsultationFactory()
    comment = workflows.add_comment(c, people.users["citizen"], text="Моят коментар.")
    url = reverse("consultations:comment-edit", args=[c.pk, comment.pk])
    response = people.client(role).post(url, {"text": "Чужда поправка."})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Моят коментар."


def test_closed_page_says_why_and_offers_no_forms(people: People):
    c, proposal = _in_state(State.CLOSED)
    html = people.client("citizen").get(c.get_absolute_url()).content.decode()
    assert workflows.closed_message(c) in html
    assert 'name="text"' not in html
    assert reverse("consultations:comment-support", args=[c.pk, proposal.pk]) not in html


def test_after_the_last_day_comments_are_refused_even_before_the_platform_closes_it(
    people: People,
):
    c = ConsultationFactory()
    Consultation.objects.filter(pk=c.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    c.refresh_from_db()
    with pytest.raises(workflows.CommentError):
        workflows.add_comment(c, people.users["citizen"], text="Закъснял коментар.")
    assert not Comment.objects.filter(consultation=c).exists()


# --- voices ----------------------------------------------------------------------------------


def test_on_behalf_of_an_organisation_only_by_its_representative(people: People):
    c = ConsultationFactory()
    org = people.organisation
    voice = f"org:{org.pk}"
    url = c.get_absolute_url()
    # The representative sees the choice and uses it.
    page = people.client("representative").get(url).content.decode()
    assert f'value="{voice}"' in page
    response = people.client("representative").post(
        url, {"voice": voice, "text": "Позиция на сдружението.", "shown_as": "full_name"}
    )
    assert response.status_code == 302
    made = Comment.objects.get(text="Позиция на сдружението.")
    assert made.organisation_id == org.pk
    assert made.display_name == org.display_name
    # Anyone else is refused: the choice is not theirs.
    for role in ("citizen", "owner staff", "moderator", "administrator"):
        response = people.client(role).post(
            url, {"voice": voice, "text": f"Чужда позиция {role}.", "shown_as": "full_name"}
        )
        assert response.status_code == 200
        assert "id_voice_error" in response.content.decode()
        assert not Comment.objects.filter(text=f"Чужда позиция {role}.").exists()
    with pytest.raises(workflows.CommentError):
        workflows.add_comment(c, people.users["citizen"], text="Опит.", organisation=org)


def test_joint_position_only_by_the_coordinators_representative():
    c = ConsultationFactory()
    coordinator_org = OrganisationFactory(name="Сдружение „Координатор“")
    member_org = OrganisationFactory(name="Фондация „Член“")
    network = NetworkFactory(name="Мрежа „Заедно“", coordinator=coordinator_org)
    MembershipFactory(network=network, organisation=coordinator_org)
    MembershipFactory(network=network, organisation=member_org)
    coordinator = UserFactory()
    representative_of(coordinator_org, coordinator)
    member = UserFactory()
    representative_of(member_org, member)
    voice = f"net:{network.pk}"

    assert f'value="{voice}"' in signed_in(coordinator).get(c.get_absolute_url()).content.decode()
    response = signed_in(coordinator).post(
        c.get_absolute_url(), {"voice": voice, "text": "Обща позиция.", "shown_as": "full_name"}
    )
    assert response.status_code == 302
    made = Comment.objects.get(text="Обща позиция.")
    assert made.network == network and made.organisation is None
    assert made.display_name == "Мрежа „Заедно“"

    page = signed_in(member).get(c.get_absolute_url()).content.decode()
    assert f'value="{voice}"' not in page
    response = signed_in(member).post(
        c.get_absolute_url(), {"voice": voice, "text": "Не моя позиция.", "shown_as": "full_name"}
    )
    assert response.status_code == 200
    assert not Comment.objects.filter(text="Не моя позиция.").exists()
    with pytest.raises(workflows.CommentError):
        workflows.add_comment(c, member, text="Опит.", network=network)


def test_display_name_full_or_initials_fixed_at_writing(people: People):
    c = ConsultationFactory()
    citizen = people.users["citizen"]
    full = workflows.add_comment(c, citizen, text="Едно.", shown_as=ShownAs.FULL_NAME)
    short = workflows.add_comment(c, citizen, text="Друго.", shown_as=ShownAs.INITIALS)
    assert full.display_name == "Иван Петров"
    assert short.display_name == "И. П."
    citizen.first_name = "Георги"
    citizen.save()
    full.refresh_from_db()
    assert full.display_name == "Иван Петров"
    html = signed_in(None).get(c.get_absolute_url()).content.decode()
    assert "И. П." in html and citizen.email not in html


# --- the 15 minutes --------------------------------------------------------------------------


def test_edit_window_of_15_minutes_with_frozen_time(people: People, monkeypatch):
    written = timezone.now().replace(microsecond=0)
    clock = {"now": written}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    c = ConsultationFactory()
    author = people.users["citizen"]
    comment = workflows.add_comment(c, author, text="Първо.")
    assert comment.created_at == written
    url = reverse("consultations:comment-edit", args=[c.pk, comment.pk])
    client = signed_in(author)

    clock["now"] = written + datetime.timedelta(minutes=14, seconds=59)
    page = client.get(url)
    assert page.status_code == 200
    client.post(url, {"text": "Поправено."})
    comment.refresh_from_db()
    assert comment.text == "Поправено."

    clock["now"] = written + datetime.timedelta(minutes=15, seconds=1)
    response = client.post(url, {"text": "Твърде късно."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Поправено."
    shown = client.get(response["Location"]).content.decode()
    assert (
        _(
            "A comment can be edited for 15 minutes after it is written; after that it is "
            "part of the record."
        )
        in shown
    )
    assert url not in shown  # no edit link any more
    with pytest.raises(workflows.CommentError):
        workflows.edit_comment(comment, author, text="Пак.")


# --- counts ----------------------------------------------------------------------------------


def test_counts_are_kept(people: People):
    c = ConsultationFactory()
    art = c.current_version.articles.get(anchor="chl-3")
    citizen, rep, other = (
        people.users["citizen"],
        people.users["representative"],
        people.users["moderator"],
    )
    proposal = workflows.add_comment(
        c, citizen, text="Да е до 22:00.", article=art, is_proposal=True, proposed_wording="22:00"
    )
    workflows.add_comment(c, citizen, text="Общо мнение.")
    workflows.add_comment(c, rep, text="Отговор.", parent=proposal)
    workflows.add_comment(c, rep, text="За сдружението.", organisation=people.organisation)
    workflows.support(proposal, other)
    workflows.support(proposal, rep)
    with pytest.raises(workflows.CommentError):
        workflows.support(proposal, rep)  # once
    with pytest.raises(workflows.CommentError):
        workflows.support(proposal, citizen)  # not one's own
    c.refresh_from_db()
    art.refresh_from_db()
    proposal.refresh_from_db()
    assert (c.comments_count, c.proposals_count, c.participants_count) == (4, 1, 2)
    assert art.comments_count == 2  # the proposal and its reply
    assert proposal.supports_count == 2
    # Turning a comment into a proposal while it may still be edited.
    plain = Comment.objects.get(text="Общо мнение.")
    workflows.edit_comment(plain, citizen, text="Общо мнение.", is_proposal=True,
                           proposed_wording="Нов текст.")  # fmt: skip
    c.refresh_from_db()
    assert c.proposals_count == 2
    # The page shows the stored numbers.
    html = signed_in(None).get(reverse("consultations:unit", args=[c.pk, "chl-3"])).content.decode()
    assert "22:00" in html


def test_a_reply_cannot_be_supported_or_be_a_proposal(people: People):
    c = ConsultationFactory()
    top = workflows.add_comment(c, people.users["citizen"], text="Горе.")
    reply = workflows.add_comment(
        c, people.users["representative"], text="Отговор.", parent=top, is_proposal=True,
        proposed_wording="Х",
    )  # fmt: skip
    assert not reply.is_proposal
    with pytest.raises(workflows.CommentError):
        workflows.support(reply, people.users["moderator"])
    # A reply to a reply joins the same thread (one level).
    deeper = workflows.add_comment(c, people.users["moderator"], text="Още.", parent=reply)
    assert deeper.parent_id == top.pk


# --- bad input -------------------------------------------------------------------------------


def test_empty_comment_is_refused_next_to_the_field(people: People):
    c = ConsultationFactory()
    response = people.client("citizen").post(
        c.get_absolute_url(), {"text": "   ", "shown_as": "full_name"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "id_text_error" in html
    assert _("Write the comment.") in html
    assert not Comment.objects.filter(consultation=c).exists()


def test_too_long_comment_is_refused_and_kept_in_the_form(people: People):
    c = ConsultationFactory()
    text = "Дълъг текст. " * (MAX_COMMENT_LENGTH // 13 + 5)
    assert len(text) > MAX_COMMENT_LENGTH
    response = people.client("citizen").post(
        c.get_absolute_url(), {"text": text, "shown_as": "full_name"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "id_text_error" in html
    assert "Дълъг текст. Дълъг текст." in html  # what was typed is kept
    assert not Comment.objects.filter(consultation=c).exists()
    # Exactly the limit is fine.
    ok = people.client("citizen").post(
        c.get_absolute_url(), {"text": "я" * MAX_COMMENT_LENGTH, "shown_as": "full_name"}
    )
    assert ok.status_code == 302


def test_proposal_needs_its_wording(people: People):
    c = ConsultationFactory()
    response = people.client("citizen").post(
        c.get_absolute_url(),
        {"text": "Предлагам промяна.", "shown_as": "full_name", "is_proposal": "on"},
    )
    assert response.status_code == 200
    assert "id_proposed_wording_error" in response.content.decode()
    assert not Comment.objects.filter(consultation=c).exists()


def test_honeypot_stops_bots(people: People):
    c = ConsultationFactory()
    response = people.client("citizen").post(
        c.get_absolute_url(),
        {"text": "Купете евтино!", "shown_as": "full_name", "website": "http://spam.example"},
    )
    assert response.status_code == 200
    assert not Comment.objects.filter(consultation=c).exists()


def test_rate_limit_is_stricter_for_new_accounts():
    c = ConsultationFactory()
    young = UserFactory()
    for i in range(workflows.NEW_ACCOUNT_COMMENTS_PER_HOUR):
        workflows.add_comment(c, young, text=f"Нов {i}.")
    with pytest.raises(workflows.CommentError):
        workflows.add_comment(c, young, text="Още един.")
    old = UserFactory()
    old.date_joined = timezone.now() - datetime.timedelta(days=30)
    old.save()
    for i in range(workflows.COMMENTS_PER_HOUR):
        workflows.add_comment(c, old, text=f"Стар {i}.")
    with pytest.raises(workflows.CommentError):
        workflows.add_comment(c, old, text="Единадесети.")
    # Through the page, the message is shown and nothing is saved.
    response = signed_in(young).post(
        c.get_absolute_url(), {"text": "Пак.", "shown_as": "full_name"}
    )
    assert response.status_code == 200
    assert not Comment.objects.filter(text="Пак.").exists()


# --- XSS -------------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "![x](javascript:alert(1))",
    "[щракни](javascript:alert(1))",
    "[щракни](JaVaScRiPt:alert(1))",
    "[щракни](  javascript:alert(1))",
    '<a href="javascript:alert(1)">връзка</a>',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    "<<script>alert(1)//<</script>",
    "[a](vbscript:msgbox(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](&#106;avascript:alert(1))",
    "`<script>`alert(1)",
    "<input autofocus onfocus=alert(1)>",
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]


class _Tags(HTMLParser):
    """The tags and attributes inside the comments of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "div" and cls == "prose":
            self.depth += 1
        elif self.depth:
            self.found.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def test_xss_corpus_is_neutralised(people: People):
    c = ConsultationFactory()
    for i, payload in enumerate(XSS_PAYLOADS):
        user = UserFactory()
        workflows.add_comment(
            c, user, text=payload, is_proposal=True, proposed_wording=f"{payload} {i}"
        )
    for page in (1, 2):
        html = signed_in(None).get(c.get_absolute_url(), {"page": page}).content.decode()
        parser = _Tags()
        parser.feed(html)
        for tag, attrs in parser.found:
            assert tag not in {
                "script", "svg", "iframe", "object", "embed", "style", "math", "body",
                "input", "details", "meta", "div",
            }, (tag, attrs)  # fmt: skip
            for name, value in attrs:
                assert not name.startswith("on"), (tag, name)
                assert name != "style", (tag, name)
                lowered = (value or "").replace(" ", "").lower()
                assert not lowered.startswith(("javascript:", "vbscript:", "data:")), value
        assert "<script" not in html.lower()
