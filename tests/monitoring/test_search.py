"""Monitoring in the site's search (core.search): public requests and signals by subject
(never by institution or place, which would bury the institutions), commitments by title,
source and institution, published reports; a private record (or an unpublished report) is
not in the index at all, and leaves it when hidden."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from core import search as search_index
from core.models import SearchEntry
from monitoring import search as monitoring_search
from monitoring.models import Commitment, InformationRequest, MonitoringReport, Signal
from tests.factories.directory import generated
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    MonitoringReportFactory,
    SignalFactory,
)
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

REQUEST = monitoring_search.REQUEST_KIND
SIGNAL = monitoring_search.SIGNAL_KIND
COMMITMENT = monitoring_search.COMMITMENT_KIND
REPORT = monitoring_search.REPORT_KIND


def found(q, kind):
    return {e.title_bg for e in search_index.matching(q, kind=kind)}


def entries(obj):
    """Every index row of `obj`, public or not."""
    ct = ContentType.objects.get_for_model(type(obj))
    return SearchEntry.objects.filter(content_type=ct, object_id=str(obj.pk))


def test_public_requests_by_subject_only():
    r = InformationRequestFactory(
        title="Договори за зимно почистване",
        description="Моля за договорите с фирма „Чистота Тайнство“ ЕООД.",
    )
    InformationRequestFactory(title="Разходи за осветление", institution=generated("ma:SOF46"))
    assert found("почистване", REQUEST) == {r.title}
    assert found("pochistvane", REQUEST) == {r.title}  # Latin
    assert found("договорите", REQUEST) == {r.title}  # another form of the word
    # Not by the institution's place: every request to Plovdiv would match "Пловдив".
    assert found("пловдив", REQUEST) == set()
    # The description may hold personal circumstances: never indexed.
    assert found("Тайнство", REQUEST) == set()
    entry = entries(r).get()
    assert entry.public and entry.url.endswith(f"/{r.pk}/")
    assert r.institution.name_bg in entry.subtitle_bg


def test_the_name_only_when_shown():
    hidden = InformationRequestFactory(
        title="Бюджет за култура", requester_name="Радослава Скритова"
    )
    shown = InformationRequestFactory(
        title="Бюджет за спорт", requester_name="Мария Показанова", show_name=True
    )
    org = OrganisationFactory(name="Сдружение „Граждани на Тракия“")
    InformationRequestFactory(title="Бюджет за пътища", organisation=org, show_name=False)
    assert found("Скритова", REQUEST) == set()
    assert "skritova" not in entries(hidden).get().document
    assert found("Показанова", REQUEST) == {shown.title}
    assert found("Тракия", REQUEST) == set()


def test_a_private_request_is_not_in_the_index_at_all():
    private = InformationRequestFactory(title="Лична преписка", is_public=False)
    assert not entries(private).exists()
    assert found("преписка", REQUEST) == set()
    # Published later: it enters; hidden again: it leaves.
    private.is_public = True
    private.save()
    assert found("преписка", REQUEST) == {"Лична преписка"}
    private.is_public = False
    private.save()
    assert not entries(private).exists()
    private.delete()


def test_the_site_search_page_shows_public_requests_only():
    InformationRequestFactory(title="Концесия на пазарите")
    InformationRequestFactory(title="Концесия на гробищата", is_public=False)
    response = Client().get("/search/", {"q": "концесия"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Концесия на пазарите" in html and "гробищата" not in html
    response = Client().get("/search/", {"q": "концесия", "type": REQUEST})
    assert "Концесия на пазарите" in response.content.decode()


def test_signals():
    public = SignalFactory(title="Незаконно сметище край реката", description="Видях Тайнство.")
    private = SignalFactory(title="Сметище в двора на съседа", is_public=False)
    assert found("сметище", SIGNAL) == {public.title}
    assert found("smetishte", SIGNAL) == {public.title}
    assert found("Тайнство", SIGNAL) == set()
    assert not entries(private).exists()
    public.is_public = False
    public.save()
    assert found("сметище", SIGNAL) == set() and not entries(public).exists()


def test_commitments_by_title_source_and_institution():
    c = CommitmentFactory(
        title="Ремонт на детска площадка",
        source_reference="Решение № 4711 на Общинския съвет от 25.03.2026 г.",
    )
    CommitmentFactory(title="Нови кошчета", institution=generated("ma:SOF46"))
    assert found("площадка", COMMITMENT) == {c.title}
    assert found("4711", COMMITMENT) == {c.title}
    assert found("кошчета столична", COMMITMENT) == {"Нови кошчета"}
    assert entries(c).get().url.endswith(f"/{c.pk}/")


def test_reports_once_published():
    report = MonitoringReportFactory(title="Доклад за прозрачността на общината")
    assert not entries(report).exists()
    report.published_at = timezone.now()
    report.save()
    assert found("прозрачността", REPORT) == {report.title}
    report.published_at = None
    report.save()
    assert not entries(report).exists()


def test_reindex_reads_public_records_only():
    InformationRequestFactory(title="Обществени поръчки 2026")
    InformationRequestFactory(title="Обществени поръчки тайни", is_public=False)
    SignalFactory(title="Сигнал за поръчки", is_public=False)
    MonitoringReportFactory(title="Чернова за поръчки")
    MonitoringReportFactory(title="Доклад за поръчки", published_at=timezone.now())
    CommitmentFactory(title="Поръчки онлайн", deadline=datetime.date(2027, 1, 31))
    counts = {kind: search_index.reindex(kind) for kind in (REQUEST, SIGNAL, COMMITMENT, REPORT)}
    assert counts == {
        REQUEST: InformationRequest.objects.filter(is_public=True).count(),
        SIGNAL: Signal.objects.filter(is_public=True).count(),
        COMMITMENT: Commitment.objects.count(),
        REPORT: MonitoringReport.objects.published().count(),
    }
    assert found("поръчки", REQUEST) == {"Обществени поръчки 2026"}
    assert found("поръчки", SIGNAL) == set()
    assert found("поръчки", REPORT) == {"Доклад за поръчки"}
    assert not SearchEntry.objects.filter(public=False, kind__startswith="monitoring.").exists()
