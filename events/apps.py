from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from events import search  # noqa: F401  (register at start-up)
        from events.models import Event
        from events.selectors import forget_public_organisers

        post_save.connect(forget_public_organisers, sender=Event, dispatch_uid="events-organisers")
        post_delete.connect(
            forget_public_organisers, sender=Event, dispatch_uid="events-organisers-delete"
        )
