"""Materials of an event (files through core.uploads, or links; for everyone or for confirmed
participants only), their download with the visibility check, and the minutes."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from events.enums import MaterialVisibility, RegistrationState
from events.models import Event, Material
from tests.clients import signed_in
from tests.events.organiser_support import (
    ALLOWED,
    draft,
    field_block,
    ladder,
    network_event,
    organisation_event,
    organiser_of,
)
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EVERYONE = MaterialVisibility.EVERYONE
PARTICIPANTS = MaterialVisibility.PARTICIPANTS


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Програма на обучението")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored(event: Event, visibility: str = EVERYONE, **kwargs) -> Material:
    material = Material(event=event, title="Презентация", visibility=visibility, **kwargs)
    if "url" not in kwargs:
        material.file.save("prezentaciya.pdf", ContentFile(PDF), save=False)
    material.save()
    return material


# --- adding and listing ----------------------------------------------------------------------


@pytest.mark.parametrize("make", [EventFactory, organisation_event, network_event])
def test_permission_ladder_on_the_materials_page(make) -> None:
    event = make()
    url = reverse("events:materials", args=[event.pk])
    assert Client().get(url).status_code == 302
    for role, user in ladder(event).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        data = {"title": f"От {role}", "url": "https://example.org/a", "visibility": EVERYONE}
        assert signed_in(user).post(url, data).status_code == (302 if role in ALLOWED else 403)
    assert Material.objects.filter(event=event).count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("Програма на обучението.PDF", PDF), ("programa.docx", None), ("snimka.png", PNG)],
)
def test_adding_a_file(name, content) -> None:
    event = EventFactory()
    organiser = organiser_of(event)
    data = {
        "title": "Програма",
        "file": upload(name, content or docx_bytes()),
        "url": "",
        "visibility": PARTICIPANTS,
    }
    response = signed_in(organiser).post(reverse("events:materials", args=[event.pk]), data)
    assert response.status_code == 302
    material = Material.objects.get(event=event)
    assert material.visibility == PARTICIPANTS and material.added_by == organiser
    assert material.file.name.startswith(f"events/{event.pk}/")
    assert material.file.name.rsplit("/", 1)[1].isascii()  # core.uploads.safe_name


def test_adding_a_link() -> None:
    event = EventFactory()
    data = {"title": "Запис", "url": "video.example.org/zapis", "visibility": EVERYONE}
    signed_in(organiser_of(event)).post(reverse("events:materials", args=[event.pk]), data)
    material = Material.objects.get(event=event)
    assert material.url == "https://video.example.org/zapis" and not material.file


BAD = [
    (
        {"file": ("bележки.txt", b"plain text")},
        "file",
        "Upload a PDF, a Word (.docx) file or an image",
    ),
    (
        {"file": ("fake.pdf", b"MZ\x90\x00")},
        "file",
        "Upload a PDF, a Word (.docx) file or an image",
    ),
    ({}, "file", "Choose a file or give a link."),
    ({"file": ("a.pdf", PDF), "url": "https://example.org"}, "url", "either a file or a link"),
    ({"url": "ftp://example.org/a"}, "url", "Enter a web address"),
    ({"title": "", "url": "https://example.org"}, "title", "This field is required."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_materials_are_refused_next_to_the_field(changes, field, message) -> None:
    event = EventFactory()
    data: dict[str, object] = {"title": "Материал", "url": "", "visibility": EVERYONE}
    for key, value in changes.items():
        data[key] = upload(*value) if key == "file" else value
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:materials", args=[event.pk]), data
        )
    assert response.status_code == 200
    assert message in field_block(response.content.decode(), field)
    assert not Material.objects.exists()


@pytest.mark.parametrize("n", [3, 30])
def test_the_materials_page_keeps_its_queries_flat(n, django_assert_max_num_queries) -> None:
    event = EventFactory()
    for i in range(n):
        Material.objects.create(event=event, title=f"Връзка {i}", url=f"https://example.org/{i}")
    client = signed_in(organiser_of(event))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("events:materials", args=[event.pk])).status_code == 200


# --- removing --------------------------------------------------------------------------------


def test_removing_a_material_removes_its_file(django_capture_on_commit_callbacks) -> None:
    event = EventFactory()
    material = stored(event)
    storage, name = material.file.storage, material.file.name
    assert storage.exists(name)
    url = reverse("events:material-delete", args=[event.pk, material.pk])
    client = signed_in(organiser_of(event))
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not storage.exists(name)


def test_permission_ladder_on_removing() -> None:
    event = organisation_event()
    for role, user in ladder(event).items():
        material = stored(event, url="https://example.org/x")
        url = reverse("events:material-delete", args=[event.pk, material.pk])
        assert Client().post(url).status_code == 302
        response = signed_in(user).post(url)
        assert response.status_code == (302 if role in ALLOWED else 403), role
        assert Material.objects.filter(pk=material.pk).exists() == (role not in ALLOWED), role


def test_a_material_of_another_event_is_404() -> None:
    event, other = EventFactory(), EventFactory()
    material = stored(other)
    client = signed_in(organiser_of(event))
    assert (
        client.post(reverse("events:material-delete", args=[event.pk, material.pk])).status_code
        == 404
    )
    assert client.get(reverse("events:material", args=[event.pk, material.pk])).status_code == 404
    assert Material.objects.filter(pk=material.pk).exists()


# --- downloading -----------------------------------------------------------------------------


def test_a_material_for_everyone_is_downloaded_by_anyone() -> None:
    event = EventFactory()
    material = stored(event)
    response = Client().get(reverse("events:material", args=[event.pk, material.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "prezentaciya" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_a_material_for_participants_needs_a_confirmed_place() -> None:
    event = EventFactory()
    material = stored(event, PARTICIPANTS)
    url = reverse("events:material", args=[event.pk, material.pk])
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    people = ladder(event)  # the registrant's registration is a confirmed one
    waiting = RegistrationFactory(event=event, state=RegistrationState.WAITING).user
    allowed = {"registrant", "organiser", "administrator"}
    for role, user in {**people, "on the waiting list": waiting}.items():
        response = signed_in(user).get(url)
        assert response.status_code == (200 if role in allowed else 403), role
    response = signed_in(people["registrant"]).get(url)
    assert response["Cache-Control"] == "private, no-store"


def test_the_materials_of_a_draft_are_not_there_for_the_public() -> None:
    event = draft()
    material = stored(event)
    url = reverse("events:material", args=[event.pk, material.pk])
    assert Client().get(url).status_code == 404
    assert signed_in(organiser_of(event)).get(url).status_code == 200


def test_a_link_or_a_lost_file_is_404() -> None:
    event = EventFactory()
    link = stored(event, url="https://example.org/x")
    assert Client().get(reverse("events:material", args=[event.pk, link.pk])).status_code == 404
    lost = stored(event)
    lost.file.storage.delete(lost.file.name)
    assert Client().get(reverse("events:material", args=[event.pk, lost.pk])).status_code == 404


# --- minutes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [EventFactory, organisation_event, network_event])
def test_permission_ladder_on_the_minutes(make) -> None:
    event = make()
    url = reverse("events:minutes", args=[event.pk])
    assert Client().get(url).status_code == 302
    for role, user in ladder(event).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, {"minutes": f"От {role}", "action": "publish"})
        assert response.status_code == (302 if role in ALLOWED else 403), role
    event.refresh_from_db()
    assert event.minutes == "От administrator"


def test_preview_saves_nothing_and_shows_safe_html() -> None:
    event = EventFactory()
    text = "## Решения\n\n- **Първо**\n\n<script>alert(1)</script>"
    response = signed_in(organiser_of(event)).post(
        reverse("events:minutes", args=[event.pk]), {"minutes": text, "action": "preview"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Първо</strong>" in html and "<script>alert(1)</script>" not in html
    event.refresh_from_db()
    assert event.minutes == "" and event.minutes_published_at is None


def test_saving_then_publishing_the_minutes() -> None:
    event = EventFactory()
    client = signed_in(organiser_of(event))
    url = reverse("events:minutes", args=[event.pk])
    assert client.post(url, {"minutes": "Чернова", "action": "save"}).status_code == 302
    event.refresh_from_db()
    assert event.minutes == "Чернова" and event.minutes_published_at is None
    assert client.get(url).context["form"].initial["minutes"] == "Чернова"
    assert client.post(url, {"minutes": "Протокол", "action": "publish"}).status_code == 302
    event.refresh_from_db()
    assert event.minutes == "Протокол" and event.minutes_published_at is not None


def test_empty_minutes_are_refused() -> None:
    event = EventFactory()
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:minutes", args=[event.pk]), {"minutes": "  ", "action": "publish"}
        )
    assert response.status_code == 200
    assert "Write the summary or the minutes." in field_block(response.content.decode(), "minutes")
    event.refresh_from_db()
    assert event.minutes_published_at is None
