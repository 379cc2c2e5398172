"""Personal reception (R15, 59-FZ Art. 13; ua: Law "On citizens' appeals" Art. 22).

- ``ReceptionSchedule``: who receives, where, when (a weekday or one date), in slots of how
  many minutes, on which topics; published on the cabinet's public reception page.
- ``Booking``: a slot booked online by a verified citizen. One live booking per slot and one
  per citizen per reception day are database constraints; a cancelled booking frees its slot.
- ``ReceptionCard``: what happened at the desk, for a booked citizen or a walk-in: the
  citizen, the identity document seen, the question and its topic, and the outcome the rule
  lists (oral answer with consent, a written appeal registered from the card, an explanation of
  where to apply, a refusal with its reason). A ``CheckConstraint`` keeps each outcome with its
  required record.
- ``ReceptionEvent``: the immutable history of bookings and cards.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.history import HistoryEvent


class PrivilegedCategory(models.TextChoices):
    """Citizens whom the law lets be received first (59-FZ Art. 13(4) refers to other federal
    laws; ua: Art. 22 of the Law on citizens' appeals). [verify] the list against the
    consolidated texts before go-live; "other" needs the legal basis written on the card."""

    NONE = "", pgettext_lazy("privileged category", "None")
    HERO = (
        "hero",
        pgettext_lazy(
            "privileged category",
            "Hero of the Soviet Union, of Russia or of Ukraine, full cavalier of the Order of Glory",
        ),
    )
    WAR_VETERAN = (
        "war_veteran",
        pgettext_lazy(
            "privileged category", "Veteran or invalid of the Great Patriotic War or of combat"
        ),
    )
    DISABLED = (
        "disabled",
        pgettext_lazy("privileged category", "Person with a disability of group I or II"),
    )
    CHERNOBYL = (
        "chernobyl",
        pgettext_lazy("privileged category", "Affected by the Chernobyl disaster"),
    )
    OTHER = "other", pgettext_lazy("privileged category", "Other category under the law")


class ReceptionSchedule(models.Model):
    """One recurring (weekday) or one-off (date) reception of a cabinet's official."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, pgettext_lazy("weekday", "Monday")
        TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
        WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
        THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
        FRIDAY = 4, pgettext_lazy("weekday", "Friday")
        SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
        SUNDAY = 6, pgettext_lazy("weekday", "Sunday")

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.PROTECT,
        related_name="reception_schedules",
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official receiving"),
        on_delete=models.PROTECT,
        related_name="reception_schedules",
    )
    official_position = models.CharField(_("position of the official"), max_length=255, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length, minutes"), default=15)
    place = models.CharField(_("place"), max_length=255)
    topics = models.TextField(_("topics"), blank=True)
    privileged_first = models.BooleanField(
        _("privileged categories first"),
        default=True,
        help_text=_("Citizens of the privileged categories are received before the others."),
    )
    booking_days = models.PositiveSmallIntegerField(_("bookable days ahead"), default=30)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("reception schedule")
        verbose_name_plural = _("reception schedules")
        ordering = ["cabinet", "weekday", "date", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__isnull=False, date__isnull=True)
                | Q(weekday__isnull=True, date__isnull=False),
                name="reception_schedule_weekday_or_date",
                violation_error_message=_("Choose either a weekday or a date."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="reception_schedule_time_range",
                violation_error_message=_("The reception must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="reception_schedule_slot_length",
                violation_error_message=_("Give a slot length between 5 and 240 minutes."),
            ),
        ]

    def __str__(self):
        when = self.date.isoformat() if self.date else self.get_weekday_display()
        return f"{self.cabinet} · {when} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def is_held_on(self, day):
        """Whether this reception takes place on ``day``."""
        return self.date == day if self.date else self.weekday == day.weekday()


class BookingQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=Booking.Status.CANCELLED)


