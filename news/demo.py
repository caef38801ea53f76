"""Demo news (`manage.py load_demo_news`). Never in production.

- three items of the portal itself (written by the demo administrator `admin@demo.eregion.bg`),
  the first with a picture (drawn here: no text in it, no outside source);
- an announcement of the municipal administration of the portal's first municipality (Plovdiv
  when in scope), written by the demo official `sluzhitel@demo.eregion.bg`, as the demo
  consultations pick their owner;
- an item of the first clearly fictional demo organisation (organisations' demo, marked
  `is_demo`), and one of the first demo network when there is one;
- a portal item scheduled three days ahead, so that the scheduled state shows.

Everything is marked `is_demo`; no real organisation or person is named. Loading is
idempotent: an item is keyed by its title among the demo ones and one that exists is left as
it is. Followers are not told of demo items (they are marked notified when made).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from directory.models import Institution
from news.enums import Kind, State
from news.models import NewsImage, NewsItem, StateChange
from organisations.models import Network, Organisation
from territory.models import PortalScope

DEMO_DOMAIN = "demo.eregion.bg"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
STAFF_EMAIL = f"sluzhitel@{DEMO_DOMAIN}"
NGO_EMAIL = f"ngo@{DEMO_DOMAIN}"
PREFERRED_MUNICIPALITY = "PDV22"


@dataclass
class Loaded:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def owner_institution() -> Institution | None:
    """The municipal administration of the portal's first municipality in scope."""
    codes = PortalScope.current().municipality_codes()
    code = PREFERRED_MUNICIPALITY if not codes or PREFERRED_MUNICIPALITY in codes else min(codes)
    return (
        Institution.objects.filter(generated_key=f"ma:{code}").first()
        or Institution.objects.filter(municipality_id=code).order_by("pk").first()
    )


def picture() -> ContentFile[bytes]:
    """A calm abstract picture (hills under a sky) for the demo: no text, made here."""
    image = Image.new("RGB", (1200, 630), (210, 226, 241))
    draw = ImageDraw.Draw(image)
    draw.ellipse((-200, 380, 700, 900), fill=(0, 90, 48))
    draw.ellipse((400, 420, 1500, 1000), fill=(40, 120, 70))
    draw.ellipse((900, 80, 1050, 230), fill=(255, 221, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="demo-hills.png")


def _items(
    institution: Institution | None, organisation: Organisation | None, network: Network | None
) -> list[dict[str, Any]]:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    items: list[dict[str, Any]] = [
        {
            "title": "Порталът „Електронен регион“ отваря врати",
            "lead": "Общини, администрации, организации и граждани вече работят заедно на едно "
            "място: справочник, консултации, събития и наблюдение на администрацията.",
            "body": "Порталът събира на едно място **справочника** на администрациите, "
            "**каталога** на гражданските организации, обществените консултации и събитията.\n\n"
            "## Какво можете да направите още днес\n\n"
            "- да намерите контактите на своята община;\n"
            "- да коментирате проект на наредба;\n"
            "- да последвате община или тема и да получавате новините ѝ по имейл.\n",
            "author": ADMIN_EMAIL,
            "at": now - 12 * day,
            "image": ("Зелени хълмове под синьо небе и жълто слънце", "Илюстрация"),
        },
        {
            "title": "Как да следите новините на своята община",
            "lead": "Бутонът „Следване“ на страницата на община, институция или организация "
            "носи новините ѝ до пощата ви — веднага или в дневен или седмичен бюлетин.",
            "body": "Изберете колко често да получавате писма в **профила** си. Всяко писмо има "
            "връзка за отписване с едно щракване.",
            "author": ADMIN_EMAIL,
            "at": now - 6 * day,
        },
        {
            "title": "Новини и в RSS и Atom",
            "lead": "Всеки поток от новини — на портала, на институция, организация или мрежа — "
            "има емисия, която можете да следите в любимия си четец.",
            "body": "Връзките към емисиите са в горната част на всеки поток.",
            "author": ADMIN_EMAIL,
            "at": now - 2 * day,
        },
        {
            "title": "Предстои: обучение за подготовка на становища по проекти на наредби",
            "lead": "Порталът ще обяви програмата на безплатно обучение за граждански организации.",
            "body": "Подробностите ще бъдат публикувани тук.",
            "author": ADMIN_EMAIL,
            "at": now + 3 * day,
            "state": State.SCHEDULED,
        },
    ]
    if institution is not None:
        items.append(
            {
                "kind": Kind.ANNOUNCEMENT,
                "title": "Обявление: приемно време на кмета през декември (демонстрация)",
                "lead": "Гражданите могат да се запишат за среща с кмета всеки вторник от "
                "14:00 до 17:00 ч. в деловодството на общината.",
                "body": "Записването е по телефона на деловодството или на място. Това е "
                "**демонстрационно** обявление.",
                "author": STAFF_EMAIL,
                "at": now - 4 * day,
                "institution": institution,
            }
        )
    if organisation is not None:
        items.append(
            {
                "title": "Доброволци почистиха брега на реката",
                "lead": "Четиридесет доброволци събраха над 60 чувала отпадъци в събота сутринта.",
                "body": "Благодарим на всички, които се включиха! Следващата акция е през "
                "пролетта.",
                "author": NGO_EMAIL,
                "at": now - 3 * day,
                "organisation": organisation,
            }
        )
    if network is not None:
        items.append(
            {
                "title": "Мрежата прие общо становище за бюджета",
                "lead": "Организациите членове обсъдиха проекта на бюджет и приеха общо "
                "становище с пет предложения.",
                "body": "Становището е изпратено на общинския съвет.",
                "author": NGO_EMAIL,
                "at": now - 1 * day,
                "network": network,
            }
        )
    return items


@transaction.atomic
def load() -> Loaded:
    result = Loaded()
    institution = owner_institution()
    organisation = Organisation.objects.filter(is_demo=True).order_by("pk").first()
    network = Network.objects.filter(is_demo=True).order_by("pk").first()
    existing = set(NewsItem.objects.filter(is_demo=True).values_list("title", flat=True))
    authors = {u.email: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    for spec in _items(institution, organisation, network):
        if spec["title"] in existing:
            result.skipped.append(spec["title"])
            continue
        state = spec.get("state", State.PUBLISHED)
        author = authors.get(spec["author"])
        item = NewsItem.objects.create(
            kind=spec.get("kind", Kind.NEWS),
            title=spec["title"],
            lead=spec["lead"],
            body=spec["body"],
            state=state,
            publish_at=spec["at"],
            institution=spec.get("institution"),
            organisation=spec.get("organisation"),
            network=spec.get("network"),
            created_by=author,
            # Demo items are never announced to followers.
            notified_at=timezone.now(),
            is_demo=True,
        )
        StateChange.objects.create(
            item=item,
            from_state=State.DRAFT,
            to_state=state,
            by=author,
            at=min(spec["at"], timezone.now()),
        )
        if "image" in spec:
            alt, caption = spec["image"]
            image = NewsImage(item=item, alt=alt, caption=caption, position=1)
            image.file.save("demo-hills.png", picture(), save=True)
        result.created.append(item.title)
    return result
