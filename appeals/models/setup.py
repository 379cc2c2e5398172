"""What an administrator sets up for appeals: topics, routing, cabinets' settings and numbering, the deadline policy, answer templates."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.selectors import has_receiving_staff

from ..validation import validate_number_format, validate_template_placeholders


class Category(models.Model):
    """A topic tree managed in the admin; a category may name the cabinet that usually
    handles it (routing rules can refine this by territory)."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("default cabinet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    classifier = models.ForeignKey(  # R16: the code an appeal of this category gets by default
        "appeals.ClassifierCode",
        verbose_name=_("classifier code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The code of the topic classifier an appeal of this category gets when it is "
            "registered; the executor may change it."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class RoutingRule(models.Model):
    """(category, territory) → cabinet. The most specific matching rule with the highest
    priority wins; an empty category or territory matches any."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet", verbose_name=_("cabinet"), on_delete=models.CASCADE, related_name="+"
    )
    priority = models.SmallIntegerField(_("priority"), default=0)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["-priority", "id"]

    def __str__(self):
        return f"{self.category or '*'} × {self.territory or '*'} → {self.cabinet}"

    def clean(self):
        """Refuse a rule into the void (a cabinet nobody registers in) and a rule that ties
        with another one for the same category and territory at the same priority."""
        errors = {}
        if self.cabinet_id is not None:
            if not self.cabinet.is_active:
                errors["cabinet"] = _("This cabinet is closed; appeals cannot be routed to it.")
            elif not has_receiving_staff(self.cabinet):
                errors["cabinet"] = _(
                    "This cabinet has no active head or registrar: appeals routed to it would be registered with nobody to see them. Add its staff first."
                )
            clash = (
                RoutingRule.objects.filter(
                    category_id=self.category_id,
                    territory_id=self.territory_id,
                    priority=self.priority,
                )
                .exclude(cabinet_id=self.cabinet_id)
                .exclude(pk=self.pk)
                .select_related("cabinet")
                .first()
            )
            if clash is not None:
                errors["priority"] = _(
                    "Another rule for the same category and territory at priority %(priority)s sends appeals to “%(cabinet)s”. Give one of the rules a different priority."
                ) % {"priority": self.priority, "cabinet": clash.cabinet}
        if errors:
            raise ValidationError(errors)


class CabinetAppealSettings(models.Model):
    """How a cabinet handles appeals: registration mode and number format (R4)."""

    class Registration(models.TextChoices):
        ON_RECEIPT = "on_receipt", pgettext_lazy("registration mode", "On receipt (automatic)")
        MANUAL = "manual", pgettext_lazy("registration mode", "By a registrar within the term")

    cabinet = models.OneToOneField(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="appeal_settings",
    )
    registration = models.CharField(
        _("registration of electronic appeals"),
        max_length=20,
        choices=Registration.choices,
        default=Registration.ON_RECEIPT,
    )
    number_format = models.CharField(
        _("number format"),
        max_length=60,
        default="{code}-{year}-{seq:06d}",
        help_text=_("Placeholders: {code} (cabinet code in capitals), {year}, {seq}."),
    )

    class Meta:
        verbose_name = _("appeal settings of a cabinet")
        verbose_name_plural = _("appeal settings of cabinets")

    def __str__(self):
        return str(self.cabinet)

    def clean(self):
        if self.number_format:
            try:
                validate_number_format(self.number_format)
            except ValidationError as exc:
                raise ValidationError({"number_format": exc.messages}) from exc


class DeadlinePolicy(models.Model):
    """The municipality's practice around the legal terms (one row): when executors are
    reminded before the control date and what the work queue calls "due soon". The legal terms
    themselves (R4, R5, R8, R9) come from the jurisdiction profile and cannot be changed here."""

    first_reminder_days = models.PositiveSmallIntegerField(
        _("first reminder, days before the control date"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
    )
    last_reminder_days = models.PositiveSmallIntegerField(
        _("last reminder, days before the control date"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(29)],
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("“due soon” on the work queue, days"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    CACHE_KEY = "appeals:deadline-policy"

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_reminder_days__lt=models.F("first_reminder_days")),
                name="deadline_policy_reminders_in_order",
                violation_error_message=_("The last reminder must come after the first one."),
            )
        ]

    def __str__(self):
        return str(_("Deadline policy"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def clean(self):
        if (
            self.first_reminder_days is not None
            and self.last_reminder_days is not None
            and self.last_reminder_days >= self.first_reminder_days
        ):
            raise ValidationError(
                {"last_reminder_days": _("The last reminder must come after the first one.")}
            )

    @classmethod
    def current(cls):
        """The policy in force (defaults until an administrator saves one), cached."""
        policy = cache.get(cls.CACHE_KEY)
        if policy is None:
            policy = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(cls.CACHE_KEY, policy, 300)
        return policy


class RegistrationSequence(models.Model):
    """Per-cabinet, per-year counter of registration numbers. Incremented under a row lock, so
    numbers are never reused and never collide."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet", verbose_name=_("cabinet"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("registration sequence")
        verbose_name_plural = _("registration sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["cabinet", "year"],
                name="registration_sequence_unique",
                violation_error_message=_("This cabinet already has a counter for this year."),
            )
        ]

    def __str__(self):
        return f"{self.cabinet_id}/{self.year}: {self.last_value}"


class AnswerTemplate(models.Model):
    """A ready answer text for a category (or for any), with placeholders the executor's draft
    is filled from: {name}, {number}, {date}, {subject}, {cabinet}."""

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="answer_templates",
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    body = models.TextField(
        _("text"), help_text=_("Placeholders: {name}, {number}, {date}, {subject}, {cabinet}.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        # The text of every language (body_ru, body_uk, ...: modeltranslation) is checked.
        names = [f"body_{code}" for code, _name in settings.LANGUAGES]
        errors = {}
        for name in [n for n in names if hasattr(self, n)] or ["body"]:
            if getattr(self, name):
                try:
                    validate_template_placeholders(getattr(self, name))
                except ValidationError as exc:
                    errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)

    def render(self, appeal):
        """The body with the appeal's values in place; unknown placeholders stay as typed."""
        values = {
            "name": " ".join(p for p in (appeal.first_name, appeal.patronymic) if p)
            or appeal.full_name,
            "number": appeal.number,
            "date": (
                date_format(timezone.localtime(appeal.registered_at), "SHORT_DATE_FORMAT")
                if appeal.registered_at
                else ""
            ),
            "subject": appeal.subject,
            "cabinet": str(appeal.cabinet),
        }

        class _Keep(dict):
            def __missing__(self, key):
                return "{" + key + "}"

        try:
            return self.body.format_map(_Keep(values))
        except (ValueError, IndexError):
            return self.body
