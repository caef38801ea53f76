from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = _("Civil-society organisations")

    def ready(self) -> None:
        from organisations import search  # noqa: F401  (registers the search kind)
