from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalForm(models.TextChoices):
    """Legal forms of non-profit legal entities (ЗЮЛНЦ, Закон за народните читалища)."""

    ASSOCIATION = "association", _("association")
    FOUNDATION = "foundation", _("foundation")
    COMMUNITY_CENTRE = "community-centre", _("community centre (chitalishte)")
    FOREIGN_BRANCH = "foreign-branch", _("branch of a foreign non-profit")
    OTHER = "other", _("other")


class Benefit(models.TextChoices):
    """ЗЮЛНЦ чл. 2: activity for public or for private benefit. Unknown where no source says."""

    PUBLIC = "public", _("public benefit")
    PRIVATE = "private", _("private benefit")
    UNKNOWN = "", _("not stated")


class Reach(models.TextChoices):
    """How far the organisation works; the places are listed for the first three."""

    LOCAL = "local", _("settlements")
    MUNICIPAL = "municipal", _("municipalities")
    REGIONAL = "regional", _("provinces")
    NATIONAL = "national", _("the whole country")
    INTERNATIONAL = "international", _("international")


class RegisterStatus(models.TextChoices):
    """The status in the register the entry came from (community centres: Ministry of Culture)."""

    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("not working")
    CLOSED = "closed", _("closed")
    UNKNOWN = "", _("not stated")


class Visibility(models.TextChoices):
    """A register entry is public from the start; one a person registers waits for
    verification, visible only to that person and the moderators (issue 4)."""

    PUBLIC = "public", _("public")
    PENDING = "pending", _("awaiting verification")
    HIDDEN = "hidden", _("hidden by a moderator")


# The seeded fields of activity (slug, name_bg, name_en, order); administrators add more.
SEED_FIELDS = [
    ("good-governance", "Добро управление", "Good governance", 10),
    ("civic-participation", "Гражданско участие", "Civic participation", 20),
    ("social-inclusion", "Социално включване", "Social inclusion", 30),
    ("equal-opportunities", "Равни възможности", "Equal opportunities", 40),
    ("education", "Образование", "Education", 50),
    ("youth", "Младежи", "Youth", 60),
    ("culture", "Култура", "Culture", 70),
    ("environment", "Околна среда", "Environment", 80),
    ("sustainable-development", "Устойчиво развитие", "Sustainable development", 90),
    ("health", "Здраве", "Health", 100),
    ("human-rights", "Права на човека", "Human rights", 110),
    ("rural-development", "Развитие на селските райони", "Rural development", 120),
    ("local-development", "Местно развитие", "Local development", 130),
    ("social-services", "Социални услуги", "Social services", 140),
    ("sport", "Спорт", "Sport", 150),
    ("tourism", "Туризъм", "Tourism", 160),
    ("volunteering", "Доброволчество", "Volunteering", 170),
    ("anti-corruption", "Противодействие на корупцията", "Anti-corruption", 180),
]

SEED_TARGET_GROUPS = [
    ("children", "Деца", "Children", 10),
    ("youth", "Младежи", "Young people", 20),
    ("elderly", "Възрастни хора", "Older people", 30),
    ("disabilities", "Хора с увреждания", "People with disabilities", 40),
    ("roma", "Роми", "Roma", 50),
    ("women", "Жени", "Women", 60),
    ("unemployed", "Безработни", "Unemployed people", 70),
    ("local-community", "Местната общност", "The local community", 80),
    ("ngos", "Граждански организации", "Civil-society organisations", 90),
    ("administration", "Администрации", "Public administrations", 100),
    ("general-public", "Широката общественост", "The general public", 110),
]
