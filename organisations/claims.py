"""Becoming an organisation's representative: registering, claiming, verifying, inviting.

Every workflow here runs in one transaction: a claim, the role it grants (accounts'
`RoleAssignment` with the role `organisation_representative` scoped to the organisation) and
the stored `Organisation.representatives_count` change together or not at all. Nothing is
deleted: a removed representative's assignment is revoked (who, when), a claim keeps its
outcome, so who could act for an organisation, and why, stays answerable.

The e-mailed code is six digits kept only as an HMAC (keyed with SECRET_KEY and the claim),
valid for 48 hours and for at most five attempts, and it goes only to the e-mail address the
organisation publishes, never to one the claimant types in.
"""

from __future__ import annotations

import datetime
import enum
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from core import translit
from core.email import send_email
from core.uploads import safe_name
from organisations.enums import Visibility
from organisations.models import Organisation, RepresentationClaim

Method = RepresentationClaim.Method
Status = RepresentationClaim.Status

CODE_DIGITS = 6
CODE_VALID_FOR = datetime.timedelta(hours=48)
MAX_CODE_ATTEMPTS = 5
# A new code may be asked for at most this often (and core.ratelimit caps it per hour).
RESEND_INTERVAL = datetime.timedelta(minutes=1)
INVITATION_DAYS = 7
INVITATION_SALT = "organisations.invitation"
_CODE_SALT = "organisations.claim-code"

# Words of legal forms that do not tell two organisations apart ("Сдружение „Зора“" is
# "Зора"), in the Latin form core.translit gives them.
_FORM_WORDS = frozenset(
    translit.transliterate(w)
    for w in (
        "сдружение", "фондация", "народно", "читалище", "нч", "чн", "снц", "сдр", "сдружението",
        "фондацията", "асоциация", "ассоциация", "юлнц", "association", "foundation",
    )
)  # fmt: skip


