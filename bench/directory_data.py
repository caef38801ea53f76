# ruff: noqa: E501  (tables of data: one service a line reads best)
"""Benchmark data for the directory: administrative services of the generated institutions.

`Scale.services` (20,000 by default) services are spread over every generated institution
(`generate_directory` runs before the generators): a municipal administration offers dozens,
more in a bigger municipality, many in three speeds (обикновена, бърза, експресна) as real
municipalities do; a regional administration a dozen; a mayoralty or a council a few. Names,
legal bases and documents are the usual ones of Bulgarian administrations; fees, deadlines
and register numbers are invented, and every description says the entry is example data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bench.generate import Context, generator

# Every generated description ends with it: how the generator finds (and removes) its rows.
MARK = "Примерни данни за натоварващия тест (не е реална услуга)."
# The institution whose page and first service `make bench` measures (bench/targets.py).
TARGET_INSTITUTION = "ma:PDV22"


@dataclass(frozen=True)
class Item:
    name: str
    fee: str | None  # euro; "0" = free, None = not stated
    deadline: str
    legal_basis: str
    documents: tuple[str, ...] = ("Заявление по образец",)
    who: str = "Физически и юридически лица"


ZGR = "Закон за гражданската регистрация"
ZMDT = "Закон за местните данъци и такси; Наредба за определянето и администрирането на местните такси и цени на услуги"
ZUT = "Закон за устройство на територията"
ZDOI = "Закон за достъп до обществена информация"
ZDS = "Закон за държавната собственост"
ZSP = "Закон за социалното подпомагане; Правилник за прилагане на Закона за социалното подпомагане"
ID = "Документ за самоличност (за справка)"
POA = "Нотариално заверено пълномощно (когато заявлението се подава от пълномощник)"

CIVIL = [
    Item("Издаване на удостоверение за наследници", "2.56", "7 дни", f"{ZGR}, чл. 24",
         ("Заявление по образец", "Акт за смърт на наследодателя (ако е съставен в друга община)", POA),
         "Наследниците или упълномощени от тях лица"),
    Item("Издаване на удостоверение за раждане – дубликат", "2.56", "в деня на заявяването", f"{ZGR}, чл. 40",
         ("Заявление по образец", ID, POA)),
    Item("Издаване на препис-извлечение от акт за раждане", "2.56", "в деня на заявяването", f"{ZGR}, чл. 40", ("Заявление по образец", ID)),
    Item("Издаване на препис-извлечение от акт за смърт", "2.56", "в деня на заявяването", f"{ZGR}, чл. 40", ("Заявление по образец", ID)),
    Item("Издаване на удостоверение за сключен граждански брак – дубликат", "2.56", "в деня на заявяването", f"{ZGR}, чл. 40"),
    Item("Издаване на удостоверение за постоянен адрес", "1.53", "в деня на заявяването", f"{ZGR}, чл. 99", ("Заявление по образец", ID)),
    Item("Издаване на удостоверение за настоящ адрес", "1.53", "в деня на заявяването", f"{ZGR}, чл. 99а", ("Заявление по образец", ID)),
    Item("Издаване на удостоверение за семейно положение", "2.56", "в деня на заявяването", f"{ZGR}, чл. 24"),
    Item("Издаване на удостоверение за семейно положение, съпруг/а и деца", "2.56", "в деня на заявяването", f"{ZGR}, чл. 24"),
    Item("Издаване на удостоверение за идентичност на лице с различни имена", "2.56", "3 работни дни", f"{ZGR}, чл. 24"),
    Item("Издаване на удостоверение за родствени връзки", "2.56", "3 работни дни", f"{ZGR}, чл. 24"),
    Item("Издаване на многоезично извлечение от акт за гражданско състояние", "5.11", "3 работни дни", "Регламент (ЕС) 2016/1191"),
    Item("Заверка на документи по гражданско състояние за чужбина", "2.56", "3 работни дни", f"{ZGR}, чл. 24"),
    Item("Промяна на настоящ адрес", "0", "в деня на заявяването", f"{ZGR}, чл. 92", ("Адресна карта по образец", ID)),
    Item("Промяна на постоянен адрес", "0", "в деня на заявяването", f"{ZGR}, чл. 92", ("Заявление по образец", ID)),
    Item("Издаване на удостоверение за правно ограничение", "2.56", "7 дни", f"{ZGR}, чл. 24"),
]  # fmt: skip
TAXES = [
    Item("Издаване на удостоверение за данъчна оценка на недвижим имот", "5.11", "7 дни", f"{ZMDT}, чл. 264",
         ("Искане по образец", "Документ за собственост", "Скица на имота")),
    Item("Издаване на удостоверение за наличие или липса на задължения", "2.56", "3 работни дни", "Данъчно-осигурителен процесуален кодекс, чл. 87, ал. 6"),
    Item("Подаване на декларация по чл. 14 от ЗМДТ за притежаван недвижим имот", "0", "при подаване", ZMDT,
         ("Декларация по образец", "Документ за собственост")),
    Item("Подаване на декларация по чл. 54 от ЗМДТ за притежавано превозно средство", "0", "при подаване", ZMDT,
         ("Декларация по образец", "Свидетелство за регистрация на превозното средство")),
    Item("Издаване на удостоверение за декларирани данни", "2.56", "7 дни", ZMDT),
    Item("Прихващане или възстановяване на недължимо платени или надвзети суми", "0", "30 дни", "Данъчно-осигурителен процесуален кодекс, чл. 129"),
    Item("Издаване на удостоверение за платен данък върху наследство", "2.56", "7 дни", ZMDT),
    Item("Деклариране на обстоятелства за определяне на такса за битови отпадъци", "0", "при подаване", ZMDT),
]  # fmt: skip
BUILDING = [
    Item("Издаване на скица за недвижим имот", "7.67", "7 дни", f"{ZUT}, чл. 133",
         ("Заявление по образец", "Документ за собственост", POA), "Собственици и носители на ограничени вещни права"),
    Item("Издаване на виза за проектиране", "15.34", "14 дни", f"{ZUT}, чл. 140",
         ("Заявление по образец", "Документ за собственост", "Скица на имота")),
    Item("Одобряване на инвестиционен проект и издаване на разрешение за строеж", "76.69", "30 дни", f"{ZUT}, чл. 145 и чл. 148",
         ("Заявление по образец", "Документ за собственост", "Инвестиционен проект в 2 екземпляра", "Становища на експлоатационните дружества")),
    Item("Издаване на разрешение за строеж", "51.13", "7 дни", f"{ZUT}, чл. 148"),
    Item("Въвеждане в експлоатация на строежи от IV и V категория", "51.13", "7 дни", f"{ZUT}, чл. 177"),
    Item("Издаване на удостоверение за търпимост на строеж", "25.56", "14 дни", f"{ZUT}, § 16 от преходните разпоредби"),
    Item("Заверка на преписи от документи и копия от планове", "5.11", "7 дни", f"{ZUT}, чл. 133"),
    Item("Издаване на удостоверение за идентичност на урегулиран поземлен имот", "10.23", "14 дни", ZUT),
    Item("Допускане изработване на подробен устройствен план", "51.13", "30 дни", f"{ZUT}, чл. 124а"),
    Item("Издаване на разрешение за поставяне на преместваем обект", "25.56", "14 дни", f"{ZUT}, чл. 56"),
    Item("Издаване на разрешение за прокопаване на улични и тротоарни настилки", "15.34", "7 дни", f"{ZUT}, чл. 72"),
    Item("Издаване на удостоверение за административен адрес на поземлен имот", "5.11", "7 дни", f"{ZGR}, чл. 92"),
    Item("Издаване на разрешение за отсичане на дървета извън горски територии", "5.11", "14 дни", "Наредба за опазване на зелената система"),
    Item("Издаване на удостоверение за пътна принадлежност", "10.23", "14 дни", "Закон за пътищата"),
]  # fmt: skip
TRADE_SOCIAL = [
    Item("Издаване на разрешение за търговия на открито", "10.23", "7 дни", "Закон за устройството и застрояването на Столична община; общинска наредба"),
    Item("Регистриране на работно време на търговски обект", "5.11", "7 дни", "Закон за закрила на детето, чл. 8; общинска наредба"),
    Item("Категоризиране на заведение за хранене и развлечения", "25.56", "2 месеца", "Закон за туризма, чл. 128"),
    Item("Регистрация на място за настаняване", "25.56", "2 месеца", "Закон за туризма, чл. 129"),
    Item("Издаване на разрешение за ползване на място от общинска собственост", "10.23", "14 дни", "Закон за общинската собственост"),
    Item("Издаване на разрешение за таксиметров превоз на пътници", "51.13", "14 дни", "Закон за автомобилните превози, чл. 24а"),
    Item("Издаване на карта за паркиране на хора с увреждания", "0", "14 дни", "Закон за движението по пътищата, чл. 99а",
         ("Заявление по образец", "Експертно решение на ТЕЛК/НЕЛК", "Снимка"), "Хора с трайни увреждания"),
    Item("Предоставяне на социална услуга „Домашен социален патронаж“", None, "1 месец", "Закон за социалните услуги"),
    Item("Предоставяне на социална услуга „Личен асистент“", "0", "1 месец", "Закон за личната помощ"),
    Item("Отпускане на еднократна финансова помощ от общинския бюджет", "0", "1 месец", "Общинска наредба за еднократна помощ"),
    Item("Регистрация на куче – домашен любимец", "2.56", "в деня на заявяването", "Закон за ветеринарномедицинската дейност, чл. 174"),
    Item("Издаване на удостоверение за собственост на земеделска земя", "5.11", "14 дни", "Закон за собствеността и ползването на земеделските земи"),
    Item("Издаване на разрешение за поставяне на рекламен елемент", "25.56", "14 дни", f"{ZUT}, чл. 57"),
    Item("Предоставяне на достъп до обществена информация", None, "14 дни", ZDOI, ("Заявление за достъп по образец",), "Всеки гражданин или юридическо лице"),
    Item("Нотариално удостоверяване на подпис и съдържание на документ", "3.07", "в деня на заявяването", "Закон за нотариусите и нотариалната дейност, чл. 83"),
]  # fmt: skip
MUNICIPAL = CIVIL + TAXES + BUILDING + TRADE_SOCIAL
# Municipalities offer most services at three speeds, at a higher fee for a shorter deadline.
SPEEDS = [
    ("", Decimal("1"), None),
    (" – бърза услуга", Decimal("2"), "3 работни дни"),
    (" – експресна услуга", Decimal("3"), "в деня на заявяването"),
]
MAYORALTY = [*CIVIL[:8], TRADE_SOCIAL[-1], TAXES[1], TAXES[2]]
DISTRICT = CIVIL + BUILDING[:6] + TAXES[:3]
COUNCIL = [
    Item("Предоставяне на достъп до обществена информация", None, "14 дни", ZDOI, ("Заявление за достъп по образец",), "Всеки гражданин или юридическо лице"),
    Item("Издаване на заверен препис от решение на общинския съвет", "2.56", "7 дни", "Закон за местното самоуправление и местната администрация, чл. 22"),
    Item("Приемане на предложения и становища по проекти на нормативни актове", "0", "в срока на обществената консултация", "Закон за нормативните актове, чл. 26"),
    Item("Приемане на петиции и предложения от граждани", "0", "1 месец", "Закон за прякото участие на гражданите в държавната власт и местното самоуправление"),
]  # fmt: skip
REGIONAL = [
    Item("Поставяне на апостил на документи по гражданско състояние", "5.11", "3 работни дни", "Конвенция за премахване на изискването за легализация на чуждестранни публични актове"),
    Item("Издаване на удостоверение за наличие или липса на актуван държавен имот", "5.11", "14 дни", f"{ZDS}, чл. 78"),
    Item("Предоставяне на заверен препис от акт за държавна собственост", "5.11", "14 дни", f"{ZDS}, чл. 78"),
    Item("Издаване на удостоверение за отписан държавен имот", "5.11", "14 дни", f"{ZDS}, чл. 78"),
    Item("Издаване на разрешение за строеж за обекти с регионално значение", "102.26", "30 дни", f"{ZUT}, чл. 148, ал. 3"),
    Item("Одобряване на подробен устройствен план за обекти с регионално значение", "102.26", "1 месец", f"{ZUT}, чл. 129, ал. 3"),
    Item("Изготвяне на справки и копия от архивни документи", "2.56", "14 дни", "Закон за Националния архивен фонд"),
    Item("Предоставяне на достъп до обществена информация", None, "14 дни", ZDOI, ("Заявление за достъп по образец",), "Всеки гражданин или юридическо лице"),
    Item("Издаване на удостоверение за административна принадлежност на имот", "5.11", "14 дни", "Закон за административно-териториалното устройство"),
    Item("Приемане на заявление за отписване на имот от актовите книги", "0", "1 месец", ZDS),
    Item("Заверка на документи за чужбина", "5.11", "3 работни дни", "Правилник за легализациите, заверките и преводите на документи"),
    Item("Регистрация на сдружение за напояване", "0", "1 месец", "Закон за сдруженията за напояване"),
]  # fmt: skip
STATE = {
    "dsp": [
        Item("Отпускане на еднократна помощ по чл. 16 от ППЗСП", "0", "1 месец", ZSP, ("Заявление-декларация по образец", ID, "Документи за доходите")),
        Item("Отпускане на месечна социална помощ по чл. 9 от ППЗСП", "0", "1 месец", ZSP),
        Item("Отпускане на целева помощ за отопление", "0", "1 месец", f"{ZSP}; Наредба № РД-07-5"),
        Item("Отпускане на месечни помощи за деца по чл. 7 от Закона за семейни помощи за деца", "0", "1 месец", "Закон за семейни помощи за деца"),
        Item("Отпускане на еднократна помощ при раждане на дете", "0", "1 месец", "Закон за семейни помощи за деца, чл. 6"),
    ],
    "rzi": [
        Item("Регистрация на обект с обществено предназначение", "51.13", "14 дни", "Закон за здравето, чл. 36"),
        Item("Издаване на становище по устройствени планове и инвестиционни проекти", "25.56", "14 дни", "Закон за здравето, чл. 35"),
        Item("Издаване на здравно заключение за съответствие с хигиенните изисквания", "51.13", "1 месец", "Закон за здравето"),
    ],
    "dbt": [
        Item("Регистрация като търсещо работа лице", "0", "в деня на заявяването", "Закон за насърчаване на заетостта, чл. 18"),
        Item("Насочване към обучение за придобиване на професионална квалификация", "0", "1 месец", "Закон за насърчаване на заетостта"),
    ],
}  # fmt: skip
GENERIC = [REGIONAL[7], REGIONAL[6], REGIONAL[10]]
# An invented number in the register of services for each distinct service.
CODES: dict[Item, str] = {}
for _item in (*MUNICIPAL, *COUNCIL, *REGIONAL, *(i for items in STATE.values() for i in items)):
    CODES.setdefault(_item, str(2001 + len(CODES)))
CENT = Decimal("0.01")

# How many services an institution offers, relative to the others (see _counts).
WEIGHT = {
    "municipal-administration": 24.0,
    "regional-administration": 12.0,
    "district-administration": 14.0,
    "municipal-council": 3.0,
    "mayoralty": 2.0,
}


def _catalogue(slug: str) -> list[tuple[Item, str, Decimal, str | None]]:
    """(item, suffix, fee factor, deadline) for each service an institution of a kind may offer."""
    if slug == "municipal-administration":
        return [(i, suffix, k, d) for suffix, k, d in SPEEDS for i in MUNICIPAL]
    items = {
        "regional-administration": REGIONAL,
        "district-administration": DISTRICT,
        "municipal-council": COUNCIL,
        "mayoralty": MAYORALTY,
    }.get(slug) or STATE.get(slug, GENERIC)
    return [(i, "", Decimal("1"), None) for i in items]


def _counts(weights: list[float], caps: list[int], total: int, first: int) -> list[int]:
    """Split `total` in proportion to `weights`, none above its cap, `first` given at least one."""
    whole = sum(weights) or 1.0
    counts = [min(cap, int(total * w / whole)) for w, cap in zip(weights, caps, strict=True)]
    if total and counts[first] == 0:
        counts[first] = 1
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    while sum(counts) < total:
        spare = [i for i in order if counts[i] < caps[i]]
        if not spare:
            break
        for i in spare[: total - sum(counts)]:
            counts[i] += 1
    while sum(counts) > total:  # the minimum for `first` may overshoot a tiny total
        biggest = max(range(len(counts)), key=lambda i: counts[i] if i != first else -1)
        counts[biggest] -= 1
    return counts


@generator("directory_services", version=1, order=30)
def directory_services(ctx: Context) -> str:
    from core import search
    from core.models import SearchEntry
    from directory.models import Institution, Service
    from directory.search import SERVICE_KIND

    # Remove what an earlier run made: their entries in bulk, then the rows themselves
    # (a queryset delete; core.search's delete hook finds nothing left to remove).
    ours = Service.objects.filter(description__endswith=MARK)
    ids = [str(pk) for pk in ours.values_list("pk", flat=True)]
    for start in range(0, len(ids), 5000):
        SearchEntry.objects.filter(
            kind=SERVICE_KIND, object_id__in=ids[start : start + 5000]
        ).delete()
    ours.delete()

    # Plain tuples: model instances (with the territory's boundaries) would cost seconds.
    institutions = list(
        Institution.objects.filter(generated_key__isnull=False)
        .order_by("pk")
        .values_list(
            "pk", "generated_key", "kind__slug", "name_bg", "municipality__population_2017"
        )
    )
    if not institutions:
        return "no generated institutions (run generate_directory first)"
    catalogues = {slug: _catalogue(slug) for slug in {i[2] for i in institutions}}
    weights = []
    for _pk, _key, slug, _name, population in institutions:
        w = WEIGHT.get(slug, 4.0)
        if slug == "municipal-administration":
            # Bigger municipalities list more services (Sofia, Plovdiv, Varna most).
            w *= 1 + min((population or 0) / 50_000, 4)
        weights.append(w)
    first = next((n for n, i in enumerate(institutions) if i[1] == TARGET_INSTITUTION), 0)
    caps = [len(catalogues[i[2]]) for i in institutions]
    counts = _counts(weights, caps, ctx.scale.services, first)
    batch: list[Service] = []
    for (pk, _key, slug, name, _population), count in zip(institutions, counts, strict=True):
        for item, suffix, factor, deadline in ctx.rng.sample(catalogues[slug], count):
            code = CODES[item]
            fee = None if item.fee is None else (Decimal(item.fee) * factor).quantize(CENT)
            online = ctx.rng.random() < 0.35
            batch.append(
                Service(
                    institution_id=pk,
                    name=item.name + suffix,
                    register_code=code,
                    description=(
                        f"{item.name} от {name}. Заявлението се подава по образец.\n\n" + MARK
                    ),
                    legal_basis=item.legal_basis,
                    who_may_apply=item.who,
                    documents="\n".join(item.documents),
                    fee_eur=fee,
                    deadline=deadline or item.deadline,
                    in_person=True,
                    by_post=ctx.rng.random() < 0.4,
                    online_url=f"https://e-uslugi.bench.invalid/{code}" if online else "",
                )
            )
    Service.objects.bulk_create(batch, batch_size=2000)
    indexed = search.reindex(SERVICE_KIND)
    offering = sum(1 for c in counts if c)
    return f"{len(batch):,} services of {offering:,} institutions, {indexed:,} indexed"
