"""News items for tests: `NewsItemFactory` makes a published item of the portal by default;
pass `institution=`, `organisation=` or `network=` for another publisher, `state=` and
`publish_at=` for other states."""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from news.enums import Kind, State
from news.models import NewsImage, NewsItem


def png_bytes(
    size: tuple[int, int] = (40, 30), colour: tuple[int, int, int] = (0, 90, 48)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "snimka.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


class NewsItemFactory(DjangoModelFactory):
    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    kind = Kind.NEWS
    title = factory.Sequence(lambda n: f"Общината обнови детската площадка {n}")
    lead = "Площадката в парка е ремонтирана и отново е отворена за децата."
    body = "Ремонтът е по **проект** на общината.\n\n- нови люлки\n- нова настилка"
    state = State.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    is_demo = False


class NewsImageFactory(DjangoModelFactory):
    class Meta:
        model = NewsImage

    item = factory.SubFactory(NewsItemFactory)
    file = factory.LazyFunction(png_upload)
    alt = "Деца на новата пързалка в парка"
    caption = "Новата площадка"
