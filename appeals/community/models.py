"""What residents do around a public problem: support it, comment on it, follow it, subscribe to
an area, report that it is still not fixed. Every row points to the ``appeals.Appeal`` whose
public version (``problems.PublicProblem``) is shown; pages reach it only through
``appeals.problems.selectors.public_problem_or_404`` so nothing here exposes a non-public
appeal. Personal data is never public (R18): supporters and followers are counted, not named."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Support(models.Model):
    """ "This bothers me too": one per verified resident per problem (a database constraint)."""

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="supports",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="problem_supports",
    )
    created_at = models.DateTimeField(_("supported"), default=timezone.now)

    class Meta:
        verbose_name = _("support of a problem")
        verbose_name_plural = _("supports of problems")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "user"],
                name="community_support_once",
                violation_error_message=_("A person supports an appeal only once."),
            )
        ]

    def __str__(self):
        return f"{self.appeal_id} ← {self.user_id}"


class Follow(models.Model):
    """A user who gets mail on each public event of a problem."""

    class Reason(models.TextChoices):
        MANUAL = "manual", pgettext_lazy("follow reason", "Chose to follow")
        AUTHOR = "author", pgettext_lazy("follow reason", "Author of the problem")
        SUPPORT = "support", pgettext_lazy("follow reason", "Supported it")
        MERGED = "merged", pgettext_lazy("follow reason", "Their appeal was joined to it")
        STILL_NOT_FIXED = "still", pgettext_lazy("follow reason", "Reported it still not fixed")

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="problem_follows",
    )
    reason = models.CharField(
        _("why"), max_length=10, choices=Reason.choices, default=Reason.MANUAL
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follower of a problem")
        verbose_name_plural = _("followers of problems")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "user"],
                name="community_follow_once",
                violation_error_message=_("This person already follows this appeal."),
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["manual", "author", "support", "merged", "still"]),
                name="community_follow_reason_valid",
                violation_error_message=_("Choose one of the listed reasons."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.appeal_id}"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)


class Comment(models.Model):
    """A comment on a public problem: Markdown (a subset) rendered and sanitised with nh3 at
    write time. Comments by staff of the cabinet holding the problem are marked official."""

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="public_comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="problem_comments",
    )
    text = models.TextField(_("text (Markdown)"), max_length=3000)
    text_html = models.TextField(_("text (sanitised HTML)"), editable=False, default="")
    is_official = models.BooleanField(_("official"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False, db_index=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment on a problem")
        verbose_name_plural = _("comments on problems")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="community_comment_idx")]

    def __str__(self):
        return self.text[:60]


class CommentReport(models.Model):
    """A user's report that a comment breaks the rules: one per user per comment."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("what is wrong"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved = models.BooleanField(_("dealt with"), default=False, db_index=True)

    class Meta:
        verbose_name = _("report on a comment")
        verbose_name_plural = _("reports on comments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"],
                name="community_report_once",
                violation_error_message=_("A person reports a comment only once."),
            )
        ]

    def __str__(self):
        return f"{self.comment_id}: {self.reason[:40]}"


class ModerationEntry(models.Model):
    """The log of moderation of comments: who hid which comment, when and why."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.PROTECT, related_name="moderation"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, default="hide")
    reason = models.CharField(_("reason"), max_length=500)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.comment_id}"


class AreaSubscription(models.Model):
    """A daily digest of new public problems in a territory or a drawn circle, optionally
    limited to some categories (none: all)."""

    MAX_RADIUS_M = 5000

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="area_subscriptions",
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    latitude = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    radius_m = models.PositiveIntegerField(_("radius, metres"), null=True, blank=True)
    categories = models.ManyToManyField(
        "appeals.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last digest covered up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("area subscription")
        verbose_name_plural = _("area subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        territory__isnull=False,
                        latitude__isnull=True,
                        longitude__isnull=True,
                        radius_m__isnull=True,
                    )
                    | Q(
                        territory__isnull=True,
                        latitude__isnull=False,
                        longitude__isnull=False,
                        radius_m__gt=0,
                        radius_m__lte=5000,
                    )
                ),
                name="community_subscription_territory_or_circle",
                violation_error_message=_(
                    "A subscription follows either a territory or a circle on the map, not both."
                ),
            )
        ]

    def __str__(self):
        if self.territory_id:
            return str(self.territory)
        return f"{self.latitude}, {self.longitude} ± {self.radius_m} m"

    @property
    def is_circle(self):
        return self.territory_id is None


class StillNotFixed(models.Model):
    """A follower's report that a problem answered as resolved is still not fixed (with a
    photo, within 30 days of the answer). The head of the holding cabinet reopens the case or
    replies why not; both are public."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("still not fixed status", "Waiting for the head")
        REOPENED = "reopened", pgettext_lazy("still not fixed status", "Case reopened")
        REPLIED = "replied", pgettext_lazy("still not fixed status", "The head replied")

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="still_not_fixed",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("what is still wrong"), max_length=2000)
    photo = models.FileField(_("photo"), upload_to="community/still/%Y/%m/")
    photo_type = models.CharField(_("photo type"), max_length=20, default="image/jpeg")
    photo_thumbnail = models.FileField(
        _("thumbnail"), upload_to="community/still/%Y/%m/thumbs/", blank=True
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reply = models.TextField(_("the head's reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)

    class Meta:
        verbose_name = _("“still not fixed” report")
        verbose_name_plural = _("“still not fixed” reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "user"],
                condition=Q(status="open"),
                name="community_still_one_open_per_user",
                violation_error_message=_(
                    "This person already has an open report that the problem remains."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "reopened", "replied"]),
                name="community_still_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id}: {self.text[:40]}"

    @property
    def awaits_head(self):
        """Neither reopened nor replied to yet: the head still owes a decision."""
        return self.status == self.Status.OPEN

    @property
    def reopened_the_case(self):
        """The head's reply was to reopen the case."""
        return self.status == self.Status.REOPENED
