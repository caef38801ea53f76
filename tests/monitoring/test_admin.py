"""Admin of the monitoring: every list and record opens for a superuser, and nothing can be
added, changed or deleted there (statuses move only through the workflows)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from monitoring.enums import CommitmentUpdateKind, RequestEventKind, SignalEventKind
from monitoring.models import (
    CommitmentRating,
    CommitmentUpdate,
    Document,
    InformationRequest,
    RequestEvent,
    Responsiveness,
    ResponsivenessMonth,
    SignalEvent,
)
from tests.factories.directory import generated
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    MonitoringReportFactory,
    SignalFactory,
)
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client, settings):
    # Administrators normally need a second factor (accounts.middleware); not under test here.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]
    return admin_client


@pytest.fixture
def objects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = InformationRequestFactory()
    signal = SignalFactory()
    commitment = CommitmentFactory()
    org = OrganisationFactory()
    report = MonitoringReportFactory(organisation=org, published_at=timezone.now())
    document = Document.objects.create(
        request=request, title="Решение", kind="decision",
        file=SimpleUploadedFile("reshenie.pdf", b"%PDF-1.4"),
        original=SimpleUploadedFile("original-s-danni.pdf", b"%PDF-1.4"),
    )  # fmt: skip
    return {
        "informationrequest": request,
        "requestevent": RequestEvent.objects.create(
            request=request, kind=RequestEventKind.REGISTERED, on=request.filed_on
        ),
        "signal": signal,
        "signalevent": SignalEvent.objects.create(
            signal=signal, kind=SignalEventKind.REGISTERED, on=signal.received_on
        ),
        "commitment": commitment,
        "commitmentupdate": CommitmentUpdate.objects.create(
            commitment=commitment, kind=CommitmentUpdateKind.PROGRESS, progress=50
        ),
        "commitmentrating": CommitmentRating.objects.create(
            commitment=commitment, organisation=org, rating=4
        ),
        "monitoringreport": report,
        "document": document,
        "responsiveness": Responsiveness.objects.create(
            institution=generated("ma:PDV22"),
            province_id="PDV",
            requests_total=3,
            score=Decimal("75.0"),
        ),
        "responsivenessmonth": ResponsivenessMonth.objects.create(
            institution=generated("ma:PDV22"), month=datetime.date(2026, 11, 1)
        ),
    }


MODELS = [
    "informationrequest", "requestevent", "signal", "signalevent", "commitment",
    "commitmentupdate", "commitmentrating", "monitoringreport", "document", "responsiveness",
    "responsivenessmonth",
]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_every_page_opens_and_is_read_only(staff, objects, model):
    obj = objects[model]
    base = f"/admin/monitoring/{model}/"
    listing = staff.get(base)
    assert listing.status_code == 200, model
    assert f"{base}add/" not in listing.content.decode()
    page = staff.get(f"{base}{obj.pk}/change/")
    assert page.status_code == 200, model
    html = page.content.decode()
    assert 'name="_save"' not in html  # a view, not a form
    assert staff.get(f"{base}add/").status_code == 403
    assert staff.post(f"{base}{obj.pk}/change/", {}).status_code == 403
    assert staff.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_status_cannot_be_changed_here(staff, objects):
    request = objects["informationrequest"]
    html = staff.get(f"/admin/monitoring/informationrequest/{request.pk}/change/").content.decode()
    assert 'name="status"' not in html and 'name="due_on"' not in html
    staff.post(
        f"/admin/monitoring/informationrequest/{request.pk}/change/",
        {"status": "granted", "title": "Променено"},
    )
    request.refresh_from_db()
    assert request.status == "registered" and request.title != "Променено"
    assert InformationRequest.objects.get(pk=request.pk).version == 1


def test_the_private_original_is_not_linked(staff, objects):
    document = objects["document"]
    for url in (
        f"/admin/monitoring/document/{document.pk}/change/",
        f"/admin/monitoring/informationrequest/{objects['informationrequest'].pk}/change/",
    ):
        html = staff.get(url).content.decode()
        assert "original-s-danni" not in html and "monitoring/private" not in html


def test_lists_filter_and_search(staff, objects):
    response = staff.get("/admin/monitoring/informationrequest/", {"status__exact": "registered"})
    assert response.status_code == 200
    assert objects["informationrequest"].title in response.content.decode()
    response = staff.get("/admin/monitoring/commitment/", {"q": "площадка"})
    assert objects["commitment"].title in response.content.decode()