class Booking(models.Model):
    """A slot booked online by a verified citizen (R15)."""

    class Status(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("reception booking", "Booked")
        CANCELLED = "cancelled", pgettext_lazy("reception booking", "Cancelled")
        RECEIVED = "received", pgettext_lazy("reception booking", "Received")

    schedule = models.ForeignKey(
        ReceptionSchedule,
        verbose_name=_("reception"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("time"))
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.PROTECT,
        related_name="reception_bookings",
    )
    topic = models.CharField(_("question"), max_length=500)
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privileged_category = models.CharField(
        _("privileged category"),
        max_length=20,
        choices=PrivilegedCategory.choices,
        blank=True,
        default="",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception booking")
        verbose_name_plural = _("reception bookings")
        ordering = ["day", "starts_at"]
        indexes = [models.Index(fields=["day", "status"], name="reception_booking_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "day", "starts_at"],
                condition=~Q(status="cancelled"),
                name="reception_one_booking_per_slot",
                violation_error_message=_("This time is already booked."),
            ),
            models.UniqueConstraint(
                fields=["schedule", "day", "citizen"],
                condition=~Q(status="cancelled"),
                name="reception_one_booking_per_citizen_day",
                violation_error_message=_("You already have a booking on this day."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "received"]),
                name="reception_booking_status_valid",
                violation_error_message=_("Choose one of the listed booking statuses."),
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.starts_at:%H:%M} · {self.citizen}"

    @property
    def is_privileged(self):
        return bool(self.privileged_category)


class ReceptionCard(models.Model):
    """The reception card (R15): filled in by the official for a booked citizen or a walk-in."""

    class IdDocument(models.TextChoices):
        PASSPORT = "passport", pgettext_lazy("identity document", "Passport")
        FOREIGN_PASSPORT = (
            "foreign_passport",
            pgettext_lazy("identity document", "Foreign passport"),
        )
        ID_CARD = "id_card", pgettext_lazy("identity document", "Identity card")
        RESIDENCE_PERMIT = (
            "residence_permit",
            pgettext_lazy("identity document", "Residence permit"),
        )
        OTHER = "other", pgettext_lazy("identity document", "Other document")

    class Outcome(models.TextChoices):
        PENDING = "", pgettext_lazy("reception outcome", "Not filled in yet")
        ORAL = "oral", pgettext_lazy("reception outcome", "Answered orally with consent")
        WRITTEN = "written", pgettext_lazy("reception outcome", "Written appeal registered")
        EXPLAINED = "explained", pgettext_lazy("reception outcome", "Explained where to apply")
        REFUSED = "refused", pgettext_lazy("reception outcome", "Refused: already answered")

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.PROTECT,
        related_name="reception_cards",
    )
    schedule = models.ForeignKey(
        ReceptionSchedule,
        verbose_name=_("reception"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
    )
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="card",
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official receiving"),
        on_delete=models.PROTECT,
        related_name="reception_cards",
    )
    held_on = models.DateField(_("date of reception"), db_index=True)
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    id_document = models.CharField(
        _("identity document seen"), max_length=20, choices=IdDocument.choices
    )
    privileged_category = models.CharField(
        _("privileged category"),
        max_length=20,
        choices=PrivilegedCategory.choices,
        blank=True,
        default="",
    )
    privilege_basis = models.CharField(_("document of the privilege"), max_length=255, blank=True)
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    question = models.TextField(_("question"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    oral_answer = models.TextField(_("oral answer given"), blank=True)
    oral_consent = models.BooleanField(_("the citizen agreed to an oral answer"), default=False)
    explanation = models.TextField(_("where to apply"), blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    earlier_appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("earlier answer on the same question"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("written appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reception_card",
    )
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reception card")
        verbose_name_plural = _("reception cards")
        ordering = ["held_on", "arrived_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["", "oral", "written", "explained", "refused"]),
                name="reception_card_outcome_valid",
                violation_error_message=_("Choose one of the listed outcomes."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="oral") | Q(oral_consent=True),
                name="reception_card_oral_needs_consent",
                violation_error_message=_("An oral answer needs the citizen's consent."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="written") | Q(appeal__isnull=False),
                name="reception_card_written_has_appeal",
                violation_error_message=_("A written appeal from the card must be registered."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="explained") | ~Q(explanation=""),
                name="reception_card_explained_has_text",
                violation_error_message=_("Write where the citizen should apply."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(refusal_reason=""),
                name="reception_card_refused_has_reason",
                violation_error_message=_("Give the reason for the refusal."),
            ),
        ]

    def __str__(self):
        return f"{self.held_on} · {self.full_name}"

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_privileged(self):
        return bool(self.privileged_category)

    @property
    def is_filled(self):
        return bool(self.outcome)


class ReceptionEvent(HistoryEvent):
    """One line of the history of a booking or a reception card."""

    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    card = models.ForeignKey(
        ReceptionCard,
        verbose_name=_("reception card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )

    class Meta(HistoryEvent.Meta):
        verbose_name = _("reception history event")
        verbose_name_plural = _("reception history")
