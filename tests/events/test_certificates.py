"""Certificates: the organiser's list and issuing, the PDF (read back with pypdf), and the
public verification of a code (valid, revoked, unknown; normalised; rate-limited)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from accounts.enums import Role
from core.legal_calendar import SOFIA
from events import certificates
from events.enums import Kind, RegistrationState, State
from events.models import Attendance, Certificate, new_code
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


def in_bulgarian(text: str) -> str:
    with translation.override("bg"):
        return gettext(text)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)


def ended_training(**changes):
    """A two-day training that ended last week."""
    first = timezone.now().astimezone(SOFIA).date() - datetime.timedelta(days=8)
    values = {
        "starts_at": at(first, 9, 30),
        "ends_at": at(first + datetime.timedelta(days=1), 17),
        "registration_opens_at": at(first - datetime.timedelta(days=30), 9),
        "registration_closes_at": at(first - datetime.timedelta(days=1), 9),
        "hours": Decimal("16"),
    }
    values.update(changes)
    return EventFactory(**values)


def present(registration, days=None):
    for day in registration.event.days if days is None else days:
        Attendance.objects.create(registration=registration, day=day)
    return registration


def certificate_for(registration, **changes) -> Certificate:
    """Written directly, as issuing would (copies of the data)."""
    event = registration.event
    values = {
        "registration": registration,
        "code": new_code(12),
        "name": registration.name,
        "event_title": event.title,
        "first_day": event.days[0],
        "last_day": event.days[-1],
        "hours": event.hours,
        "organiser_name": str(event.organiser),
    }
    values.update(changes)
    return Certificate.objects.create(**values)


@pytest.fixture
def event():
    return ended_training(title="Обучение: застъпнически кампании")


@pytest.fixture
def registration(event):
    return present(RegistrationFactory(event=event, name="Йордан Цветанов-Шишков"))


@pytest.fixture
def organiser(event):
    user = UserFactory()
    staff_of(event.institution, user)
    return user


def pdf_url(registration) -> str:
    return reverse("events:certificate-pdf", args=[registration.code])


def list_url(event) -> str:
    return reverse("events:certificates", args=[event.pk])


def verify_url(code: str) -> str:
    return reverse("events:certificate-verify", args=[code])


CHECK_URL = "/events/certificates/"


# --- the PDF ---------------------------------------------------------------------------------


def test_pdf_read_back(registration, event, settings):
    certificate = certificate_for(registration)
    response = signed_in(registration.user).get(pdf_url(registration))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate.code in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = " ".join(page.extract_text().split())
    assert in_bulgarian("Certificate").upper() in text
    assert "Йордан Цветанов-Шишков" in text
    assert "Обучение: застъпнически кампании" in text
    assert certificate.code in text
    first, last = event.days[0], event.days[-1]
    assert first.strftime("%d.%m.%Y") in text and last.strftime("%d.%m.%Y") in text
    assert "16" in text
    assert str(event.organiser) in text
    verification = settings.SITE_URL + f"/events/certificates/{certificate.code}/"
    assert verification in text.replace(" ", "") or verification in text
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any(f.endswith("+DejaVu-Sans") or "DejaVu-Sans" in f for f in fonts), fonts


def test_pdf_states_what_was_issued(registration):
    """The copies on the certificate, not the registration or the event as they are now."""
    certificate = certificate_for(registration, hours=Decimal("7.5"))
    registration.name = "Друго Име"
    registration.save()
    registration.event.title = "Ново заглавие"
    registration.event.save()
    html = certificates.render_html(certificate)
    assert "Йордан Цветанов-Шишков" in html and "Друго Име" not in html
    assert "Ново заглавие" not in html
    assert "7,5" in html
    assert certificates.hours_text(Decimal("1")) == in_bulgarian("%(hours)s academic hour") % {
        "hours": "1"
    }


def test_pdf_permission_ladder(registration, organiser):
    certificate_for(registration)
    url = pdf_url(registration)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    other_staff = UserFactory()
    staff_of(generated("ma:PDV01"), other_staff)
    other = present(RegistrationFactory(event=registration.event))
    expected = {
        "citizen": (UserFactory(), 404),
        "another participant": (other.user, 404),
        "staff of another institution": (other_staff, 404),
        "moderator": (RoleAssignmentFactory(role=Role.MODERATOR).user, 404),
        "owner": (registration.user, 200),
        "organiser": (organiser, 200),
        "administrator": (RoleAssignmentFactory(role=Role.ADMINISTRATOR).user, 200),
    }
    for who, (user, status) in expected.items():
        assert signed_in(user).get(url).status_code == status, who
    # No certificate, or a revoked one: nothing to download.
    assert signed_in(other.user).get(pdf_url(other)).status_code == 404
    assert signed_in(organiser).get(pdf_url(other)).status_code == 404
    Certificate.objects.filter(registration=registration).update(revoked_at=timezone.now())
    assert signed_in(registration.user).get(url).status_code == 404
    assert (
        signed_in(registration.user).get("/events/registrations/NOPE/certificate.pdf").status_code
        == 404
    )


# --- the organiser's list and issuing --------------------------------------------------------


def test_issue_certificates(event, organiser, mailbox):
    every_day = [present(RegistrationFactory(event=event)) for _ in range(3)]
    one_day = present(RegistrationFactory(event=event), days=event.days[:1])
    RegistrationFactory(event=event)  # never came
    RegistrationFactory(event=event, state=RegistrationState.CANCELLED)  # not a participant
    client = signed_in(organiser)
    with translation.override("en"):
        response = client.post(list_url(event), follow=True)
    assert response.status_code == 200
    issued = Certificate.objects.filter(registration__event=event)
    assert {c.registration_id for c in issued} == {r.pk for r in every_day}
    assert one_day.pk not in {c.registration_id for c in issued}
    text = [str(m) for m in response.context["messages"]]
    assert any("3" in m and "2" in m for m in text), text  # 3 issued, 2 did not attend every day
    html = response.content.decode()
    for c in issued:
        assert c.code in html and reverse("events:certificate-verify", args=[c.code]) in html
    # Again: nothing new, the issued ones kept.
    codes = set(issued.values_list("code", flat=True))
    client.post(list_url(event))
    assert set(issued.values_list("code", flat=True)) == codes


@pytest.mark.parametrize("case", ["seminar", "cancelled", "still to come"])
def test_issuing_is_refused_unless_a_training_that_ended(organiser, case):
    if case == "seminar":
        event = ended_training(kind=Kind.SEMINAR)
    elif case == "cancelled":
        event = ended_training(state=State.CANCELLED)
    else:
        event = EventFactory(hours=Decimal("8"))  # in ten days
    present(RegistrationFactory(event=event))
    client = signed_in(organiser)
    page = client.get(list_url(event))
    assert page.status_code == 200 and page.context["refusal"]
    assert f'action="{list_url(event)}"' not in page.content.decode()
    response = client.post(list_url(event), follow=True)
    assert response.status_code == 200
    assert not Certificate.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_list_permission_ladder(event, organiser):
    url = list_url(event)
    assert Client().get(url).status_code == 302
    assert Client().post(url).status_code == 302
    other_staff = UserFactory()
    staff_of(generated("ma:PDV01"), other_staff)
    participant = present(RegistrationFactory(event=event))
    expected = {
        "citizen": (UserFactory(), 403),
        "participant": (participant.user, 403),
        "staff of another institution": (other_staff, 403),
        "moderator": (RoleAssignmentFactory(role=Role.MODERATOR).user, 403),
        "organiser": (organiser, 200),
        "administrator": (RoleAssignmentFactory(role=Role.ADMINISTRATOR).user, 200),
    }
    for who, (user, status) in expected.items():
        client = signed_in(user)
        assert client.get(url).status_code == status, who
        if status == 403:
            assert client.post(url).status_code == 403, who
    assert not Certificate.objects.exists()
    draft = ended_training(state=State.DRAFT, published_at=None)
    assert signed_in(UserFactory()).get(list_url(draft)).status_code == 404
    org = OrganisationFactory()
    rep = UserFactory()
    representative_of(org, rep)
    by_org = ended_training(institution=None, organisation=org)
    assert signed_in(rep).get(list_url(by_org)).status_code == 200
    assert signed_in(rep).get(url).status_code == 403


def test_list_runs_a_fixed_number_of_queries(event, organiser, django_assert_max_num_queries):
    client = signed_in(organiser)

    def queries_for(count: int) -> int:
        have = Certificate.objects.filter(registration__event=event).count()
        for _ in range(have, count):
            certificate_for(present(RegistrationFactory(event=event)))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url(event))
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == count
        return len(queries)

    few = queries_for(3)
    assert queries_for(30) == few
    with django_assert_max_num_queries(few):
        client.get(list_url(event))


# --- public verification ---------------------------------------------------------------------


def test_verify_a_valid_certificate(registration, event):
    certificate = certificate_for(registration)
    response = Client().get(verify_url(certificate.code))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("bg"):
        assert gettext("This certificate is valid.") in html
    assert "Йордан Цветанов-Шишков" in html
    assert event.title in html
    assert (
        event.days[0].strftime("%d.%m.%Y") in html and event.days[-1].strftime("%d.%m.%Y") in html
    )
    assert str(event.organiser) in html
    assert certificate.issued_at.astimezone(SOFIA).strftime("%d.%m.%Y") in html
    # Nothing else about the person.
    assert registration.code not in html and registration.user.email not in html
    assert 'name="robots" content="noindex"' in html


def test_verify_a_revoked_certificate(registration):
    certificate = certificate_for(registration, revoked_at=timezone.now())
    response = Client().get(verify_url(certificate.code))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("bg"):
        assert gettext("This certificate is valid.") not in html
    assert response.context["certificate"].revoked_at is not None
    assert "banner-error" in html


def test_verify_an_unknown_code():
    response = Client().get(verify_url("ABCDEFGHJKMN"))
    assert response.status_code == 404
    with translation.override("bg"):
        assert gettext("Certificate not found") in response.content.decode()
    assert Client().get(verify_url("X" * 200)).status_code == 404


def test_verify_normalises_the_code(registration):
    certificate = certificate_for(registration)
    response = Client().get(verify_url(certificate.code.lower()))
    assert response.status_code == 302 and response["Location"] == verify_url(certificate.code)


def test_check_form_redirects_to_the_verification(registration):
    certificate = certificate_for(registration)
    assert Client().get(CHECK_URL).status_code == 200
    typed = " " + " ".join(certificate.code[i : i + 4] for i in range(0, 12, 4)).lower() + " "
    response = Client().get(CHECK_URL, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.code)


@pytest.mark.parametrize("typed", ["", "   ", "NOSUCHCODE22", "x" * 41])
def test_check_form_bad_input(registration, typed):
    certificate_for(registration)
    with translation.override("en"):
        response = Client().get(CHECK_URL, {"code": typed})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["code"]
    html = response.content.decode()
    assert 'id="id_code_error"' in html  # next to the field
    if typed.strip():
        assert f'value="{typed}"' in html  # kept


def test_the_same_message_for_every_unknown_code(registration):
    with translation.override("en"):
        one = Client().get(CHECK_URL, {"code": "NOSUCHCODE22"}).context["form"].errors["code"]
        two = Client().get(CHECK_URL, {"code": "ZZZZ"}).context["form"].errors["code"]
    assert one == two


def test_checking_is_rate_limited(registration):
    certificate = certificate_for(registration)
    client = Client()
    for n in range(certificates.CHECK_LIMIT):
        assert client.get(CHECK_URL, {"code": f"GUESS{n:04d}"}).status_code == 200
    assert client.get(CHECK_URL, {"code": certificate.code}).status_code == 429
    assert client.get(CHECK_URL).status_code == 200  # the empty form costs nothing


def test_verification_is_rate_limited(registration):
    certificate = certificate_for(registration)
    client = Client()
    for _ in range(certificates.VERIFY_LIMIT):
        assert client.get(verify_url("ABCDEFGHJKMN")).status_code == 404
    assert client.get(verify_url(certificate.code)).status_code == 429
