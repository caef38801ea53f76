"""Networks of organisations: creating, applying, inviting, accepting, leaving, handing over
the coordination, the public page, announcements to members, and who may do each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from organisations import networks as services
from organisations.loader import CC_SOURCE
from organisations.models import Announcement, JointArea, Membership, Network, Organisation
from tests.clients import signed_in
from tests.conftest import Mailbox
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.organisations import (
    JointAreaFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    TaskFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

LADDER = [
    "anonymous",
    "citizen",
    "non-member representative",
    "member representative",
    "coordinator",
    "moderator",
    "administrator",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@dataclass
class Family:
    network: Network
    coordinator_org: Organisation
    member_org: Organisation
    outsider_org: Organisation
    people: dict[str, User | None]

    def client(self, role: str) -> Client:
        return signed_in(self.people[role])


def make_family(members: int = 1) -> Family:
    coordinator_org = OrganisationFactory(name="Сдружение „Граждански инициативи – Пазарджик“")
    network = NetworkFactory(
        name="Семейство на НПО от Южен централен район", coordinator=coordinator_org
    )
    MembershipFactory(network=network, organisation=coordinator_org)
    member_org = OrganisationFactory(name="Фондация „Родопски хоризонти“")
    MembershipFactory(network=network, organisation=member_org)
    for _ in range(members - 1):
        MembershipFactory(network=network)
    outsider_org = OrganisationFactory(name="Сдружение „Зелени Балкани – Смолян“")
    JointAreaFactory(network=network, name="Прозрачност на местния бюджет")
    services._recount(network)
    coordinator = UserFactory(first_name="Мария", last_name="Примерова")
    representative_of(coordinator_org, coordinator)
    member = UserFactory(first_name="Стоян", last_name="Колев")
    representative_of(member_org, member)
    outsider = UserFactory(first_name="Нели", last_name="Андреева")
    representative_of(outsider_org, outsider)
    people: dict[str, User | None] = {
        "anonymous": None,
        "citizen": UserFactory(),
        "non-member representative": outsider,
        "member representative": member,
        "coordinator": coordinator,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }
    return Family(network, coordinator_org, member_org, outsider_org, people)


@pytest.fixture
def family() -> Family:
    return make_family()


def _login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _refused(response) -> bool:
    return response.status_code == 403 or _login_redirect(response)


# --- the public pages ------------------------------------------------------------------------


def test_network_page_is_public_with_purpose_areas_members_and_plan(family: Family):
    TaskFactory(network=family.network, title="Анализ на бюджета на община Смолян")
    response = Client().get(family.network.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Семейство на НПО от Южен централен район" in html
    assert "Общи действия" in html  # the purpose, rendered from Markdown
    assert "Прозрачност на местния бюджет" in html
    assert "Фондация „Родопски хоризонти“" in html
    assert reverse("organisations:network-plan", args=[family.network.pk]) in html
    assert reverse("organisations:network-history", args=[family.network.pk]) in html
    # Announcements are for members only: no link for a visitor.
    assert reverse("organisations:network-announcements", args=[family.network.pk]) not in html


def test_purpose_markdown_is_sanitised(family: Family):
    Network.objects.filter(pk=family.network.pk).update(
        purpose="**Заедно** <script>alert(1)</script>"
    )
    html = Client().get(family.network.get_absolute_url()).content.decode()
    assert "<strong>Заедно</strong>" in html
    assert "<script>alert(1)" not in html


def test_network_list_is_public(family: Family):
    response = Client().get(reverse("organisations:networks"))
    assert response.status_code == 200
    assert family.network.name in response.content.decode()


def test_unknown_network_is_404():
    assert Client().get(reverse("organisations:network", args=[999999])).status_code == 404
    assert Client().get("/organisations/networks/99999999999999999999/").status_code == 404


def test_network_page_queries_do_not_grow_with_members_and_tasks():
    small = make_family(members=2)
    for _ in range(2):
        TaskFactory(network=small.network)
    big = make_family(members=30)
    for _ in range(30):
        TaskFactory(network=big.network, responsible=big.member_org)
    for family in (small, big):
        position = services.publish_position(
            user=family.people["coordinator"], network=family.network, title="Позиция", body="Т"
        )
        for membership in family.network.memberships.filter(status="member"):
            services.sign(position, membership.organisation, family.people["coordinator"])
    counts = []
    for family in (small, big):
        client = family.client("coordinator")
        for url in (
            family.network.get_absolute_url(),
            reverse("organisations:network-members", args=[family.network.pk]),
        ):
            client.get(url)  # warm caches (content types, session)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append((url, len(ctx)))
    assert counts[0][1] == counts[2][1], counts
    assert counts[1][1] == counts[3][1], counts


# --- creating a network ----------------------------------------------------------------------


def _create_data(org: Organisation) -> dict[str, object]:
    return {
        "coordinator": org.pk,
        "name": "Мрежа за прозрачност – Хасково",
        "purpose": "Наблюдение на бюджетите.",
        "areas": "Прозрачност на бюджета\nГражданско участие\n\nПрозрачност на бюджета",
        "provinces": ["HKV", "KRZ"],
    }


@pytest.mark.parametrize("role", LADDER)
def test_create_permission_ladder(family: Family, role: str):
    client = family.client(role)
    response = client.get(reverse("organisations:network-create"))
    if role in ("non-member representative", "member representative", "coordinator"):
        assert response.status_code == 200
    else:
        assert _refused(response)


def test_representative_creates_a_network_coordinated_by_their_organisation(family: Family):
    client = family.client("non-member representative")
    response = client.post(
        reverse("organisations:network-create"), _create_data(family.outsider_org)
    )
    network = Network.objects.get(name="Мрежа за прозрачност – Хасково")
    assert response.status_code == 302
    assert response["Location"] == network.get_absolute_url()
    assert network.coordinator == family.outsider_org
    assert network.is_demo is True  # as demo as its coordinator
    assert list(network.areas.values_list("name", flat=True)) == [
        "Прозрачност на бюджета",
        "Гражданско участие",
    ]
    assert set(network.provinces.values_list("code", flat=True)) == {"HKV", "KRZ"}
    assert network.members_count == 1
    assert network.memberships.get().organisation == family.outsider_org


def test_cannot_create_for_an_organisation_one_does_not_represent(family: Family):
    client = family.client("non-member representative")
    data = _create_data(family.member_org)
    response = client.post(reverse("organisations:network-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["coordinator"]
    assert not Network.objects.filter(name=data["name"]).exists()


def test_create_bad_input_keeps_what_was_typed(family: Family):
    client = family.client("coordinator")
    data = _create_data(family.coordinator_org) | {"name": "", "areas": "  \n "}
    response = client.post(reverse("organisations:network-create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Наблюдение на бюджетите." in html
    form = response.context["form"]
    assert form.errors["name"] and form.errors["areas"]
    assert Network.objects.count() == 1


@pytest.mark.parametrize("role", LADDER)
def test_edit_permission_ladder(family: Family, role: str):
    response = family.client(role).get(
        reverse("organisations:network-edit", args=[family.network.pk])
    )
    if role in ("coordinator", "administrator"):
        assert response.status_code == 200
    else:
        assert _refused(response)


def test_edit_keeps_areas_still_named_and_their_tasks(family: Family):
    area = family.network.areas.get()
    task = TaskFactory(network=family.network, area=area)
    client = family.client("coordinator")
    response = client.post(
        reverse("organisations:network-edit", args=[family.network.pk]),
        {
            "name": "Ново име",
            "purpose": "Нова цел",
            "areas": "Младежко участие\nПрозрачност на местния бюджет",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.area_id == area.pk
    names = list(JointArea.objects.filter(network=family.network).values_list("name", flat=True))
    assert names == ["Младежко участие", "Прозрачност на местния бюджет"]
    family.network.refresh_from_db()
    assert family.network.name == "Ново име"


# --- applying, inviting, accepting, leaving, handing over ------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_apply_permission_ladder(family: Family, role: str):
    response = family.client(role).get(
        reverse("organisations:network-apply", args=[family.network.pk])
    )
    if role == "non-member representative":
        assert response.status_code == 200
    else:
        assert _refused(response)


def test_apply_then_coordinator_accepts(family: Family):
    url = reverse("organisations:network-apply", args=[family.network.pk])
    response = family.client("non-member representative").post(
        url, {"organisation": family.outsider_org.pk}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(network=family.network, organisation=family.outsider_org)
    assert membership.status == Membership.Status.APPLIED
    # Applied once: may not apply again while the coordinator decides.
    assert family.client("non-member representative").get(url).status_code == 403

    members_url = reverse("organisations:network-members", args=[family.network.pk])
    page = family.client("coordinator").get(members_url)
    assert "Сдружение „Зелени Балкани – Смолян“" in page.content.decode()
    response = family.client("coordinator").post(
        members_url, {"action": "accept", "membership": membership.pk}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.MEMBER
    assert membership.joined_on == services.today()
    family.network.refresh_from_db()
    assert family.network.members_count == 3


def test_refuse_an_application(family: Family):
    membership = services.apply(family.network, family.outsider_org)
    family.client("coordinator").post(
        reverse("organisations:network-members", args=[family.network.pk]),
        {"action": "refuse", "membership": membership.pk},
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REFUSED
    # A refused organisation may apply again later.
    assert services.apply(family.network, family.outsider_org).status == "applied"


def test_invite_then_the_invited_organisation_accepts(family: Family):
    members_url = reverse("organisations:network-members", args=[family.network.pk])
    client = family.client("coordinator")
    page = client.get(members_url, {"q": "Зелени Балкани"})
    assert family.outsider_org in page.context["candidates"]
    client.post(members_url, {"action": "invite", "organisation": family.outsider_org.pk})
    membership = Membership.objects.get(network=family.network, organisation=family.outsider_org)
    assert membership.status == Membership.Status.INVITED
    # The invited organisation's representative accepts through the same page as applying.
    response = family.client("non-member representative").post(
        reverse("organisations:network-apply", args=[family.network.pk]),
        {"organisation": family.outsider_org.pk},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.MEMBER


def test_real_register_entries_cannot_join_a_demo_network(family: Family):
    real = Organisation.objects.filter(source=CC_SOURCE).first()
    assert real is not None and not real.is_demo
    with pytest.raises(services.NetworkError):
        services.invite(family.network, real)
    page = family.client("coordinator").get(
        reverse("organisations:network-members", args=[family.network.pk]), {"q": real.name[:8]}
    )
    assert real not in page.context["candidates"]


@pytest.mark.parametrize("role", LADDER)
def test_members_page_and_management_ladder(family: Family, role: str):
    url = reverse("organisations:network-members", args=[family.network.pk])
    response = family.client(role).get(url)
    if role in ("member representative", "coordinator", "administrator"):
        assert response.status_code == 200
    else:
        assert _refused(response)
    membership = (
        services.apply(family.network, family.outsider_org)
        if role != "non-member representative"
        else None
    )
    if membership is None:
        return
    response = family.client(role).post(url, {"action": "accept", "membership": membership.pk})
    membership.refresh_from_db()
    if role in ("coordinator", "administrator"):
        assert membership.status == Membership.Status.MEMBER
    else:
        assert _refused(response)
        assert membership.status == Membership.Status.APPLIED


@pytest.mark.parametrize("role", LADDER)
def test_leave_ladder(family: Family, role: str):
    membership = Membership.objects.get(network=family.network, organisation=family.member_org)
    response = family.client(role).post(
        reverse("organisations:network-members", args=[family.network.pk]),
        {"action": "leave", "membership": membership.pk},
    )
    membership.refresh_from_db()
    if role == "member representative":
        assert response.status_code == 302
        assert membership.status == Membership.Status.LEFT
        assert membership.left_on == services.today()
        family.network.refresh_from_db()
        assert family.network.members_count == 1
    else:
        assert response.status_code in (302, 403, 404)
        assert membership.status == Membership.Status.MEMBER


def test_coordinator_cannot_leave_before_handing_over(family: Family):
    membership = Membership.objects.get(network=family.network, organisation=family.coordinator_org)
    with pytest.raises(services.NetworkError):
        services.leave(membership)


def test_hand_over_the_coordination(family: Family):
    url = reverse("organisations:network-members", args=[family.network.pk])
    # Only to a member.
    family.client("coordinator").post(
        url, {"action": "handover", "organisation": family.outsider_org.pk}
    )
    family.network.refresh_from_db()
    assert family.network.coordinator == family.coordinator_org
    # A member may not take it.
    response = family.client("member representative").post(
        url, {"action": "handover", "organisation": family.member_org.pk}
    )
    assert response.status_code == 403
    family.client("coordinator").post(
        url, {"action": "handover", "organisation": family.member_org.pk}
    )
    family.network.refresh_from_db()
    assert family.network.coordinator == family.member_org
    # The rights moved with it.
    member = family.people["member representative"]
    coordinator = family.people["coordinator"]
    assert member.has_perm("organisations.change_network", family.network)
    assert not User.objects.get(pk=coordinator.pk).has_perm(
        "organisations.change_network", family.network
    )


def test_bad_members_post_is_404(family: Family):
    url = reverse("organisations:network-members", args=[family.network.pk])
    client = family.client("coordinator")
    assert client.post(url, {"action": "nonsense"}).status_code == 404
    assert client.post(url, {"action": "accept", "membership": "x"}).status_code == 404


# --- announcements ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_announce_ladder(family: Family, role: str):
    url = reverse("organisations:network-announce", args=[family.network.pk])
    response = family.client(role).post(url, {"subject": "Среща", "body": "Заповядайте."})
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302
        assert Announcement.objects.filter(network=family.network).count() == 1
    else:
        assert _refused(response)
        assert not Announcement.objects.exists()


@pytest.mark.parametrize("role", LADDER)
def test_announcements_visible_to_members_only(family: Family, role: str):
    Announcement.objects.create(network=family.network, subject="Вътрешна среща", body="Т")
    response = family.client(role).get(
        reverse("organisations:network-announcements", args=[family.network.pk])
    )
    if role in ("member representative", "coordinator", "moderator", "administrator"):
        assert response.status_code == 200
        assert "Вътрешна среща" in response.content.decode()
    else:
        assert _refused(response)
    page = family.client(role).get(family.network.get_absolute_url()).content.decode()
    assert "Вътрешна среща" not in page


def test_announcement_goes_to_every_member_representative_once(family: Family, mailbox: Mailbox):
    second = UserFactory(email="second@ngo.example.org")
    representative_of(family.member_org, second)
    outsider = family.people["non-member representative"]
    applied = OrganisationFactory()
    MembershipFactory(network=family.network, organisation=applied, status="applied")
    representative_of(applied, UserFactory(email="applicant@ngo.example.org"))

    response = family.client("coordinator").post(
        reverse("organisations:network-announce", args=[family.network.pk]),
        {"subject": "Работна среща в Пловдив", "body": "Срещата е на 12.12.2026 г. в 14:30 ч."},
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.recipients_count == 3  # coordinator, member, second
    recipients = sorted(str(m["To"]) for m in mailbox.messages)
    assert recipients == sorted(
        [
            family.people["coordinator"].email,
            family.people["member representative"].email,
            "second@ngo.example.org",
        ]
    )
    assert not mailbox.to(outsider.email)
    assert not mailbox.to("applicant@ngo.example.org")
    message = mailbox.to("second@ngo.example.org")[0]
    assert "Работна среща в Пловдив" in str(message["Subject"])
    assert "12.12.2026" in Mailbox.body(message)


def test_announcement_bad_input(family: Family, mailbox: Mailbox):
    response = family.client("coordinator").post(
        reverse("organisations:network-announce", args=[family.network.pk]),
        {"subject": "", "body": "Текст, който остава."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["subject"]
    assert "Текст, който остава." in response.content.decode()
    assert not Announcement.objects.exists()
    assert not mailbox.messages


def test_network_list_queries_do_not_grow():
    counts = []
    for extra in (1, 12):
        for _ in range(extra):
            make_family()
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(reverse("organisations:networks")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
