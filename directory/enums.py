from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The territorial level an institution kind works at (drives filters and who-serves)."""

    PROVINCE = "province", _("province")
    MUNICIPALITY = "municipality", _("municipality")
    MAYORALTY = "mayoralty", _("mayoralty")
    DISTRICT = "district", _("city district")
    OTHER = "other", _("other")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# Slugs of the kinds the generator creates (seeded by migration 0002); other kinds are data.
REGIONAL_ADMINISTRATION = "regional-administration"
MUNICIPAL_ADMINISTRATION = "municipal-administration"
MUNICIPAL_COUNCIL = "municipal-council"
MAYORALTY = "mayoralty"
DISTRICT_ADMINISTRATION = "district-administration"

# The kinds the directory starts with: slug, name_bg, name_en, order, level. Migration 0002
# seeds them (with its own frozen copy, as migrations must); the generator re-creates any that
# are missing, because a flushed database (transactional tests) loses migration data.
SEED_KINDS = [
    (
        REGIONAL_ADMINISTRATION,
        "Областна администрация",
        "Regional administration",
        10,
        Level.PROVINCE,
    ),
    (
        MUNICIPAL_ADMINISTRATION,
        "Общинска администрация",
        "Municipal administration",
        20,
        Level.MUNICIPALITY,
    ),
    (MUNICIPAL_COUNCIL, "Общински съвет", "Municipal council", 30, Level.MUNICIPALITY),
    (MAYORALTY, "Кметство", "Mayoralty", 40, Level.MAYORALTY),
    (
        DISTRICT_ADMINISTRATION,
        "Районна администрация",
        "City-district administration",
        50,
        Level.DISTRICT,
    ),
    (
        "rzi",
        "Регионална здравна инспекция (РЗИ)",
        "Regional health inspectorate",
        60,
        Level.PROVINCE,
    ),
    (
        "ruo",
        "Регионално управление на образованието (РУО)",
        "Regional education department",
        70,
        Level.PROVINCE,
    ),
    ("dbt", "Дирекция „Бюро по труда“ (ДБТ)", "Labour office directorate", 80, Level.OTHER),
    (
        "dsp",
        "Дирекция „Социално подпомагане“ (ДСП)",
        "Social assistance directorate",
        90,
        Level.OTHER,
    ),
    (
        "riosv",
        "Регионална инспекция по околната среда и водите (РИОСВ)",
        "Regional environment and water inspectorate",
        100,
        Level.OTHER,
    ),
    (
        "td-nap",
        "Териториална дирекция на НАП (ТД на НАП)",
        "Territorial directorate of the National Revenue Agency",
        110,
        Level.OTHER,
    ),
    ("other", "Друга институция", "Other institution", 999, Level.OTHER),
]
