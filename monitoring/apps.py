from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from consultations.audit import audit_changed


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Monitoring of the administration")

    def ready(self) -> None:
        # Register the permissions, and the search kinds with their hooks, at start-up.
        from monitoring import rules, search  # noqa: F401
        from monitoring.index import consultations_audited

        # The consultations' compliance audit is a part of the responsiveness index.
        audit_changed.connect(consultations_audited, dispatch_uid="monitoring-index-audit")
