from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        # Register the permissions, the followables and the news kind, and the search kind
        # (which connects the index's save hooks) at start-up.
        from news import following, rules, search  # noqa: F401

        following.register()
