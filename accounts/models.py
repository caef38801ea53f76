"""People, their roles and what they follow."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import TWO_FACTOR_ROLES, Frequency, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; they sign in with their e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("public name"),
        max_length=150,
        blank=True,
        help_text=_("Shown next to what you publish. Leave empty to use your first and last name."),
    )
    # Set when the person deletes their account: public contributions stay, shown as from
    # a deleted user, and everything personal is erased (accounts/services.py).
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # The language of the e-mail the portal sends the person (notifications and digests).
    language = models.CharField(
        _("language of e-mail"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.deleted_at:
            return str(_("Deleted user"))
        return self.display_name or self.get_full_name() or str(_("Participant"))

    def roles_active(self) -> models.QuerySet[RoleAssignment]:
        return self.role_assignments.active()

    def active_role_keys(self) -> set[tuple[str, int | None, str]]:
        """(role, scope content type id, scope object id) of every active assignment.

        Cached on the instance: permission predicates ask many times per request and one
        query must answer them all.
        """
        cached: set[tuple[str, int | None, str]] | None = getattr(self, "_active_role_keys", None)
        if cached is None:
            if not self.pk:
                cached = set()
            else:
                cached = set(
                    self.role_assignments.active().values_list("role", "scope_type_id", "scope_id")
                )
            self._active_role_keys = cached
        return cached

    def has_role(self, role: str) -> bool:
        if role == Role.CITIZEN:
            # Every signed-in person is a citizen; the row is only kept if granted explicitly.
            return self.is_active and self.deleted_at is None
        return any(key[0] == role for key in self.active_role_keys())

    @property
    def needs_two_factor(self) -> bool:
        return self.is_superuser or any(
            key[0] in TWO_FACTOR_ROLES for key in self.active_role_keys()
        )


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_scope(self, obj: models.Model) -> RoleAssignmentQuerySet:
        return self.filter(scope_type=ContentType.objects.get_for_model(obj), scope_id=str(obj.pk))


class RoleAssignment(models.Model):
    """A role a person holds, optionally for one institution or organisation (the scope).

    Rows are never deleted: revoking sets `revoked_at`, so who could do what, when, stays
    answerable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    scope_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope type"),
    )
    scope_id = models.CharField(_("scope identifier"), max_length=64, blank=True, default="")
    scope = GenericForeignKey("scope_type", "scope_id")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [
            models.Index(fields=["user", "revoked_at"], name="role_user_active"),
            models.Index(fields=["scope_type", "scope_id", "role"], name="role_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, by: User | None = None) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])

    @classmethod
    def grant(
        cls,
        user: User,
        role: str,
        scope: models.Model | None = None,
        granted_by: User | None = None,
    ) -> RoleAssignment:
        """The active assignment of this role (and scope), created if the person lacks it."""
        scope_type = ContentType.objects.get_for_model(scope) if scope is not None else None
        scope_id = str(scope.pk) if scope is not None else ""
        existing = (
            cls.objects.active()
            .filter(user=user, role=role, scope_type=scope_type, scope_id=scope_id)
            .first()
        )
        if existing:
            return existing
        assignment = cls.objects.create(
            user=user, role=role, scope_type=scope_type, scope_id=scope_id, granted_by=granted_by
        )
        user.__dict__.pop("_active_role_keys", None)
        return assignment


class Follow(models.Model):
    """A person follows something (a municipality, an institution, a topic, ...)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("user"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    # Character, not integer: territorial units use their official codes as keys.
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.content_type_id}:{self.object_id}"


class NotificationPreference(models.Model):
    """How often a person wants one kind of news; without a row the default applies."""

    DEFAULT = Frequency.WEEKLY

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    news_kind = models.CharField(_("kind of news"), max_length=64)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "news_kind"], name="preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.news_kind} = {self.frequency}"


class PendingNotificationQuerySet(models.QuerySet["PendingNotification"]):
    def unsent(self) -> PendingNotificationQuerySet:
        return self.filter(sent_at__isnull=True)


class PendingNotification(models.Model):
    """One item of news waiting for the person's next daily or weekly digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pending_notifications",
        verbose_name=_("user"),
    )
    news_kind = models.CharField(_("kind of news"), max_length=64)
    # The frequency in force when the item was queued decides which digest carries it.
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = PendingNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pending notification")
        verbose_name_plural = _("pending notifications")
        indexes = [
            models.Index(fields=["frequency", "sent_at", "user"], name="pending_digest"),
        ]

    def __str__(self) -> str:
        return self.title
