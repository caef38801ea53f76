# ruff: noqa: F811  (the shared fixtures are imported from test_registration)
"""Claims: the e-mailed code (hash, 48 hours, 5 attempts, resend limits), the moderator's queue
and decision with the document, invitations of co-representatives, removals, and the
permission ladder of every action."""

from __future__ import annotations

import datetime
import re
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment
from organisations import claims
from organisations.enums import Visibility
from organisations.models import Organisation, RepresentationClaim
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.organisations import OrganisationFactory, representative_of
from tests.organisations.test_registration import (  # noqa: F401  (fixtures)
    _media,
    as_role,
    check_ladder,
    organisation,
    outcome,
    pdf,
    people,
    text_file,
)

pytestmark = pytest.mark.django_db

Method = RepresentationClaim.Method
Status = RepresentationClaim.Status


def _code(mailbox: Any, address: str) -> str:
    body = mailbox.body(mailbox.to(address)[-1])
    return re.search(r"\b(\d{6})\b", body).group(1)


def _roles(org: Organisation) -> Any:
    return RoleAssignment.objects.for_scope(org).filter(role=Role.ORGANISATION_REPRESENTATIVE)


@pytest.fixture
def unclaimed() -> Organisation:
    return OrganisationFactory(name="Народно читалище „Светлина“", email="chitalishte@example.org")


@pytest.fixture
def person() -> Any:
    return UserFactory(email="georgi@example.org")


@pytest.fixture
def person_client(person: Any) -> Client:
    c = Client()
    c.force_login(person)
    return c


