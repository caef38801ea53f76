from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("Capacity assessments")

    def ready(self) -> None:
        # Register the permissions at start-up.
        from assessments import rules  # noqa: F401
