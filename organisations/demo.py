"""Demo content of the catalogue: ~300 fictional organisations and three networks.

Everything here is invented and marked (`is_demo=True`, source `DEMO_SOURCE`), in real
settlements of the portal's scope: believable Bulgarian names, varied fields of activity. The
main network is „Семейство на НПО от Южен централен район“ (the "family of NGOs" of the
project of seed 004) with ~25 members, four areas of joint work and a work plan of ~20 tasks
dated around today, so some are overdue whenever the demo is loaded. Real register entries
(the community centres) never become members of a demo network, and no real person appears:
the only representative is the fictional demo account `ngo@demo.eregion.bg` (load_demo).

Loading is idempotent: organisations are keyed by (source, source_key), networks by name,
tasks and positions by title; what a person changed in the demo is left alone.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from core.search import index_objects
from organisations import networks as services
from organisations.enums import SEED_FIELDS, Benefit, LegalForm, Reach
from organisations.loader import seed_taxonomies
from organisations.models import (
    FieldOfActivity,
    JointArea,
    JointPosition,
    Membership,
    Network,
    Organisation,
    Signature,
    TargetGroup,
    Task,
    TaskChange,
)
from territory.models import Municipality, PortalScope, Province, Settlement

DEMO_SOURCE = "Демонстрационни данни на портала (измислени организации)"
DEMO_COUNT = 300
DEMO_EMAIL_DOMAIN = "demo.eregion.bg"
DEMO_REPRESENTATIVE = "ngo@demo.eregion.bg"
FALLBACK_PROVINCES = ["PDV", "HKV", "SZR", "KRZ", "SML", "PAZ"]
SEED = 2008  # the year of the project: the same organisations on every machine
FIELD_SLUGS = [slug for slug, *_rest in SEED_FIELDS]

MAIN_NETWORK = "Семейство на НПО от Южен централен район"
COORDINATOR_NAME = "Граждански инициативи – Пазарджик"

# (theme of an association, slugs of its fields of activity, slugs of its target groups)
THEMES: list[tuple[str, list[str], list[str]]] = [
    ("Граждански инициативи", ["civic-participation", "good-governance"], ["local-community"]),
    ("Прозрачно управление", ["good-governance", "anti-corruption"], ["general-public"]),
    ("Активни граждани", ["civic-participation", "volunteering"], ["local-community"]),
    ("Местно развитие", ["local-development", "sustainable-development"], ["local-community"]),
    ("Младежки алтернативи", ["youth", "education"], ["youth"]),
    ("Зелено бъдеще", ["environment", "sustainable-development"], ["general-public"]),
    ("Равни шансове", ["equal-opportunities", "social-inclusion"], ["disabilities"]),
    ("Родители за образование", ["education"], ["children"]),
    ("Културно наследство", ["culture", "tourism"], ["local-community"]),
    ("Доброволци за общността", ["volunteering", "social-services"], ["elderly"]),
    ("Социална подкрепа", ["social-services", "social-inclusion"], ["unemployed"]),
    ("Граждански мониторинг", ["good-governance", "anti-corruption"], ["administration"]),
    ("Европейски перспективи", ["local-development", "education"], ["ngos"]),
    ("Устойчиво село", ["rural-development", "environment"], ["local-community"]),
    ("Здраве за всички", ["health", "social-services"], ["elderly"]),
    ("Спорт и общност", ["sport", "youth"], ["youth"]),
    ("Традиции и туризъм", ["tourism", "culture"], ["general-public"]),
    ("Права и достойнство", ["human-rights", "equal-opportunities"], ["roma"]),
    ("Жени за промяна", ["equal-opportunities", "civic-participation"], ["women"]),
    ("Достъпна среда", ["equal-opportunities", "social-inclusion"], ["disabilities"]),
    ("Обществен диалог", ["civic-participation", "good-governance"], ["administration"]),
    ("Заедно за децата", ["social-services", "education"], ["children"]),
]
# Names of foundations: (name, fields, target groups)
FOUNDATIONS: list[tuple[str, list[str], list[str]]] = [
    ("Родопски хоризонти", ["local-development", "tourism"], ["local-community"]),
    ("Тракийско наследство", ["culture"], ["general-public"]),
    ("Маришки мост", ["civic-participation", "local-development"], ["ngos"]),
    ("Балкански извор", ["environment"], ["general-public"]),
    ("Ново начало", ["social-inclusion", "social-services"], ["unemployed"]),
    ("Светлина за децата", ["social-services"], ["children"]),
    ("Шанс за всеки", ["equal-opportunities", "education"], ["roma"]),
    ("Зелена Тракия", ["environment", "sustainable-development"], ["youth"]),
    ("Отворени врати", ["social-inclusion"], ["disabilities"]),
    ("Бъдеще за младите", ["youth", "education"], ["youth"]),
    ("Мост между поколенията", ["social-services", "volunteering"], ["elderly"]),
    ("Добро сърце", ["health", "social-services"], ["elderly"]),
    ("Знание и развитие", ["education", "good-governance"], ["administration"]),
    ("Общност и доверие", ["civic-participation", "anti-corruption"], ["general-public"]),
]
CENTRES = [
    ("Център за гражданско образование", ["education", "civic-participation"], ["youth"]),
    ("Център за социална рехабилитация", ["social-services", "health"], ["disabilities"]),
    ("Център за местни политики", ["good-governance", "local-development"], ["administration"]),
    ("Клуб на пенсионера „Бодрост“", ["social-inclusion", "culture"], ["elderly"]),
    ("Туристическо дружество „Еделвайс“", ["tourism", "sport"], ["general-public"]),
    ("Младежки клуб „Инициатива“", ["youth", "volunteering"], ["youth"]),
]

AREAS = [
    (
        "Прозрачност и отчетност на местната власт",
        "Наблюдение на бюджетите, обществените поръчки и изпълнението на решенията на "
        "общинските съвети.",
    ),
    (
        "Гражданско участие в местните политики",
        "Участие в обществени консултации и обсъждания; предложения по наредби и стратегии.",
    ),
    (
        "Капацитет и обучения на НПО",
        "Обучения, обмяна на опит и общи кандидатствания по програми.",
    ),
    (
        "Социално включване и равни възможности",
        "Достъп до социални услуги, образование и заетост за уязвимите групи.",
    ),
]

# (title, area index, start offset in days from today, due offset, status, progress, notes)
MAIN_TASKS: list[tuple[str, int, int, int, str, int, str]] = [
    ("Учредително събрание и приемане на правилата на семейството", 2, -300, -280, "done", 100, ""),
    (
        "Проучване на необходимостите от обучение на НПО в шестте области",
        2,
        -280,
        -200,
        "done",
        100,
        "Анкета сред 120 организации; докладът е публикуван.",
    ),
    ("Обучение „Партньорства и работа в мрежа“ (20 представители)", 2, -190, -175, "done", 100, ""),
    ("Карта на общинските консултативни съвети в региона", 1, -170, -120, "done", 100, ""),
    (
        "Анализ на проектобюджетите на областните центрове",
        0,
        -150,
        -90,
        "done",
        100,
        "Пловдив, Пазарджик, Смолян, Кърджали, Хасково, Стара Загора.",
    ),
    ("Обучение „Застъпнически кампании, преговори и диалог“", 2, -120, -100, "done", 100, ""),
    ("Общо становище по наредбите за обществените консултации", 1, -110, -60, "done", 100, ""),
    (
        "Наблюдение на изпълнението на решенията на общинските съвети",
        0,
        -100,
        -20,
        "in-progress",
        60,
        "Изостава: липсват отговори от три общини.",
    ),
    (
        "Заявления по ЗДОИ за договорите за социални услуги",
        3,
        -80,
        -12,
        "in-progress",
        45,
        "Чакаме отговор от две администрации.",
    ),
    ("Каталог на гражданските организации – проверка на данните", 2, -70, -8, "planned", 0, ""),
    (
        "Кръгла маса с областните администрации за социалните услуги",
        3,
        -60,
        -3,
        "in-progress",
        80,
        "",
    ),
    (
        "Обучение „Разработване на политики и мониторинг на администрацията“",
        2,
        -30,
        10,
        "in-progress",
        30,
        "",
    ),
    (
        "Предложения към проекта на Областна стратегия за социалните услуги",
        3,
        -20,
        20,
        "in-progress",
        50,
        "",
    ),
    ("Публичен регистър на поетите от общините ангажименти", 0, -10, 45, "planned", 10, ""),
    (
        "Наръчник „Форми за участие на гражданското общество в управлението“",
        1,
        0,
        60,
        "planned",
        0,
        "",
    ),
    ("Съвместна кампания за достъпна среда в шестте областни града", 3, 15, 90, "planned", 0, ""),
    ("Годишна среща на семейството и отчет на плана", 2, 80, 95, "planned", 0, ""),
    ("Обществено обсъждане на бюджетите за следващата година", 1, 30, 120, "planned", 0, ""),
    ("Индекс на отзивчивостта на общинските администрации", 0, 40, 150, "planned", 0, ""),
    (
        "Обмяна на опит с мрежи от Северен централен район",
        2,
        -45,
        -30,
        "cancelled",
        0,
        "Отложено за следващата година по решение на общото събрание.",
    ),
]

POSITIONS = [
    (
        "Позиция относно прозрачността на общинските бюджети в Южен централен район",
        """Членовете на Семейството на НПО от Южен централен район призоваваме общините в
