"""The benchmark's organisations: the real community-centre register plus `Scale.organisations`
fictional ones (default 60,000: the national scale of DESIGN.md §7), and networks.

Fictional organisations are demo entries (`is_demo`, e-mail at bench.invalid) with believable
Bulgarian names, seated in real settlements chosen in proportion to their population, with one
to three fields of activity. One of them has a fixed id (SHOWCASE_ID) and a full profile
(activities, partners, networks), so bench/targets.py can measure an organisation's page.
Everything goes in with bulk_create and one search re-index; the previous run's rows are
removed first with plain DELETEs (no per-row signals), so the generator is idempotent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from bench.generate import EMAIL_DOMAIN, Context, generator

SHOWCASE_ID = 900_001
NETWORKS = 200
BATCH = 2000

WORDS = [
    "Бъдеще", "Надежда", "Развитие", "Прозрачност", "Партньорство", "Хоризонт", "Мост",
    "Зелена планета", "Младежка инициатива", "Граждански глас", "Общност", "Светлина",
    "Отворено общество", "Родопи", "Тракия", "Балкан", "Дунав", "Средна гора", "Искра",
    "Напредък", "Просвета", "Пробуда", "Съгласие", "Единство", "Детска усмивка", "Шанс",
    "Активни граждани", "Културно наследство", "Еко бъдеще", "Знание", "Солидарност",
]  # fmt: skip
PATTERNS = [
    "Сдружение „{w}“",
    "Сдружение „{w} – {town}“",
    "Фондация „{w}“",
    "Сдружение „Местна инициативна група {town}“",
    "Сдружение „Младежки център – {town}“",
    "Фондация „{w} {town}“",
    "Асоциация „{w}“",
    "Сдружение „Клуб на пенсионера – {town}“",
    "Сдружение „Читалищно настоятелство {w}“",
]
CENTRE_NAMES = ["Христо Ботев", "Васил Левски", "Просвета", "Светлина", "Пробуда",
                "Иван Вазов", "Развитие", "Напредък", "Надежда", "Съгласие"]  # fmt: skip


def _delete_previous() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from core.models import SearchEntry
    from organisations.models import Activity, Membership, Network, Organisation, Task

    ours = Organisation.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    ids = ours.values("pk")
    # The few networks through the ORM (their areas, tasks and memberships go with them).
    Network.objects.filter(coordinator__in=ids).delete()
    Task.objects.filter(responsible__in=ids).update(responsible=None)
    # The many organisations with plain DELETEs: Organisation's post_delete hook (the search
    # index) would cost a query a row; what refers to them goes first.
    for qs in (
        Membership.objects.filter(organisation__in=ids),
        Activity.partners.through.objects.filter(organisation__in=ids),
        Activity.partners.through.objects.filter(activity__organisation__in=ids),
        Activity.objects.filter(organisation__in=ids),
        Organisation.fields.through.objects.filter(organisation__in=ids),
        SearchEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Organisation),
            object_id__in=ours.annotate(sid=Cast("pk", CharField())).values("sid"),
        ),
        ours,
    ):
        qs._raw_delete(qs.db)


@generator("organisations", version=2, order=30)
def organisations(ctx: Context) -> str:
    from core import search
    from organisations import loader
    from organisations.enums import Benefit, LegalForm, Reach, Visibility
    from organisations.models import (
        Activity,
        FieldOfActivity,
        JointArea,
        Membership,
        Network,
        Organisation,
        Task,
    )
    from territory.models import Settlement

    rng = ctx.rng
    loader.load(progress=ctx.log)  # the real register (skipped when unchanged) and taxonomies
    _delete_previous()
    places = list(
        Settlement.objects.values_list("ekatte", "name_bg", "type_abbr", "population_2017")
    )
    weights = [(p or 0) + 30 for *_rest, p in places]
    field_ids = list(FieldOfActivity.objects.values_list("pk", flat=True))
    forms = (
        [LegalForm.ASSOCIATION] * 70
        + [LegalForm.FOUNDATION] * 20
        + [LegalForm.COMMUNITY_CENTRE] * 7
        + [LegalForm.FOREIGN_BRANCH, LegalForm.OTHER, LegalForm.OTHER]
    )
    reaches = [Reach.LOCAL] * 5 + [Reach.MUNICIPAL] * 3 + [Reach.REGIONAL] * 2 + [
        Reach.NATIONAL, Reach.INTERNATIONAL
    ]  # fmt: skip
    total = ctx.scale.organisations
    made: list[Organisation] = []
    for i in range(total):
        ekatte, town, _abbr, _pop = rng.choices(places, weights=weights)[0]
        form = rng.choice(forms)
        if form == LegalForm.COMMUNITY_CENTRE:
            name = f"{rng.choice(CENTRE_NAMES)}-{rng.randint(1870, 1960)}"
        else:
            name = rng.choice(PATTERNS).format(w=rng.choice(WORDS), town=town)
            if form == LegalForm.FOUNDATION:
                name = name.replace("Сдружение", "Фондация").replace("Асоциация", "Фондация")
        roll = rng.random()
        made.append(
            Organisation(
                pk=SHOWCASE_ID if i == 0 else None,
                name=name,
                legal_form=form,
                benefit=rng.choice([Benefit.PUBLIC, Benefit.PUBLIC, Benefit.PRIVATE, ""]),
                settlement_id=ekatte,
                address=f"ул. „{rng.choice(CENTRE_NAMES)}“ № {rng.randint(1, 120)}",
                email=f"office{i:06d}@{EMAIL_DOMAIN}",
                website=f"https://ngo{i:06d}.{EMAIL_DOMAIN}" if rng.random() < 0.3 else "",
                reach=rng.choice(reaches),
                description="Работим за **по-добър живот** в нашата общност.",
                year_founded=rng.randint(1990, 2025) if rng.random() < 0.8 else None,
                visibility=Visibility.PUBLIC
                if i == 0 or roll < 0.98
                else (Visibility.PENDING if roll < 0.99 else Visibility.HIDDEN),
                is_demo=True,
            )
        )
    for start in range(0, len(made), BATCH):
        Organisation.objects.bulk_create(made[start : start + BATCH])
    ids = list(
        Organisation.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    through = Organisation.fields.through
    links = [
        through(organisation_id=pk, fieldofactivity_id=f)
        for pk in ids
        for f in rng.sample(field_ids, rng.randint(1, 3))
    ]
    through.objects.bulk_create(links, batch_size=BATCH * 2)

    networks = [
        Network(
            name=f"Мрежа „{rng.choice(WORDS)}“ {n + 1}",
            purpose="Общи действия за по-добро местно управление.",
            coordinator_id=rng.choice(ids),
            is_demo=True,
        )
        for n in range(min(NETWORKS, max(1, len(ids) // 10)))
    ]
    networks[0].coordinator_id = SHOWCASE_ID
    Network.objects.bulk_create(networks)
    networks = list(Network.objects.filter(coordinator_id__in=ids).order_by("pk"))
    memberships = []
    for n, network in enumerate(networks):
        members = set(rng.sample(ids, min(len(ids), rng.randint(5, 40))))
        members.add(network.coordinator_id)
        if n < 3:  # the showcase is in a few networks, as a real organisation would be
            members.add(SHOWCASE_ID)
        memberships += [
            Membership(
                network=network, organisation_id=pk, status=Membership.Status.MEMBER,
                joined_on=datetime.date(2025, 1, 1),
            )
            for pk in members
        ]  # fmt: skip
        network.members_count = len(members)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    Network.objects.bulk_update(networks, ["members_count"])
    area = JointArea.objects.create(network=networks[0], name="Прозрачност на бюджета")
    for k in range(12):
        Task.objects.create(
            network=networks[0], area=area, responsible_id=rng.choice(ids),
            title=f"Задача {k + 1}", due_on=datetime.date(2026, 1 + k, 15),
        )  # fmt: skip
    for k in range(8):
        activity = Activity.objects.create(
            organisation_id=SHOWCASE_ID, title=f"Проект „{WORDS[k]}“", is_project=k % 2 == 0,
            starts_on=datetime.date(2020 + k % 6, 3, 1), ends_on=datetime.date(2021 + k % 6, 2, 28),
            funding_programme="Програма „Активни граждани България“",
            budget_eur=Decimal("12500.00") * (k + 1),
        )  # fmt: skip
        activity.partners.set(rng.sample(ids, 3))
    if len(ids) > 1000:
        indexed = search.reindex("organisations.organisation")  # one bulk rebuild
    else:  # a few (the test suite's tiny scale): only ours, row by row
        search.index_objects(
            "organisations.organisation",
            Organisation.objects.filter(pk__in=ids)
            .select_related("settlement__municipality__province")
            .prefetch_related("fields", "target_groups"),
        )
        indexed = len(ids)
    search.index_objects(
        "organisations.network", Network.objects.filter(pk__in=[n.pk for n in networks])
    )
    return (
        f"{len(ids):,} generated organisations (+ the real register), {len(networks)} networks, "
        f"{len(memberships):,} memberships; {indexed:,} in the search index"
    )
