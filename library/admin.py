from django.contrib import admin

from library.models import (
    Chapter,
    GoodPractice,
    Publication,
    PublicationChange,
    PublicationFile,
    PublicationUse,
)


class ChapterInline(admin.StackedInline):
    model = Chapter
    extra = 0


class FileInline(admin.TabularInline):
    model = PublicationFile
    extra = 0
    fields = ("title", "file", "kind", "size", "pages", "position")
    readonly_fields = ("kind", "size", "pages")


class GoodPracticeInline(admin.StackedInline):
    model = GoodPractice
    extra = 0


class UseInline(admin.TabularInline):
    model = PublicationUse
    extra = 0
    raw_id_fields = ("consultation", "event", "campaign", "added_by")


class ChangeInline(admin.TabularInline):
    model = PublicationChange
    extra = 0
    readonly_fields = ("from_state", "to_state", "by", "at", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # history is written by the services only


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "year", "edition", "state", "is_example", "published_at")
    list_filter = ("type", "state", "is_example", "language")
    search_fields = ("title", "authors")
    raw_id_fields = (
        "organisations", "institutions", "province", "municipality", "previous_edition",
        "first_edition", "created_by",
    )  # fmt: skip
    inlines = [ChapterInline, FileInline, GoodPracticeInline, UseInline, ChangeInline]
