from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from directory import search  # noqa: F401  (registers institutions in search)
        from directory.models import Institution, InstitutionKind, Service
        from directory.selectors import directory_changed

        # Cached search results (directory.selectors.CachedResults) follow every change.
        for model in (Institution, Service, InstitutionKind):
            post_save.connect(
                directory_changed,
                sender=model,
                dispatch_uid=f"directory-version-save-{model.__name__}",
            )
            post_delete.connect(
                directory_changed,
                sender=model,
                dispatch_uid=f"directory-version-delete-{model.__name__}",
            )
        m2m_changed.connect(
            directory_changed,
            sender=Institution.area_municipalities.through,
            dispatch_uid="directory-version-areas",
        )