областите Пловдив, Пазарджик, Смолян, Кърджали, Хасково и Стара Загора:

- да публикуват проектобюджетите **поне 30 дни** преди обсъждането им в общинския съвет;
- да публикуват бюджета и отчета за изпълнението му и във **формат за отворени данни**;
- да провеждат публично обсъждане в удобно за гражданите време и да публикуват справка
  за отразяването на предложенията.

Готови сме да участваме в обсъжданията и да представим анализите си.

*Демонстрационно съдържание: позицията е измислена.*""",
        -85,
        14,
    ),
    (
        "Предложения към проекта на Областна стратегия за развитие на социалните услуги",
        """Предлагаме в проекта на стратегията да бъдат включени:

1. Карта на нуждите от социални услуги по общини, обновявана всяка година.
2. Участие на доставчиците – граждански организации – в работните групи.
3. Публичен отчет за изпълнението на мерките на всеки шест месеца.

*Демонстрационно съдържание: позицията е измислена.*""",
        -15,
        4,
    ),
]


@dataclass
class OtherNetwork:
    name: str
    purpose: str
    province: str
    areas: list[str]
    tasks: list[tuple[str, int, int, int, str, int]]
    members: int


OTHER_NETWORKS = [
    OtherNetwork(
        name="Мрежа за младежко участие „Тракия“",
        purpose="Младежки организации от Тракия, които искат младите хора да участват в "
        "решенията на общините: младежки съвети, консултации, доброволчество.",
        province="SZR",
        areas=["Младежки общински съвети", "Доброволчество и гражданско образование"],
        tasks=[
            ("Проучване на младежките политики на общините", 0, -120, -60, "done", 100),
            ("Училище за млади граждани – пролетна сесия", 1, -40, -5, "in-progress", 70),
            ("Предложения към общинските програми за младежта", 0, -10, 35, "planned", 0),
            ("Доброволческа кампания „Чист град“", 1, 20, 50, "planned", 0),
            ("Среща с кметовете на общините от областта", 0, 40, 70, "planned", 0),
        ],
        members=8,
    ),
    OtherNetwork(
        name="Родопска мрежа за устойчиво развитие",
        purpose="Организации от Родопите за опазване на природата, селски туризъм и "
        "развитие на малките населени места.",
        province="SML",
        areas=["Селски и екотуризъм", "Опазване на природата", "Местни инициативни групи"],
        tasks=[
            ("Обща карта на туристическите маршрути", 0, -90, -30, "done", 100),
            ("Становище по плана за управление на защитените зони", 1, -50, -2, "planned", 20),
            (
                "Обучение за кандидатстване по програмата за развитие на селските райони",
                2,
                -5,
                25,
                "in-progress",
                40,
            ),
            ("Фестивал на местните продукти", 0, 60, 62, "planned", 0),
        ],
        members=7,
    ),
]


@dataclass
class Report:
    organisations_created: int = 0
    organisations_updated: int = 0
    networks: list[str] = field(default_factory=list)
    tasks_created: int = 0
    representative: str = ""
    notes: list[str] = field(default_factory=list)


def scope_municipalities() -> list[Municipality]:
    """The portal's scope, or else the six provinces of the South Central region."""
    scope = PortalScope.current()
    codes = scope.municipality_codes()
    if codes:
        return list(Municipality.objects.filter(code__in=codes).order_by("code"))
    return list(Municipality.objects.filter(province_id__in=FALLBACK_PROVINCES).order_by("code"))


