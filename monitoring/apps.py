from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Monitoring of the administration")

    def ready(self) -> None:
        # Register the permissions, and the search kinds with their hooks, at start-up.
        from monitoring import rules, search  # noqa: F401
