from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # Register the permissions and the search kind at start-up.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from library import following, rules, search  # noqa: F401
        from library.models import Publication
        from library.selectors import forget

        # Any change of a publication moves the cached facet counts on (library.selectors).
        post_save.connect(forget, sender=Publication, dispatch_uid="library-forget")
        post_delete.connect(forget, sender=Publication, dispatch_uid="library-forget-delete")
        m2m_changed.connect(
            forget, sender=Publication.topics.through, dispatch_uid="library-forget-topics"
        )
