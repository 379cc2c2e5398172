"""The kernel's own tables."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IdempotencyKey(models.Model):
    """One use of a form: the random token rendered into it, who sent it, what it did (``scope``)
    and what it created. The unique constraint on the token is what makes a double submit
    create one object: the second insert waits for the first transaction and then fails, and the
    second request finds the stored result (``edem.core.idempotency``)."""

    token = models.CharField(_("token"), max_length=64)
    scope = models.CharField(_("action"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type of the result"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("id of the result"), null=True, blank=True)
    result = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("used"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["token"],
                name="core_idempotency_token_unique",
                violation_error_message=_("This form has already been sent."),
            )
        ]

    def __str__(self):
        return f"{self.scope} {self.token}"


class EventDelivery(models.Model):
    """One domain event to deliver to one subscriber (the event outbox).

    Written by ``events.publish`` in the same transaction as the change that caused the event;
    delivered after commit, retried with a back-off by a Celery task and by the beat's sweep.
    A row is claimed with a conditional update before its handler runs, so two runs never both
    handle it."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("event delivery status", "Pending")
        DONE = "done", pgettext_lazy("event delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("event delivery status", "Failed")

    event_type = models.CharField(_("event"), max_length=80)
    payload = models.JSONField(_("data"), default=dict)
    subscriber = models.CharField(_("subscriber"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event outbox")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="event_outbox_due_idx"),
            models.Index(fields=["subscriber", "status"], name="event_outbox_subscriber_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed"]),
                name="event_delivery_status_valid",
                violation_error_message=_("Choose one of the listed delivery statuses."),
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscriber}"


def _logo_path(instance, filename):
    return f"municipality/{filename}"


class MunicipalitySettings(models.Model):
    """The municipality's own settings, edited in the admin: one record (primary key 1).

    A blank field means "as the environment says" (``EDEM_MUNICIPALITY_NAME``,
    ``EDEM_MAP_CENTER``, ...): ``edem.core.municipality.current()`` reads the record (cached)
    and falls back to the settings field by field."""

    SINGLETON_ID = 1

    name = models.CharField(
        _("name of the municipality"),
        max_length=200,
        blank=True,
        help_text=_("In full, as in letters and mails: “Демоград городской округ”."),
    )
    short_name = models.CharField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_("Shown in the header of every page; the full name when left empty."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to=_logo_path,
        blank=True,
        help_text=_("A JPEG, PNG or WebP image, shown in the header instead of the letter “e”."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=60, blank=True)
    contact_address = models.CharField(_("postal address"), max_length=300, blank=True)
    reception_address = models.CharField(
        _("address of the citizens' reception"), max_length=300, blank=True
    )
    map_center_lat = models.DecimalField(
        _("map centre: latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    map_center_lon = models.DecimalField(
        _("map centre: longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    map_zoom = models.PositiveSmallIntegerField(
        _("map zoom"),
        null=True,
        blank=True,
        help_text=_("From 1 (the whole world) to 19 (a single house); 12 shows a town."),
    )
    map_tiles_url = models.CharField(
        _("map tiles address"),
        max_length=500,
        blank=True,
        help_text=_(
            "A tile server's address with {z}, {x} and {y}, e.g. "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png; on an intranet, your own server."
        ),
    )
    map_attribution = models.CharField(
        _("map attribution"),
        max_length=300,
        blank=True,
        help_text=_("Whose map it is, as the tile server's licence asks."),
    )
    language = models.CharField(
        _("default language"),
        max_length=8,
        blank=True,
        choices=[(code, name) for code, name in settings.LANGUAGES],
        help_text=_(
            "For visitors whose browser asks for none of the portal's languages, and for mail "
            "to people who have not chosen one."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("municipality settings")
        verbose_name_plural = _("municipality settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1),
                name="municipality_settings_single_record",
                violation_error_message=_("The municipality has one settings record."),
            ),
            models.CheckConstraint(
                condition=models.Q(map_center_lat__isnull=True, map_center_lon__isnull=True)
                | models.Q(
                    map_center_lat__gte=-90,
                    map_center_lat__lte=90,
                    map_center_lon__gte=-180,
                    map_center_lon__lte=180,
                ),
                name="municipality_map_center_valid",
                violation_error_message=_(
                    "Give both the latitude (−90 to 90) and the longitude (−180 to 180) of the "
                    "map centre, or neither."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(map_zoom__isnull=True)
                | models.Q(map_zoom__gte=1, map_zoom__lte=19),
                name="municipality_map_zoom_valid",
                violation_error_message=_("The map zoom is a number from 1 to 19."),
            ),
        ]

    def __str__(self):
        return str(_("Municipality settings"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if (self.map_center_lat is None) != (self.map_center_lon is None):
            missing = "map_center_lon" if self.map_center_lon is None else "map_center_lat"
            errors[missing] = _("Give both the latitude and the longitude, or neither.")
        url = self.map_tiles_url.strip()
        if url:
            if not url.startswith(("https://", "http://", "/")):
                errors["map_tiles_url"] = _("The address starts with https://, http:// or /.")
            elif not all(part in url for part in ("{z}", "{x}", "{y}")):
                errors["map_tiles_url"] = _("The address must contain {z}, {x} and {y}.")
        if errors:
            raise ValidationError(errors)


class LocalDay(models.Model):
    """A day the municipality itself declares a day off or a working day, on top of the
    country's calendar (``edem.core.calendar``): a town's own holiday, or a Saturday worked."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Day off")
        WORKING = "working", _("Working day")

    day = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("This date is already in the list; change that entry.")},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Why: “City Day”, “moved from 3 May”.")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("local day off or working day")
        verbose_name_plural = _("local days off and working days")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["off", "working"]),
                name="local_day_kind_valid",
                violation_error_message=_("Choose a day off or a working day."),
            )
        ]

    def __str__(self):
        return f"{self.day:%d.%m.%Y} · {self.get_kind_display()}"