def _claim_by_code(c: Client, org: Organisation) -> RepresentationClaim:
    response = c.post(f"/organisations/{org.pk}/claim/", {"method": "email-code"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return RepresentationClaim.objects.get(organisation=org, status=Status.PENDING)


# --- the code by e-mail ----------------------------------------------------------------------


def test_the_right_code_verifies_the_claim(person_client, person, unclaimed, mailbox):
    claim = _claim_by_code(person_client, unclaimed)
    assert mailbox.to("chitalishte@example.org")
    code = _code(mailbox, "chitalishte@example.org")
    url = reverse("organisations:claim-status", args=[claim.pk])
    response = person_client.post(url, {"action": "confirm", "code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302
    claim.refresh_from_db()
    unclaimed.refresh_from_db()
    assert claim.status == Status.VERIFIED and claim.decided_at and claim.code_hash == ""
    assert unclaimed.representatives_count == 1
    assert _roles(unclaimed).active().get().user == person
    assert person.has_perm("organisations.change_organisation", unclaimed)
    page = person_client.get("/en" + url)
    assert "You represent" in page.content.decode()


def test_a_registered_entry_becomes_public_with_the_code(person_client, person, mailbox):
    from tests.organisations.test_registration import register_data

    person_client.post("/organisations/register/", register_data())
    org = Organisation.objects.get(registered_by=person)
    assert org.visibility == Visibility.PENDING
    claim = RepresentationClaim.objects.get(organisation=org)
    code = _code(mailbox, org.email)
    person_client.post(
        reverse("organisations:claim-status", args=[claim.pk]), {"action": "confirm", "code": code}
    )
    org.refresh_from_db()
    assert org.visibility == Visibility.PUBLIC and org.representatives_count == 1
    from core.models import SearchEntry

    assert SearchEntry.objects.get(kind="organisations.organisation", object_id=str(org.pk)).public


def test_wrong_codes_count_down_and_five_use_the_code_up(person_client, unclaimed, mailbox):
    claim = _claim_by_code(person_client, unclaimed)
    code = _code(mailbox, "chitalishte@example.org")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    url = "/en" + reverse("organisations:claim-status", args=[claim.pk])
    for left in (4, 3, 2, 1):
        response = person_client.post(url, {"action": "confirm", "code": wrong})
        assert f"Attempts left: {left}." in response.content.decode()
    response = person_client.post(url, {"action": "confirm", "code": wrong})
    assert "Too many wrong attempts" in response.content.decode()
    # Even the right code no longer works: only a new one can verify.
    response = person_client.post(url, {"action": "confirm", "code": code})
    claim.refresh_from_db()
    assert claim.status == Status.PENDING and claim.code_attempts == 5 and claim.code_hash == ""
    assert not _roles(unclaimed).exists()
    # A new code starts again (a minute later: not more often).
    later = timezone.now() + datetime.timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        person_client.post(url, {"action": "resend"})
    claim.refresh_from_db()
    assert claim.code_hash and claim.code_attempts == 0
    new = _code(mailbox, "chitalishte@example.org")
    with mock.patch("django.utils.timezone.now", return_value=later):
        person_client.post(url, {"action": "confirm", "code": new})
    claim.refresh_from_db()
    assert claim.status == Status.VERIFIED


def test_a_code_expires_after_48_hours(person_client, unclaimed, mailbox):
    claim = _claim_by_code(person_client, unclaimed)
    code = _code(mailbox, "chitalishte@example.org")
    RepresentationClaim.objects.filter(pk=claim.pk).update(
        code_sent_at=timezone.now() - datetime.timedelta(hours=48, minutes=1)
    )
    url = "/en" + reverse("organisations:claim-status", args=[claim.pk])
    response = person_client.post(url, {"action": "confirm", "code": code})
    assert "The code has expired" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.PENDING


def test_a_malformed_code_is_not_an_attempt(person_client, unclaimed):
    claim = _claim_by_code(person_client, unclaimed)
    url = "/en" + reverse("organisations:claim-status", args=[claim.pk])
    response = person_client.post(url, {"action": "confirm", "code": "12ab"})
    assert "six digits" in response.content.decode()
    claim.refresh_from_db()
    assert claim.code_attempts == 0


def test_resending_is_limited(person_client, unclaimed, mailbox):
    claim = _claim_by_code(person_client, unclaimed)
    url = "/en" + reverse("organisations:claim-status", args=[claim.pk])
    response = person_client.post(url, {"action": "resend"}, follow=True)
    assert "Wait a few minutes" in response.content.decode()  # the first was just sent
    assert len(mailbox.to("chitalishte@example.org")) == 1
    later = timezone.now() + datetime.timedelta(minutes=2)
    sent = 1
    for minutes in (2, 4, 6, 8):
        with mock.patch("django.utils.timezone.now", return_value=later):
            person_client.post(url, {"action": "resend"})
        later += datetime.timedelta(minutes=minutes)
        sent = len(mailbox.to("chitalishte@example.org"))
    assert sent == 4  # the first and three more in an hour, then no more


def test_the_code_goes_only_to_the_published_address(person_client, unclaimed, mailbox):
    # Whatever the claimant types, the code goes to the organisation's own address.
    person_client.post(
        f"/organisations/{unclaimed.pk}/claim/",
        {"method": "email-code", "email": "me@attacker.example"},
    )
    assert not mailbox.to("me@attacker.example")
    assert len(mailbox.to("chitalishte@example.org")) == 1


def test_without_a_published_address_only_a_document_is_offered(person_client):
    org = OrganisationFactory(email="")
    url = f"/en/organisations/{org.pk}/claim/"
    html = person_client.get(url).content.decode()
    assert 'value="email-code"' not in html and 'value="evidence"' in html
    response = person_client.post(url, {"method": "email-code"})
    assert response.status_code == 200 and "method" in response.context["form"].errors
    assert not RepresentationClaim.objects.filter(organisation=org).exists()


def test_a_claimed_entry_goes_to_a_moderator_flagged(person_client, people, organisation, as_role):
    url = f"/organisations/{organisation.pk}/claim/"
    html = person_client.get(url).content.decode()
    assert 'value="email-code"' not in html
    response = person_client.post(url, {"method": "evidence", "evidence": pdf()})
    assert response.status_code == 302
    queue = as_role("moderator").get("/en/organisations/moderation/claims/").content.decode()
    assert "already has 1 representative" in queue
    claim = RepresentationClaim.objects.filter(organisation=organisation).latest("pk")
    page = as_role("moderator").get(f"/en/organisations/moderation/claims/{claim.pk}/")
    assert "already has 1 representative on the portal" in page.content.decode()


def test_one_pending_claim_per_person(person_client, person, unclaimed):
    claim = _claim_by_code(person_client, unclaimed)
    response = person_client.get(f"/organisations/{unclaimed.pk}/claim/")
    assert response["Location"] == reverse("organisations:claim-status", args=[claim.pk])
    response = person_client.post(f"/organisations/{unclaimed.pk}/claim/", {"method": "evidence"})
    assert RepresentationClaim.objects.filter(organisation=unclaimed).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        RepresentationClaim.objects.create(organisation=unclaimed, user=person, method="evidence")


def test_a_wrong_type_document_on_a_claim_saves_nothing(person_client, unclaimed):
    response = person_client.post(
        f"/organisations/{unclaimed.pk}/claim/", {"method": "evidence", "evidence": text_file()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    assert not RepresentationClaim.objects.filter(organisation=unclaimed).exists()


def test_withdrawing(person_client, unclaimed):
    claim = _claim_by_code(person_client, unclaimed)
    url = reverse("organisations:claim-status", args=[claim.pk])
    person_client.post(url, {"action": "withdraw"})
    claim.refresh_from_db()
    assert claim.status == Status.WITHDRAWN and claim.code_hash == ""
    # A new claim may follow.
    _claim_by_code(person_client, unclaimed)


def test_a_pending_entry_is_seen_only_by_its_registrant_and_moderators(as_role, people):
    registrant = UserFactory()
    hidden = OrganisationFactory(visibility=Visibility.PENDING, registered_by=registrant)
    mine = Client()
    mine.force_login(registrant)
    url = f"/organisations/{hidden.pk}/history/"
    assert mine.get(url).status_code == 200
    assert as_role("moderator").get(url).status_code == 200
    assert as_role("citizen").get(url).status_code == 404
    assert as_role("anonymous").get(url).status_code == 404
    assert as_role("citizen").get(f"/organisations/{hidden.pk}/claim/").status_code == 404


# --- moderators ------------------------------------------------------------------------------


@pytest.fixture
def evidence_claim(person_client: Client, unclaimed: Organisation) -> RepresentationClaim:
    person_client.post(
        f"/organisations/{unclaimed.pk}/claim/",
        {"method": "evidence", "evidence": pdf("Извлечение.pdf"), "position": "секретар"},
    )
    return RepresentationClaim.objects.get(organisation=unclaimed)


def test_a_moderator_approves_with_the_document(as_role, evidence_claim, mailbox, person):
    moderator = as_role("moderator")
    queue = moderator.get("/organisations/moderation/claims/").content.decode()
    assert reverse("organisations:claim-decide", args=[evidence_claim.pk]) in queue
    page = moderator.get(f"/organisations/moderation/claims/{evidence_claim.pk}/").content.decode()
    evidence_url = reverse("organisations:claim-evidence", args=[evidence_claim.pk])
    assert evidence_url in page
    download = moderator.get(evidence_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    response = moderator.post(
        f"/organisations/moderation/claims/{evidence_claim.pk}/",
        {"decision": "approve", "note": "Съдебно решение, проверено."},
    )
    assert response.status_code == 302
    evidence_claim.refresh_from_db()
    assert evidence_claim.status == Status.VERIFIED
    assert evidence_claim.decided_by.has_role(Role.MODERATOR)
    org = evidence_claim.organisation
    org.refresh_from_db()
    assert org.representatives_count == 1
    assert _roles(org).active().get().user == person
    assert _roles(org).get().granted_by == evidence_claim.decided_by
    assert "Съдебно решение, проверено." in mailbox.body(mailbox.to("georgi@example.org")[-1])


def test_a_rejection_needs_a_reason_and_tells_the_person(as_role, evidence_claim, mailbox):
    moderator = as_role("moderator")
    url = f"/en/organisations/moderation/claims/{evidence_claim.pk}/"
    response = moderator.post(url, {"decision": "reject"})
    assert "Say why the claim is rejected." in response.content.decode()
    evidence_claim.refresh_from_db()
    assert evidence_claim.status == Status.PENDING
    moderator.post(url, {"decision": "reject", "note": "Документът не е четлив."})
    evidence_claim.refresh_from_db()
    assert evidence_claim.status == Status.REJECTED
    assert not _roles(evidence_claim.organisation).exists()
    assert "Документът не е четлив." in mailbox.body(mailbox.to("georgi@example.org")[-1])


def test_deciding_twice_changes_nothing(as_role, evidence_claim):
    moderator = as_role("moderator")
    url = f"/organisations/moderation/claims/{evidence_claim.pk}/"
    moderator.post(url, {"decision": "approve"})
    moderator.post(url, {"decision": "reject", "note": "late"})
    evidence_claim.refresh_from_db()
    assert evidence_claim.status == Status.VERIFIED


def test_moderation_ladder(as_role, people, evidence_claim):
    deny: dict[str, int | str] = {
        "anonymous": "login",
        "citizen": 403,
        "pending": 403,
        "representative": 403,
        "other": 403,
        "moderator": 200,
        "admin": 200,
    }
    check_ladder(as_role, "/organisations/moderation/claims/", deny)
    check_ladder(as_role, f"/organisations/moderation/claims/{evidence_claim.pk}/", deny)
    check_ladder(as_role, f"/organisations/moderation/claims/{evidence_claim.pk}/evidence/", deny)
    posted = {**deny, "moderator": 302, "admin": 302}
    # The first allowed POST decides; the later ones find it decided and still redirect.
    check_ladder(
        as_role,
        f"/organisations/moderation/claims/{evidence_claim.pk}/",
        posted,
        method="post",
        data={"decision": "reject", "note": "Не."},
    )
    evidence_claim.refresh_from_db()
    assert evidence_claim.decided_by == people["moderator"]


def test_claim_ladder(as_role, organisation, people):
    url = f"/organisations/{organisation.pk}/claim/"
    pending = RepresentationClaim.objects.get(user=people["pending"])
    expected: dict[str, int | str] = {
        "anonymous": "login",
        "citizen": 200,
        "pending": 302,  # to their claim
        "representative": 302,  # already represents it
        "other": 200,
        "moderator": 200,
        "admin": 200,
    }
    check_ladder(as_role, url, expected)
    assert as_role("pending").get(url)["Location"] == reverse(
        "organisations:claim-status", args=[pending.pk]
    )
    status_url = reverse("organisations:claim-status", args=[pending.pk])
    check_ladder(
        as_role,
        status_url,
        {
            "anonymous": "login",
            "citizen": 404,
            "pending": 200,
            "representative": 404,
            "other": 404,
            "moderator": 200,
            "admin": 200,
        },
    )
    # Only the claimant acts on their claim (a moderator decides elsewhere).
    check_ladder(
        as_role,
        status_url,
        {
            "anonymous": "login",
            "citizen": 404,
            "pending": 302,
            "representative": 404,
            "other": 404,
            "moderator": 403,
            "admin": 403,
        },
        method="post",
        data={"action": "withdraw"},
    )


# --- co-representatives ----------------------------------------------------------------------


def _invite(c: Client, org: Organisation, email: str, mailbox: Any) -> str:
    response = c.post(
        f"/organisations/{org.pk}/representatives/", {"action": "invite", "email": email}
    )
    assert response.status_code == 302
    body = mailbox.body(mailbox.to(email)[-1])
    return re.search(r"/organisations/invitations/(\S+)/", body).group(1)


def test_invite_and_accept(as_role, organisation, people, mailbox):
    token = _invite(as_role("representative"), organisation, "ana@example.org", mailbox)
    ana = UserFactory(email="Ana@Example.org")
    c = Client()
    c.force_login(ana)
    url = reverse("organisations:accept-invitation", args=[token])
    assert c.get(url).status_code == 200
    response = c.post(url)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.representatives_count == 2
    claim = RepresentationClaim.objects.get(user=ana, organisation=organisation)
    assert claim.method == Method.INVITATION and claim.status == Status.VERIFIED
    assert claim.decided_by == people["representative"]
    assert _roles(organisation).active().filter(user=ana, granted_by=people["representative"])
    # Used once: after a removal the same link does not bring the person back.
    as_role("representative").post(
        f"/organisations/{organisation.pk}/representatives/",
        {"action": "remove", "user": ana.pk},
    )
    assert c.post(url).status_code == 400
    organisation.refresh_from_db()
    assert organisation.representatives_count == 1


def test_an_invitation_needs_the_same_address(as_role, organisation, mailbox):
    token = _invite(as_role("representative"), organisation, "ana@example.org", mailbox)
    stranger = as_role("citizen")
    url = "/en" + reverse("organisations:accept-invitation", args=[token])
    response = stranger.get(url)
    assert "The invitation was sent to ana@example.org" in response.content.decode()
    stranger.post(url)
    organisation.refresh_from_db()
    assert organisation.representatives_count == 1
    assert Client().get(url).status_code == 302  # sign in first


def test_an_invitation_expires_after_7_days(as_role, organisation, mailbox):
    token = _invite(as_role("representative"), organisation, "ana@example.org", mailbox)
    ana = UserFactory(email="ana@example.org")
    c = Client()
    c.force_login(ana)
    url = reverse("organisations:accept-invitation", args=[token])
    later = datetime.datetime.now().timestamp() + 7 * 24 * 3600 + 60
    with mock.patch("time.time", return_value=later):
        assert c.post(url).status_code == 400
    assert c.post(url.replace(token, token[:-3] + "xyz")).status_code == 400
    organisation.refresh_from_db()
    assert organisation.representatives_count == 1


def test_an_invitation_from_someone_who_left_is_void(as_role, organisation, people, mailbox):
    token = _invite(as_role("representative"), organisation, "ana@example.org", mailbox)
    RoleAssignment.objects.for_scope(organisation).update(revoked_at=timezone.now())
    ana = UserFactory(email="ana@example.org")
    c = Client()
    c.force_login(ana)
    assert c.post(reverse("organisations:accept-invitation", args=[token])).status_code == 400


def test_a_forged_token_is_refused():
    with pytest.raises(claims.InvitationInvalid):
        claims.read_invitation(signing.dumps({"o": 1, "e": "x@y.z", "b": 1, "t": 1}, salt="x"))


def test_the_last_representative_stays_unless_a_moderator_removes_them(
    as_role, organisation, people
):
    url = f"/en/organisations/{organisation.pk}/representatives/"
    rep = people["representative"]
    response = as_role("representative").post(
        url, {"action": "remove", "user": rep.pk}, follow=True
    )
    assert "The last representative cannot be removed" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.representatives_count == 1
    as_role("moderator").post(url, {"action": "remove", "user": rep.pk})
    organisation.refresh_from_db()
    assert organisation.representatives_count == 0
    assignment = _roles(organisation).get()
    assert assignment.revoked_at and assignment.revoked_by == people["moderator"]  # history kept


def test_representatives_ladder(as_role, organisation, people, mailbox):
    url = f"/organisations/{organisation.pk}/representatives/"
    check_ladder(
        as_role,
        url,
        {
            "anonymous": "login",
            "citizen": 403,
            "pending": 403,
            "representative": 200,
            "other": 403,
            "moderator": 200,
            "admin": 200,
        },
    )
    # Names are shown to those allowed only.
    name = people["representative"].public_name
    assert name in as_role("moderator").get(url).content.decode()
    # Inviting: the organisation's representatives and administrators.
    check_ladder(
        as_role,
        url,
        {
            "anonymous": "login",
            "citizen": 403,
            "pending": 403,
            "representative": 302,
            "other": 403,
            "moderator": 403,
            "admin": 302,
        },
        method="post",
        data={"action": "invite", "email": "new@example.org"},
    )
    assert len(mailbox.to("new@example.org")) == 2


def test_removing_ladder(as_role, organisation, people):
    second = UserFactory()
    representative_of(organisation, second)
    url = f"/organisations/{organisation.pk}/representatives/"
    for role, status in (
        ("anonymous", "login"),
        ("citizen", 403),
        ("pending", 403),
        ("other", 403),
    ):
        response = as_role(role).post(url, {"action": "remove", "user": second.pk})
        assert outcome(response) == status, role
    organisation.refresh_from_db()
    assert organisation.representatives_count == 2
    response = as_role("representative").post(url, {"action": "remove", "user": second.pk})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.representatives_count == 1
    assert not second.has_perm("organisations.change_organisation", organisation)
    # Administrators (like moderators) may remove anyone, the last one too.
    response = as_role("admin").post(url, {"action": "remove", "user": people["representative"].pk})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.representatives_count == 0


def test_a_moderator_also_sees_the_queue_only_for_documents(as_role, person_client, unclaimed):
    _claim_by_code(person_client, unclaimed)
    queue = as_role("moderator").get("/organisations/moderation/claims/").content.decode()
    assert unclaimed.display_name not in queue


def test_moderator_queue_query_count_does_not_grow(as_role, django_assert_max_num_queries):
    moderator = as_role("moderator")
    for _ in range(3):
        RepresentationClaim.objects.create(
            organisation=OrganisationFactory(), user=UserFactory(), method="evidence"
        )
    moderator.get("/organisations/moderation/claims/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        moderator.get("/organisations/moderation/claims/")
    for _ in range(10):
        RepresentationClaim.objects.create(
            organisation=OrganisationFactory(), user=UserFactory(), method="evidence"
        )
    with CaptureQueriesContext(connection) as many:
        moderator.get("/organisations/moderation/claims/")
    assert len(many) == len(few)


def test_a_representative_of_another_cannot_see_a_pending_claim(as_role, people):
    pending = RepresentationClaim.objects.get(user=people["pending"])
    response = as_role("other").get(f"/organisations/claims/{pending.pk}/")
    assert response.status_code == 404


def test_granting_by_role_assignment_is_used(people, organisation):
    assert RoleAssignment.objects.filter(
        user=people["representative"], role=Role.ORGANISATION_REPRESENTATIVE
    ).exists()
    moderator = RoleAssignmentFactory(role=Role.MODERATOR).user
    assert moderator.has_perm("organisations.decide_claims")


def test_representatives_page_query_count_does_not_grow(as_role, organisation, people):
    url = f"/organisations/{organisation.pk}/representatives/"
    rep = as_role("representative")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert rep.get(url).status_code == 200
    for _ in range(8):
        representative_of(organisation, UserFactory())
        RepresentationClaim.objects.create(
            organisation=organisation, user=UserFactory(), method="evidence"
        )
    with CaptureQueriesContext(connection) as many:
        assert rep.get(url).status_code == 200
    assert len(many) == len(few)
