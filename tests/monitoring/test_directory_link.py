"""An institution's page in the directory shows how it answers and offers to file to it
(monitoring/templatetags/monitoring_links.py, the seam between the two apps)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring import index
from tests.factories.directory import generated
from tests.factories.monitoring import InformationRequestFactory

pytestmark = pytest.mark.django_db


def test_an_institution_without_records_offers_to_file():
    institution = generated("ma:PVN03")
    page = Client().get(institution.get_absolute_url()).content.decode()
    message = "No information requests, proposals or signals to this institution have been recorded on the portal yet."  # noqa: E501
    assert _(message) in page
    assert f"{reverse('monitoring:request-file')}?institution={institution.pk}" in page
    assert f"{reverse('monitoring:signal-file')}?institution={institution.pk}" in page


def test_an_institution_with_requests_shows_its_figures():
    institution = generated("ma:PDV22")
    for _i in range(3):
        InformationRequestFactory(institution=institution)
    index.refresh(institution.pk)
    page = Client().get(institution.get_absolute_url()).content.decode()
    assert _("Information requests, proposals and signals") in page
    assert reverse("monitoring:responsiveness-detail", args=["institution", institution.pk]) in page
    # Three requests, all due (16.11.2026 has passed) and none answered.
    assert _("%(on_time)s of %(due)s answered on time") % {"on_time": 0, "due": 3} in page
