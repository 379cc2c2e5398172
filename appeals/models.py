"""Citizens' appeals under 59-FZ (and the Ukrainian profile): the rows and their invariants.

Which transition is allowed to whom lives in ``workflow.py``; dates come from ``deadlines.py``;
every change goes through ``services.py``. Appeals and their history are never deleted.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.history import HistoryEvent

from .workflow import OPEN_STATES, Status


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
            models.UniqueConstraint(fields=["cabinet", "year"], name="registration_sequence_unique")
        ]

    def __str__(self):
        return f"{self.cabinet_id}/{self.year}: {self.last_value}"


class Appeal(models.Model):
    class Kind(models.TextChoices):  # R1
        PROPOSAL = "proposal", pgettext_lazy("appeal kind", "Proposal")
        STATEMENT = "statement", pgettext_lazy("appeal kind", "Statement")
        COMPLAINT = "complaint", pgettext_lazy("appeal kind", "Complaint")

    class Channel(models.TextChoices):
        PORTAL = "portal", pgettext_lazy("appeal channel", "Portal")
        PAPER = "paper", pgettext_lazy("appeal channel", "Paper, handed in")
        POST = "post", pgettext_lazy("appeal channel", "Post")
        RECEPTION = "reception", pgettext_lazy("appeal channel", "Personal reception")
        FORWARDED = "forwarded", pgettext_lazy("appeal channel", "Forwarded by another body")

    class AnswerChannel(models.TextChoices):  # R3
        EMAIL = "email", pgettext_lazy("answer channel", "E-mail")
        PORTAL_ACCOUNT = "portal_account", pgettext_lazy("answer channel", "Portal account")
        EPGU_ACCOUNT = "epgu_account", pgettext_lazy("answer channel", "Gosuslugi account")
        POST = "post", pgettext_lazy("answer channel", "Post")

    class NoMeritsGround(models.TextChoices):  # R11, 59-FZ Art. 11
        NO_NAME_OR_ADDRESS = (
            "no_name_or_address",
            _("No surname or no address for the answer (part 1)"),
        )
        ABUSIVE = "abusive", _("Obscene language or threats (part 3)")
        UNREADABLE = "unreadable", _("Text cannot be read (part 4)")
        UNCLEAR = "unclear", _("Substance cannot be determined (part 4.1)")
        REPEATED = "repeated", _("Same question already answered, no new arguments (part 5)")
        PUBLISHED = "published", _("Answer already published on the site (part 5.1)")
        SECRET = "secret", _("Answer would reveal a protected secret (part 6)")

    number = models.CharField(_("registration number"), max_length=60, blank=True, db_index=True)
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    # Personal data (R3/R19): never returned by public selectors (R14, R18).
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail for the answer"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    answer_channel = models.CharField(
        _("answer channel"),
        max_length=20,
        choices=AnswerChannel.choices,
        default=AnswerChannel.EMAIL,
    )

    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    place = models.CharField(_("address of the place"), max_length=255, blank=True)

    is_collective = models.BooleanField(_("collective"), default=False)  # R1
    is_public = models.BooleanField(_("published as a public problem"), default=False)  # R13, R18
    show_author_name = models.BooleanField(_("show the author's name publicly"), default=False)
    personal_data_consent_at = models.DateTimeField(
        _("personal data consent"), null=True, blank=True
    )
    respondent_cabinet = models.ForeignKey(  # R6
        "cabinets.Cabinet",
        verbose_name=_("body complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    respondent_official = models.ForeignKey(  # R6
        settings.AUTH_USER_MODEL,
        verbose_name=_("official complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    simple = models.BooleanField(_("needs no extra study"), default=False)  # R21

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    # Deadlines (DESIGN §4): legal_due counts overdue, control_due drives reminders.
    registration_due = models.DateField(_("registration due"), null=True, blank=True)
    forwarding_due = models.DateField(_("forwarding due"), null=True, blank=True)
    legal_due = models.DateField(_("answer due (legal)"), null=True, blank=True, db_index=True)
    control_due = models.DateField(_("answer due (control)"), null=True, blank=True, db_index=True)
    original_due = models.DateField(_("answer due before extension"), null=True, blank=True)

    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-executors"),
        blank=True,
        related_name="co_assigned_appeals",
    )
    no_merits_ground = models.CharField(
        _("ground for no answer on the merits"),
        max_length=30,
        choices=NoMeritsGround.choices,
        blank=True,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_appeals",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["cabinet", "status", "legal_due"], name="appeal_queue_idx"),
            # The default work queue: open appeals of a cabinet in due-date order (an ascending
            # PostgreSQL index puts NULLs last, as the queue's ORDER BY does).
            models.Index(
                fields=["cabinet", "legal_due", "received_at", "id"],
                name="appeal_open_queue_idx",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["status", "latitude", "longitude"], name="appeal_map_idx"),
            models.Index(fields=["author", "-received_at"], name="appeal_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="appeal_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["proposal", "statement", "complaint"]),
                name="appeal_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["cabinet", "number"],
                condition=~models.Q(number=""),
                name="appeal_number_unique",
            ),
        ]
        permissions = [("view_personal_data", "Can see the personal data of appellants")]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that a save after forwarding refreshes the old cabinet's counts too.
        instance._loaded_cabinet_id = instance.__dict__.get("cabinet_id")
        return instance

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def due_state(self):
        """ "overdue" (past legal_due), "soon" (control_due within 3 days) or "" — shown in colour
        and in words on the work queue."""
        from datetime import timedelta

        today = timezone.localdate()
        if not self.legal_due or not Status(self.status).is_open:
            return ""
        if self.is_overdue(today):
            return "overdue"
        soon = timedelta(days=DeadlinePolicy.current().due_soon_days)
        if self.control_due and self.control_due <= today + soon:
            return "soon"
        return ""

    def is_overdue(self, today=None):
        """Overdue counts against ``legal_due`` (RULES, Conventions)."""
        from .deadlines import is_overdue

        return (
            bool(self.legal_due)
            and Status(self.status).is_open
            and is_overdue(self.legal_due, today)
        )


class AppealEvent(HistoryEvent):
    """One immutable line of an appeal's history (who, when, from, to, note)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="events"
    )
    is_public = models.BooleanField(_("shown to the citizen"), default=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal history")

    def __str__(self):
        return f"{self.appeal} {self.action}"

    # Words for the history lines that are not workflow actions (those take their label from
    # workflow.ACTIONS).
    OTHER_ACTIONS = {
        "receive": _("Received"),
        "add_materials": _("Materials added"),
        "cosign": _("Co-signer confirmed"),
        "invite_cosigners": _("Co-signers invited"),
        "external_request": _("Documents requested from another body"),
        "merged_in": _("A repeat appeal was joined to this one"),
        "rate": _("Answer rated"),
        "reclassify": _("Kind changed"),
    }

    @property
    def action_label(self):
        from .workflow import ACTIONS

        if self.action in ACTIONS:
            return ACTIONS[self.action].label
        return self.OTHER_ACTIONS.get(self.action, self.action)

    @staticmethod
    def _status_label(value):
        try:
            return Status(value).label
        except ValueError:
            return value

    @property
    def from_status_label(self):
        return self._status_label(self.from_status) if self.from_status else ""

    @property
    def to_status_label(self):
        return self._status_label(self.to_status) if self.to_status else ""


class Answer(models.Model):
    """The answer to an appeal: drafted by the executor, signed by the head or an authorised
    signer (R12). The signed letter carries a verification code and a hash of its text; the
    public verification page confirms them."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="answers"
    )
    text = models.TextField(_("answer text"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("signer"), max_length=255, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=255, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=32, blank=True, db_index=True
    )
    text_sha256 = models.CharField(_("text hash (SHA-256)"), max_length=64, blank=True)
    letter = models.FileField(_("letter (PDF)"), upload_to="letters/%Y/%m/", blank=True)
    on_time = models.BooleanField(_("sent on time"), null=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["-drafted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification_code"],
                condition=~models.Q(verification_code=""),
                name="answer_code_unique",
            )
        ]

    def __str__(self):
        return f"{self.appeal} ({self.signed_at or _('draft')})"

    @property
    def is_signed(self):
        return self.signed_at is not None


class Attachment(models.Model):
    """A file attached to an appeal: an image (re-encoded, metadata stripped, thumbnail made)
    or a PDF, checked by content. Uploads not yet attached to an appeal are *pending*: a form
    that comes back with errors keeps them, keyed by the uploader."""

    class Stage(models.TextChoices):
        INITIAL = "initial", pgettext_lazy("attachment stage", "With the appeal")
        SUPPLEMENT = "supplement", pgettext_lazy("attachment stage", "Added later")
        SCAN = "scan", pgettext_lazy("attachment stage", "Scan of a paper appeal")

    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INITIAL
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="attachments/%Y/%m/thumbs/", blank=True)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class Reminder(models.Model):
    """A reminder or escalation already sent: one per appeal, deadline stage and kind. The
    unique constraint makes the beat task safe to run twice (or from two beats)."""

    class Kind(models.TextChoices):
        ANSWER_T5 = "answer_t5", _("Answer due soon: first reminder")
        ANSWER_T1 = "answer_t1", _("Answer due soon: last reminder")
        REGISTRATION_T1 = "registration_t1", _("Registration due tomorrow")
        OVERDUE = "overdue", _("Overdue: escalated to the head")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    stage = models.CharField(
        _("deadline stage"), max_length=40, help_text=_("The due date the reminder is about.")
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    batch = models.UUIDField(
        _("sweep"), null=True, blank=True, db_index=True, help_text=_("The sweep that sent it.")
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "kind", "stage"], name="reminder_once_per_stage"
            )
        ]

    def __str__(self):
        return f"{self.appeal} {self.kind} {self.stage}"


class AccessLog(models.Model):
    """Who saw a citizen's personal data or exported appeals, and when (R14, R18). Read by the
    head of the cabinet and the administrator; never edited."""

    class Action(models.TextChoices):
        VIEW = "view", pgettext_lazy("access log action", "Viewed personal data")
        EXPORT = "export", pgettext_lazy("access log action", "Exported a list")
        LETTER = "letter", pgettext_lazy("access log action", "Opened the answer letter")
        FILE = "file", pgettext_lazy("access log action", "Opened an attachment")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_log",
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.appeal or ''}"


class InternalNote(models.Model):
    """A note officials leave on the case file; never shown to the citizen."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at"]

    def __str__(self):
        return self.text[:60]