class CodeResult(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    NOT_PENDING = "not-pending"


class RemovalRefused(Exception):
    """The last representative can only be removed by a moderator."""


class InvitationInvalid(Exception):
    """A broken, expired, used or someone else's invitation link."""


# --- helpers ---------------------------------------------------------------------------------


def _org_type() -> ContentType:
    return ContentType.objects.get_for_model(Organisation)


def active_assignments(organisation: Organisation) -> Any:
    return (
        RoleAssignment.objects.for_scope(organisation)
        .filter(role=Role.ORGANISATION_REPRESENTATIVE)
        .active()
    )


def refresh_count(organisation: Organisation) -> int:
    """Store the number of active representatives (DESIGN.md §7: counters are stored)."""
    count = active_assignments(organisation).count()
    Organisation.objects.filter(pk=organisation.pk).update(representatives_count=count)
    organisation.representatives_count = count
    return count


def _forget_roles(user: User) -> None:
    user.__dict__.pop("_active_role_keys", None)


def normalised_name(name: str) -> str:
    """A name without case, quotes, punctuation, script or legal-form words, to compare."""
    words = [w for w in translit.sort_key(name).split() if w not in _FORM_WORDS]
    return " ".join(words)


def similar_names(name: str, candidates: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of the candidates whose names are the same as `name` once normalised."""
    key = normalised_name(name)
    if not key:
        return []
    return [pk for pk, other in candidates if normalised_name(other) == key]


def store_evidence(claim: RepresentationClaim, upload: UploadedFile | None) -> None:
    """Keep the evidence under a sanitised name (a random prefix: names must not collide)."""
    if upload is None:
        return
    name = f"{secrets.token_hex(6)}-{safe_name(upload.name or 'evidence')}"
    claim.evidence.save(name, upload, save=False)


def _discard_file(field: Any) -> None:
    if field and field.name:
        field.storage.delete(field.name)


# --- the code by e-mail ----------------------------------------------------------------------


def _hash(claim: RepresentationClaim, code: str) -> str:
    return salted_hmac(_CODE_SALT, f"{claim.pk}:{code}", algorithm="sha256").hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def can_use_code(organisation: Organisation) -> bool:
    """A code can be sent only where the organisation publishes an e-mail address, and only
    while nobody represents it: a claim next to existing representatives goes to a moderator,
    flagged (the code would verify it without anyone looking)."""
    return bool(organisation.email) and not organisation.is_claimed


def may_resend(claim: RepresentationClaim, now: Any = None) -> bool:
    now = now or timezone.now()
    return claim.code_sent_at is None or now - claim.code_sent_at >= RESEND_INTERVAL


def code_expires_at(claim: RepresentationClaim) -> Any:
    return claim.code_sent_at + CODE_VALID_FOR if claim.code_sent_at else None


def send_code(claim: RepresentationClaim, site_url: str = "") -> None:
    """A fresh code to the organisation's published address (the old one stops working)."""
    organisation = claim.organisation
    if not organisation.email:
        raise ValueError("The organisation publishes no e-mail address.")
    code = new_code()
    claim.code_hash = _hash(claim, code)
    claim.code_sent_at = timezone.now()
    claim.code_attempts = 0
    claim.save(update_fields=["code_hash", "code_sent_at", "code_attempts", "updated_at"])
    # The organisation's mailbox reads Bulgarian, whatever the claimant's page language.
    with translation.override("bg"):
        _send_code_email(claim, code, site_url)


def _send_code_email(claim: RepresentationClaim, code: str, site_url: str) -> None:
    organisation = claim.organisation
    send_email(
        organisation.email,
        None,
        "organisations/email/claim_code",
        {
            "organisation": organisation,
            "claimant": claim.user,
            "code": code,
            "hours": int(CODE_VALID_FOR.total_seconds() // 3600),
            "url": site_url + reverse("organisations:claim-status", args=[claim.pk]),
        },
    )


def confirm_code(claim: RepresentationClaim, code: str) -> CodeResult:
    """Check a code typed by the claimant; the right one verifies the claim at once."""
    with transaction.atomic():
        claim = RepresentationClaim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        if claim.status != Status.PENDING or claim.method != Method.EMAIL_CODE:
            return CodeResult.NOT_PENDING
        if not claim.code_hash or claim.code_attempts >= MAX_CODE_ATTEMPTS:
            return CodeResult.EXHAUSTED
        if timezone.now() > claim.code_sent_at + CODE_VALID_FOR:  # type: ignore[operator]
            return CodeResult.EXPIRED
        claim.code_attempts += 1
        if constant_time_compare(claim.code_hash, _hash(claim, "".join(code.split()))):
            claim.code_hash = ""
            claim.save(update_fields=["code_attempts", "code_hash", "updated_at"])
            _verify(claim, by=None, note="")
            return CodeResult.VERIFIED
        if claim.code_attempts >= MAX_CODE_ATTEMPTS:
            claim.code_hash = ""  # used up: only a new code can verify now
        claim.save(update_fields=["code_attempts", "code_hash", "updated_at"])
        return CodeResult.EXHAUSTED if not claim.code_hash else CodeResult.WRONG


# --- registering and claiming ----------------------------------------------------------------


def _start_claim(
    organisation: Organisation,
    user: User,
    method: str,
    evidence: UploadedFile | None,
    position: str,
    site_url: str,
) -> RepresentationClaim:
    claim = RepresentationClaim(
        organisation=organisation, user=user, method=method, position=position.strip()
    )
    if method == Method.EVIDENCE:
        store_evidence(claim, evidence)
    try:
        claim.save()
        if method == Method.EMAIL_CODE:
            send_code(claim, site_url)
    except BaseException:
        _discard_file(claim.evidence)  # the row is rolled back: no orphan file either
        raise
    return claim


def register(
    user: User,
    organisation: Organisation,
    *,
    fields: Iterable[Any] = (),
    method: str,
    evidence: UploadedFile | None = None,
    position: str = "",
    site_url: str = "",
) -> RepresentationClaim:
    """A new entry, seen only by the person and the moderators until its claim is verified."""
    with transaction.atomic():
        organisation.visibility = Visibility.PENDING
        organisation.registered_by = user
        organisation.is_demo = False
        organisation.representatives_count = 0
        organisation.save()
        organisation.fields.set(list(fields))
        _reindex(organisation)
        return _start_claim(organisation, user, method, evidence, position, site_url)


def claim(
    user: User,
    organisation: Organisation,
    *,
    method: str,
    evidence: UploadedFile | None = None,
    position: str = "",
    site_url: str = "",
) -> RepresentationClaim:
    """A claim on an existing entry; e-mail codes only where the entry publishes an address."""
    if method == Method.EMAIL_CODE and not can_use_code(organisation):
        raise ValueError("A code cannot verify a claim on this organisation.")
    with transaction.atomic():
        return _start_claim(organisation, user, method, evidence, position, site_url)


def pending_claim(user: Any, organisation: Organisation) -> RepresentationClaim | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        RepresentationClaim.objects.filter(
            organisation=organisation, user=user, status=Status.PENDING
        )
        .order_by("-pk")
        .first()
    )


def _reindex(organisation: Organisation) -> None:
    # The search index follows saves, but fields of activity are set after the save.
    from core.search import index_objects

    index_objects("organisations.organisation", [organisation])


def _grant(organisation: Organisation, user: User, by: User | None) -> RoleAssignment:
    assignment = RoleAssignment.grant(
        user, Role.ORGANISATION_REPRESENTATIVE, scope=organisation, granted_by=by
    )
    _forget_roles(user)
    refresh_count(organisation)
    return assignment


def _verify(claim: RepresentationClaim, by: User | None, note: str) -> None:
    claim.status = Status.VERIFIED
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.decision_note = note.strip()
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    organisation = Organisation.objects.select_for_update(of=("self",)).get(
        pk=claim.organisation_id
    )
    _grant(organisation, claim.user, by)
    if organisation.visibility == Visibility.PENDING:
        organisation.visibility = Visibility.PUBLIC
        organisation.save(update_fields=["visibility", "updated_at"])
    claim.organisation = organisation


def decide(
    claim: RepresentationClaim,
    moderator: User,
    *,
    approve: bool,
    note: str = "",
    site_url: str = "",
) -> RepresentationClaim:
    """A moderator's decision on a pending claim; the person is told the outcome by e-mail."""
    with transaction.atomic():
        claim = RepresentationClaim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        if claim.status != Status.PENDING:
            return claim
        if approve:
            _verify(claim, by=moderator, note=note)
        else:
            claim.status = Status.REJECTED
            claim.decided_by = moderator
            claim.decided_at = timezone.now()
            claim.decision_note = note.strip()
            claim.save()
        send_email(
            claim.user.email,
            None,
            "organisations/email/claim_decided",
            {
                "claim": claim,
                "organisation": claim.organisation,
                "approved": approve,
                "note": claim.decision_note,
                "url": site_url + reverse("organisations:claim-status", args=[claim.pk]),
            },
        )
    return claim


def withdraw(claim: RepresentationClaim) -> None:
    with transaction.atomic():
        locked = RepresentationClaim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        if locked.status == Status.PENDING:
            locked.status = Status.WITHDRAWN
            locked.code_hash = ""
            locked.decided_at = timezone.now()
            locked.save()
        claim.status = locked.status


# --- co-representatives ----------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    organisation_id: int
    email: str
    invited_by: int
    issued: int


def make_invitation_token(organisation: Organisation, email: str, by: User) -> str:
    payload = {"o": organisation.pk, "e": email.strip().lower(), "b": by.pk, "t": int(time.time())}
    return signing.dumps(payload, salt=INVITATION_SALT, compress=True)


def read_invitation(token: str) -> Invitation:
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=INVITATION_DAYS)
        )
        return Invitation(int(data["o"]), str(data["e"]), int(data["b"]), int(data["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvitationInvalid(str(error)) from None


def invite(organisation: Organisation, by: User, email: str, site_url: str = "") -> str:
    """E-mail a link that makes the person with that address a co-representative."""
    token = make_invitation_token(organisation, email, by)
    send_email(
        email.strip(),
        None,
        "organisations/email/invitation",
        {
            "organisation": organisation,
            "inviter": by,
            "days": INVITATION_DAYS,
            "url": site_url + reverse("organisations:accept-invitation", args=[token]),
        },
    )
    return token


def _user_has_address(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    if user.email.strip().lower() == email:
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def accept_invitation(token: str, user: User) -> Organisation:
    """Verify a co-representative from an invitation link; raises InvitationInvalid."""
    invitation = read_invitation(token)
    if not _user_has_address(user, invitation.email):
        raise InvitationInvalid("wrong-address")
    issued = datetime.datetime.fromtimestamp(invitation.issued, tz=datetime.UTC)
    with transaction.atomic():
        organisation = (
            Organisation.objects.select_for_update(of=("self",))
            .filter(pk=invitation.organisation_id)
            .first()
        )
        inviter = User.objects.filter(pk=invitation.invited_by).first()
        if organisation is None or inviter is None:
            raise InvitationInvalid("gone")
        # The inviter must still represent the organisation (or administer the portal).
        if not (inviter.has_perm("organisations.manage_representatives", organisation)):
            raise InvitationInvalid("inviter-left")
        already = active_assignments(organisation).filter(user=user).exists()
        if already:
            return organisation
        # A link used once, or followed by a removal, does not bring the person back.
        used = RepresentationClaim.objects.filter(
            organisation=organisation, user=user, method=Method.INVITATION, created_at__gte=issued
        ).exists()
        removed = (
            RoleAssignment.objects.for_scope(organisation)
            .filter(user=user, role=Role.ORGANISATION_REPRESENTATIVE, revoked_at__gte=issued)
            .exists()
        )
        if used or removed:
            raise InvitationInvalid("used")
        # A pending claim of theirs is settled by the invitation.
        RepresentationClaim.objects.filter(
            organisation=organisation, user=user, status=Status.PENDING
        ).update(status=Status.WITHDRAWN, decided_at=timezone.now(), code_hash="")
        RepresentationClaim.objects.create(
            organisation=organisation,
            user=user,
            method=Method.INVITATION,
            status=Status.VERIFIED,
            decided_by=inviter,
            decided_at=timezone.now(),
        )
        _grant(organisation, user, inviter)
        if organisation.visibility == Visibility.PENDING:
            organisation.visibility = Visibility.PUBLIC
            organisation.save(update_fields=["visibility", "updated_at"])
    return organisation


def remove_representative(
    organisation: Organisation, person: User, by: User, *, moderating: bool
) -> None:
    """Revoke a representative's role (the row stays, with who and when)."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        assignments = list(active_assignments(organisation))
        mine = [a for a in assignments if a.user_id == person.pk]
        if not mine:
            return
        if len(assignments) - len(mine) < 1 and not moderating:
            raise RemovalRefused
        for assignment in mine:
            assignment.revoke(by=by)
        _forget_roles(person)
        refresh_count(organisation)
