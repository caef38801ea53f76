from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # Register the permissions and the search kind at start-up.
        from library import rules, search  # noqa: F401