class Rating(models.Model):
    """The citizen's rating of the answer (1–5, with a comment)."""

    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="rating"
    )
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("rating of an answer")
        verbose_name_plural = _("ratings of answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.appeal}: {self.stars}"


class CoSigner(models.Model):
    """A co-signer of a collective appeal (R1): invited by e-mail by the author, confirms with
    their own account. The answer goes to the author and to every confirmed co-signer."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="cosigners"
    )
    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cosigned_appeals",
    )
    token = models.CharField(_("invitation token"), max_length=64, unique=True)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "email"], name="cosigner_once_per_appeal")
        ]

    def __str__(self):
        return self.email


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

    def render(self, appeal):
        """The body with the appeal's values in place; unknown placeholders stay as typed."""
        values = {
            "name": " ".join(p for p in (appeal.first_name, appeal.patronymic) if p)
            or appeal.full_name,
            "number": appeal.number,
            "date": appeal.registered_at.strftime("%d.%m.%Y") if appeal.registered_at else "",
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


class ExternalRequest(models.Model):
    """A request for documents sent to another body while considering an appeal (R7, 59-FZ
    Art. 10(2)); the other body must reply within 15 days."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="external_requests"
    )
    addressee = models.CharField(_("addressee"), max_length=255)
    subject = models.TextField(_("what is requested"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_on = models.DateField(_("sent"))
    due_on = models.DateField(_("reply due"), db_index=True)
    answered_on = models.DateField(_("reply received"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to another body")
        verbose_name_plural = _("requests to other bodies")
        ordering = ["-sent_on"]

    def __str__(self):
        return f"{self.appeal} → {self.addressee}"
