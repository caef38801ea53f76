"""Joint positions of a network: published by the coordinator (Markdown, a PDF attachment),
co-signed by member organisations through their representatives, signatories public."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations import networks as services
from organisations.models import JointPosition, Signature
from tests.factories.accounts import UserFactory
from tests.factories.organisations import MembershipFactory, OrganisationFactory, representative_of
from tests.organisations.test_networks import LADDER, Family, _fresh_cache, _refused, make_family

pytestmark = pytest.mark.django_db
__all__ = ["_fresh_cache"]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def family() -> Family:
    return make_family()


@pytest.fixture
def position(family: Family) -> JointPosition:
    return services.publish_position(
        user=family.people["coordinator"],
        network=family.network,
        title="Позиция по проектобюджета на област Пловдив за 2027 г.",
        body="Настояваме за **публично обсъждане** на капиталовите разходи.",
    )


def new_url(family: Family) -> str:
    return reverse("organisations:position-create", args=[family.network.pk])


def data(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Становище относно Наредбата за обществените консултации",
        "body": "## Нашите предложения\n\n- срок от 30 дни\n- публичен доклад",
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("role", LADDER)
def test_publish_ladder(family: Family, role: str):
    response = family.client(role).post(new_url(family), data())
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302
        assert JointPosition.objects.filter(network=family.network).count() == 1
    else:
        assert _refused(response)
        assert not JointPosition.objects.exists()


def test_publish_with_a_pdf_and_markdown(family: Family, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Становище (финал).PDF", PDF, content_type="application/pdf")
    response = family.client("coordinator").post(new_url(family), data(attachment=upload))
    assert response.status_code == 302
    position = JointPosition.objects.get()
    assert position.published_at is not None
    assert position.created_by == family.people["coordinator"]
    assert position.attachment.name.endswith("stanovishte-final.pdf")
    page = Client().get(response["Location"])
    html = page.content.decode()
    assert "<h3>Нашите предложения</h3>" in html
    assert position.attachment.url in html


def test_attachment_must_be_a_pdf(family: Family, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(
        "position.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = family.client("coordinator").post(new_url(family), data(attachment=upload))
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"]
    html = response.content.decode()
    assert 'id="id_attachment_error"' in html
    assert "Становище относно Наредбата" in html  # typed values kept
    assert not JointPosition.objects.exists()


def test_empty_title_and_body(family: Family):
    response = family.client("coordinator").post(new_url(family), data(title=" ", body=""))
    errors = response.context["form"].errors
    assert errors["title"] and errors["body"]
    assert not JointPosition.objects.exists()


@pytest.mark.parametrize("role", LADDER)
def test_sign_ladder(family: Family, position: JointPosition, role: str):
    url = reverse("organisations:position-sign", args=[position.pk])
    person = family.people[role]
    org = {
        "member representative": family.member_org,
        "coordinator": family.coordinator_org,
        "non-member representative": family.outsider_org,
    }.get(role, family.member_org)
    response = family.client(role).post(url, {"organisation": org.pk})
    if role in ("member representative", "coordinator"):
        assert response.status_code == 302
        signature = Signature.objects.get(position=position)
        assert signature.organisation == org and signature.signed_by == person
    else:
        assert _refused(response)
        assert not Signature.objects.exists()


def test_signatories_are_public(family: Family, position: JointPosition):
    services.sign(position, family.member_org, family.people["member representative"])
    for url in (
        reverse("organisations:position", args=[position.pk]),
        family.network.get_absolute_url(),
    ):
        html = Client().get(url).content.decode()
        assert "Фондация „Родопски хоризонти“" in html
        assert "Стоян Колев" not in html  # organisations sign, the person stays private


def test_sign_form_only_for_unsigned_member_organisations(family: Family, position: JointPosition):
    url = reverse("organisations:position", args=[position.pk])
    member = family.client("member representative")
    assert member.get(url).context["form"] is not None
    member.post(
        reverse("organisations:position-sign", args=[position.pk]),
        {"organisation": family.member_org.pk},
    )
    assert member.get(url).context["form"] is None
    assert Client().get(url).context["form"] is None
    # Signing twice is refused, without a second row.
    response = member.post(
        reverse("organisations:position-sign", args=[position.pk]),
        {"organisation": family.member_org.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert Signature.objects.count() == 1
    with pytest.raises(services.NetworkError):
        services.sign(position, family.member_org, family.people["member representative"])


def test_representative_of_two_members_signs_for_each(family: Family, position: JointPosition):
    second = OrganisationFactory(name="Сдружение „Младежки глас – Кърджали“")
    MembershipFactory(network=family.network, organisation=second)
    person = family.people["member representative"]
    representative_of(second, person)
    client = family.client("member representative")
    sign_url = reverse("organisations:position-sign", args=[position.pk])
    client.post(sign_url, {"organisation": family.member_org.pk})
    client.post(sign_url, {"organisation": second.pk})
    assert set(position.signatures.values_list("organisation_id", flat=True)) == {
        family.member_org.pk,
        second.pk,
    }
    # Not for an organisation one does not represent.
    response = client.post(sign_url, {"organisation": family.coordinator_org.pk})
    assert response.status_code == 200
    assert Signature.objects.count() == 2


def test_unpublished_or_unknown_position_is_404(family: Family):
    draft = JointPosition.objects.create(network=family.network, title="Чернова", body="Т")
    assert Client().get(reverse("organisations:position", args=[draft.pk])).status_code == 404
    assert Client().get(reverse("organisations:position", args=[987654])).status_code == 404


def test_position_page_queries_do_not_grow_with_signatories():
    counts = []
    for size in (2, 20):
        fam = make_family(members=size)
        pos = services.publish_position(
            user=fam.people["coordinator"], network=fam.network, title="П", body="Т"
        )
        for membership in fam.network.memberships.filter(status="member"):
            services.sign(pos, membership.organisation, UserFactory())
        client = fam.client("member representative")
        url = reverse("organisations:position", args=[pos.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