def _places(rng: random.Random, municipalities: list[Municipality]) -> list[Settlement]:
    """Settlements for the organisations: mostly towns, in proportion to where people live,
    with some villages (the real ones of the municipality)."""
    settlements = list(
        Settlement.objects.filter(municipality__in=municipalities)
        .select_related("municipality__province")
        .order_by("ekatte")
    )
    towns = [s for s in settlements if s.kind == "town"]
    villages = [s for s in settlements if s not in towns and (s.population_2017 or 0) >= 800]
    if not towns:
        towns = settlements
    weights = [max(s.population_2017 or 1000, 1000) ** 0.6 for s in towns]
    chosen: list[Settlement] = []
    for _ in range(DEMO_COUNT):
        if villages and rng.random() < 0.2:
            chosen.append(rng.choice(villages))
        else:
            chosen.append(rng.choices(towns, weights=weights)[0])
    return chosen


def _town_name(settlement: Settlement) -> str:
    return settlement.name_bg


@dataclass
class DemoOrg:
    key: str
    name: str
    legal_form: str
    settlement: Settlement
    fields: list[str]
    groups: list[str]
    reach: str
    year: int


def plan_organisations(municipalities: list[Municipality]) -> list[DemoOrg]:
    """The same list of fictional organisations for the same territory, every time."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    places = _places(rng, municipalities)
    names: set[str] = set()
    orgs: list[DemoOrg] = []
    coordinator_place = next(
        (s for s in places if s.name_bg == "Пазарджик"),
        Settlement.objects.filter(name_bg="Пазарджик", kind="town").first() or places[0],
    )
    for n, place in enumerate(places):
        town = _town_name(place)
        if n == 0:
            place = coordinator_place
            name = f"Сдружение „{COORDINATOR_NAME}“"
            form, fields_, groups = LegalForm.ASSOCIATION, THEMES[0][1], THEMES[0][2]
        else:
            # Draw until the name is new: a theme the town does not have yet, a foundation's
            # name (with the town once the plain one is taken), or a club or centre.
            for _attempt in range(50):
                roll = rng.random()
                if roll < 0.62:
                    theme, fields_, groups = rng.choice(THEMES)
                    name, form = f"Сдружение „{theme} – {town}“", LegalForm.ASSOCIATION
                elif roll < 0.88:
                    base, fields_, groups = rng.choice(FOUNDATIONS)
                    name, form = f"Фондация „{base}“", LegalForm.FOUNDATION
                    if name in names:
                        name = f"Фондация „{base} – {town}“"
                else:
                    base, fields_, groups = rng.choice(CENTRES)
                    name, form = f"{base} – {town}", LegalForm.ASSOCIATION
                if name not in names:
                    break
        names.add(name)
        extra = rng.choice([f for f in FIELD_SLUGS if f not in fields_])
        reach = rng.choices(
            [Reach.LOCAL, Reach.MUNICIPAL, Reach.REGIONAL, Reach.NATIONAL], weights=[4, 4, 2, 1]
        )[0]
        orgs.append(
            DemoOrg(
                key=f"demo-{n + 1:03d}",
                name=name,
                legal_form=form,
                settlement=place,
                fields=[*fields_, extra] if rng.random() < 0.5 else list(fields_),
                groups=list(groups),
                reach=reach,
                year=rng.randint(1991, 2023),
            )
        )
    return orgs


def _description(org: DemoOrg, fields_by_slug: dict[str, FieldOfActivity]) -> str:
    topics = ", ".join(fields_by_slug[s].name_bg.lower() for s in org.fields if s in fields_by_slug)
    place = f"{org.settlement.type_abbr} {org.settlement.name_bg}"
    return (
        f"Работим в {place} и общината от {org.year} г. Области на дейност: {topics}.\n\n"
        "*Демонстрационна организация: измислена, за да се покаже каталогът.*"
    )


def load_organisations(
    say: Callable[[str], None] | None = None,
) -> tuple[list[Organisation], Report]:
    report = Report()
    seed_taxonomies()
    municipalities = scope_municipalities()
    if not municipalities:
        report.notes.append("The territory is not loaded: run load_territory first.")
        return [], report
    fields_by_slug = {f.slug: f for f in FieldOfActivity.objects.all()}
    groups_by_slug = {g.slug: g for g in TargetGroup.objects.all()}
    existing = {o.source_key: o for o in Organisation.objects.filter(source=DEMO_SOURCE)}
    result: list[Organisation] = []
    planned = plan_organisations(municipalities)
    for number, demo in enumerate(planned, start=1):
        values = {
            "name": demo.name,
            "legal_form": demo.legal_form,
            "benefit": Benefit.PUBLIC if number % 4 else Benefit.PRIVATE,
            "settlement": demo.settlement,
            "email": f"{demo.key}@{DEMO_EMAIL_DOMAIN}",
            "description": _description(demo, fields_by_slug),
            "year_founded": demo.year,
            "reach": demo.reach,
            "is_demo": True,
        }
        org = existing.get(demo.key)
        if org is None:
            org = Organisation.objects.create(source=DEMO_SOURCE, source_key=demo.key, **values)
            report.organisations_created += 1
        else:
            changed = [k for k, v in values.items() if getattr(org, k) != v]
            if not changed:
                result.append(org)
                continue
            for key in changed:
                setattr(org, key, values[key])
            org.save(update_fields=[*changed, "updated_at"])
            report.organisations_updated += 1
        org.fields.set([fields_by_slug[s] for s in demo.fields if s in fields_by_slug])
        org.target_groups.set([groups_by_slug[s] for s in demo.groups if s in groups_by_slug])
        municipality = demo.settlement.municipality
        org.reach_settlements.set([demo.settlement] if demo.reach == Reach.LOCAL else [])
        org.reach_municipalities.set([municipality] if demo.reach == Reach.MUNICIPAL else [])
        org.reach_provinces.set([municipality.province] if demo.reach == Reach.REGIONAL else [])
        result.append(org)
        if say and number % 100 == 0:
            say(f"  demo organisations: {number}/{len(planned)}")
    return result, report


# --- networks --------------------------------------------------------------------------------


def _province_of(org: Organisation) -> str:
    settlement = org.settlement
    return settlement.municipality.province_id if settlement else ""


def _pick_members(
    orgs: list[Organisation], count: int, exclude: set[int], province: str | None = None
) -> list[Organisation]:
    """Members spread over the provinces (round robin), deterministic."""
    by_province: dict[str, list[Organisation]] = {}
    for org in orgs:
        if org.pk in exclude:
            continue
        if province and _province_of(org) != province:
            continue
        by_province.setdefault(_province_of(org), []).append(org)
    picked: list[Organisation] = []
    keys = sorted(by_province)
    while len(picked) < count and any(by_province.values()):
        for key in keys:
            if by_province[key] and len(picked) < count:
                picked.append(by_province[key].pop(0))
    return picked


def _network(
    name: str, purpose: str, coordinator: Organisation, provinces: list[Province], user: User | None
) -> tuple[Network, bool]:
    network = Network.objects.filter(name=name, is_demo=True).first()
    if network is not None:
        return network, False
    network = Network.objects.create(
        name=name, purpose=purpose, coordinator=coordinator, created_by=user, is_demo=True
    )
    network.provinces.set(provinces)
    return network, True


def _join(network: Network, org: Organisation, joined: datetime.date, status: str) -> None:
    Membership.objects.get_or_create(
        network=network,
        organisation=org,
        defaults={
            "status": status,
            "joined_on": joined if status == Membership.Status.MEMBER else None,
        },
    )


def _areas(network: Network, areas: list[tuple[str, str]]) -> list[JointArea]:
    result = []
    for order, (name, description) in enumerate(areas, start=1):
        area, _created = JointArea.objects.get_or_create(
            network=network, name=name, defaults={"description": description, "order": order * 10}
        )
        result.append(area)
    return result


def _tasks(
    network: Network,
    areas: list[JointArea],
    members: list[Organisation],
    tasks: list[tuple[str, int, int, int, str, int, str]],
    user: User | None,
    today: datetime.date,
) -> int:
    have = set(network.tasks.values_list("title", flat=True))
    created = 0
    for n, (title, area, start, due, status, progress, notes) in enumerate(tasks):
        if title in have:
            continue
        task = Task.objects.create(
            network=network,
            title=title,
            area=areas[area % len(areas)],
            responsible=members[n % len(members)],
            starts_on=today + datetime.timedelta(days=start),
            due_on=today + datetime.timedelta(days=due),
            status=Task.Status.PLANNED if status != "cancelled" else Task.Status.CANCELLED,
            progress=0,
            notes=notes,
        )
        created += 1
        planned_at = timezone.now() + datetime.timedelta(days=start - 7)
        TaskChange.objects.create(
            task=task,
            network=network,
            subject=title,
            user=user,
            at=planned_at,
            action="created",
            changes={
                k: ["", v] for k, v in services.task_values(task).items() if v and k != "progress"
            },
        )
        if status in ("in-progress", "done") or progress:
            before = services.task_values(task)
            task.status = status
            task.progress = progress
            task.version += 1
            task.save(update_fields=["status", "progress", "version", "updated_at"])
            at = timezone.now() + datetime.timedelta(days=min(due, 0) if status == "done" else -1)
            TaskChange.objects.create(
                task=task,
                network=network,
                subject=title,
                user=user,
                at=at,
                action="changed",
                changes=services.diff(before, services.task_values(task)),
            )
    return created


def _positions(
    network: Network, members: list[Organisation], user: User | None, today: datetime.date
) -> None:
    for title, body, published, signers in POSITIONS:
        position = JointPosition.objects.filter(network=network, title=title).first()
        if position is None:
            position = JointPosition.objects.create(
                network=network,
                title=title,
                body=body,
                created_by=user,
                published_at=timezone.now() + datetime.timedelta(days=published),
            )
        for n, org in enumerate(members[:signers]):
            Signature.objects.get_or_create(
                position=position,
                organisation=org,
                defaults={
                    "signed_by": user if org.pk == network.coordinator_id else None,
                    "signed_at": position.published_at + datetime.timedelta(hours=3 + 5 * n)
                    if position.published_at
                    else timezone.now(),
                },
            )


def _representative(org: Organisation) -> str:
    user = User.objects.filter(email=DEMO_REPRESENTATIVE).first()
    if user is None:
        return ""
    RoleAssignment.grant(user, Role.ORGANISATION_REPRESENTATIVE, scope=org)
    count = (
        RoleAssignment.objects.for_scope(org)
        .filter(role=Role.ORGANISATION_REPRESENTATIVE)
        .active()
        .count()
    )
    Organisation.objects.filter(pk=org.pk).update(representatives_count=count)
    return user.email


def load_networks(orgs: list[Organisation], report: Report) -> None:
    today = services.today()
    user = User.objects.filter(email=DEMO_REPRESENTATIVE).first()
    coordinator = orgs[0]
    report.representative = _representative(coordinator)
    codes = sorted({_province_of(o) for o in orgs if _province_of(o)})
    provinces = list(
        Province.objects.filter(code__in=[c for c in codes if c in FALLBACK_PROVINCES])
    )
    main, created = _network(
        MAIN_NETWORK,
        "Семейството обединява граждански организации от шестте области на Южен централен "
        "район, за да бъдат **активен и ефективен партньор** на администрацията: общо "
        "наблюдение на местната власт, участие в обществените консултации, обучения и обмяна "
        "на опит.\n\n*Демонстрационно съдържание: мрежата и членовете ѝ са измислени.*",
        coordinator,
        provinces,
        user,
    )
    used = {coordinator.pk}
    # The family is of the South Central region: its members come from there when the scope
    # has it (the demo scope also has Sofia, Pleven and Sliven).
    regional = [o for o in orgs if _province_of(o) in FALLBACK_PROVINCES] or orgs
    if created or not main.memberships.exists():
        members = [coordinator, *_pick_members(regional, 24, used)]
        for n, org in enumerate(members):
            _join(main, org, today - datetime.timedelta(days=300 - n * 3), Membership.Status.MEMBER)
        extra = _pick_members(regional, 2, used | {o.pk for o in members})
        if extra:
            _join(main, extra[0], today, Membership.Status.APPLIED)
        if len(extra) > 1:
            _join(main, extra[1], today, Membership.Status.INVITED)
    members = [
        m.organisation
        for m in main.memberships.filter(status=Membership.Status.MEMBER)
        .select_related("organisation")
        .order_by("joined_on", "pk")
    ]
    used |= {o.pk for o in members}
    areas = _areas(main, AREAS)
    report.tasks_created += _tasks(main, areas, members, MAIN_TASKS, user, today)
    _positions(main, members, user, today)
    services._recount(main)
    report.networks.append(main.name)

    for other in OTHER_NETWORKS:
        local = _pick_members(orgs, other.members, used, other.province) or _pick_members(
            orgs, other.members, used
        )
        if not local:
            continue
        network, created = _network(
            other.name,
            other.purpose + "\n\n*Демонстрационно съдържание: мрежата е измислена.*",
            local[0],
            list(Province.objects.filter(code=other.province)),
            None,
        )
        if created or not network.memberships.exists():
            for n, org in enumerate(local):
                _join(network, org, today - datetime.timedelta(days=200 - n * 5), "member")
            used |= {o.pk for o in local}
        net_members = [
            m.organisation
            for m in network.memberships.filter(status=Membership.Status.MEMBER)
            .select_related("organisation")
            .order_by("joined_on", "pk")
        ]
        net_areas = _areas(network, [(a, "") for a in other.areas])
        report.tasks_created += _tasks(
            network, net_areas, net_members, [(*t, "") for t in other.tasks], None, today
        )
        services._recount(network)
        report.networks.append(network.name)


def load(say: Callable[[str], None] | None = None) -> Report:
    """Create or bring up to date the demo organisations and networks (idempotent)."""
    with transaction.atomic():
        orgs, report = load_organisations(say)
        if orgs:
            load_networks(orgs, report)
    if orgs:
        from organisations.search import KIND, NETWORK_KIND

        index_objects(
            KIND,
            Organisation.objects.filter(source=DEMO_SOURCE)
            .select_related("settlement__municipality__province")
            .prefetch_related("fields", "target_groups"),
        )
        index_objects(
            NETWORK_KIND,
            Network.objects.filter(is_demo=True).filter(~Q(name="")).select_related("coordinator"),
        )
    return report
