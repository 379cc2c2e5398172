"""The case file of an appeal: answers and letters, files, reminders sent, the access log, internal notes, ratings, co-signers, document requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.calendar import is_overdue
from edem.core.jurisdiction import get_profile
from edem.core.uploads import StoredFile
from edem.notifications.models import Notification

from .appeal import Appeal


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
    # R12: how the answer went out, and the record of that delivery.
    delivery_channel = models.CharField(
        _("delivered by"), max_length=20, choices=Appeal.AnswerChannel.choices, blank=True
    )
    delivery = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("e-mail with the answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # R17: the answer to a request for information is either the information (the text and its
    # files) or a reasoned refusal on one of the profile's grounds.
    refusal_ground = models.CharField(_("ground of the refusal"), max_length=30, blank=True)
    mail_batch = models.ForeignKey(
        "appeals.MailBatch",
        verbose_name=_("outgoing-mail batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["-drafted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification_code"],
                condition=~models.Q(verification_code=""),
                name="answer_code_unique",
                violation_error_message=_(
                    "This verification code is already used by another answer."
                ),
            )
        ]

    def __str__(self):
        return f"{self.appeal} ({self.signed_at or _('draft')})"

    @property
    def delivered_at(self):
        """When the answer left by e-mail (R12): the message's sending time; None while it
        has not left (a letter by post: ``posted_on``)."""
        if self.delivery_id and self.delivery.sent_at:
            return self.delivery.sent_at
        return None

    @property
    def posted_on(self):
        """The date the post office took the letter (R12), once its batch is sent."""
        return self.mail_batch.dispatched_on if self.mail_batch_id else None

    @property
    def is_signed(self):
        return self.signed_at is not None

    @property
    def is_refusal(self):
        return bool(self.refusal_ground)

    @property
    def refusal_ground_label(self):
        """The refusal ground in words, from the profile (R17)."""
        rules = get_profile().information_requests
        grounds = dict(rules.refusal_grounds) if rules else {}
        return grounds.get(self.refusal_ground, self.refusal_ground)


class Attachment(StoredFile):
    """A file attached to an appeal: an image (re-encoded, metadata stripped, thumbnail made)
    or a PDF, checked by content. Uploads not yet attached to an appeal are *pending*: a form
    that comes back with errors keeps them, keyed by the uploader."""

    class Stage(models.TextChoices):
        INITIAL = "initial", pgettext_lazy("attachment stage", "With the appeal")
        SUPPLEMENT = "supplement", pgettext_lazy("attachment stage", "Added later")
        SCAN = "scan", pgettext_lazy("attachment stage", "Scan of a paper appeal")
        ANSWER = "answer", pgettext_lazy("attachment stage", "Information sent with the answer")
        EXTERNAL = "external", pgettext_lazy("attachment stage", "From another body's reply")

    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    # R17: a file of the information that an answer to a request for information carries; the
    # citizen sees it once the answer is signed.
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,  # a file of another body's reply, filed by the mail gateway
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INITIAL
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="attachments/%Y/%m/thumbs/", blank=True)

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
        FORWARDING_T1 = "forwarding_t1", _("Forwarding term ends soon (R5)")
        NOTICE_T1 = "notice_t1", _("No-merits notice due soon (R11)")
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
                fields=["appeal", "kind", "stage"],
                name="reminder_once_per_stage",
                violation_error_message=_("This reminder was already sent at this stage."),
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
        # The head's dashboard lists the worst-rated answers of a period: lowest stars first,
        # newest first, read through this index and cut to a page.
        indexes = [models.Index(fields=["stars", "-created_at"], name="rating_worst_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5),
                name="rating_1_to_5",
                violation_error_message=_("A rating is from 1 to 5 stars."),
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
            models.UniqueConstraint(
                fields=["appeal", "email"],
                name="cosigner_once_per_appeal",
                violation_error_message=_("This address already co-signs this appeal."),
            )
        ]

    def __str__(self):
        return self.email


class ExternalRequest(models.Model):
    """A request for documents sent to another body while considering an appeal (R7, 59-FZ
    Art. 10(2)); the other body must reply within 15 days."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="external_requests"
    )
    addressee = models.CharField(_("addressee"), max_length=255)
    body = models.ForeignKey(
        "cabinets.ExternalBody",
        verbose_name=_("external body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("When chosen from the directory, the request is sent to it by e-mail."),
    )
    to_cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet of the portal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("When chosen, its staff get the request on the portal."),
    )
    subject = models.TextField(_("what is requested"))
    text = models.TextField(_("text of the request"), blank=True)
    # A letter by post: the address printed on it, and the day the official posted it.
    postal_address = models.TextField(_("postal address"), blank=True)
    posted_on = models.DateField(_("posted"), null=True, blank=True)
    files = models.ManyToManyField(
        "appeals.Attachment",
        verbose_name=_("files of the appeal sent with it"),
        blank=True,
        related_name="+",
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The message that carries the request, once it is queued."),
    )
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

    class Sending(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("request sending", "Being sent by e-mail")
        EMAILED = "emailed", pgettext_lazy("request sending", "Sent by e-mail")
        FAILED = "failed", pgettext_lazy("request sending", "E-mail failed")
        PORTAL = "portal", pgettext_lazy("request sending", "Sent to the cabinet on the portal")
        POST = "post", pgettext_lazy("request sending", "To be posted")

    @property
    def sending(self):
        """How the request went out (R7): by e-mail to a body of the directory (queued, sent,
        failed or bounced), to a cabinet of the portal, or on paper by the official."""
        if self.body_id is None:
            return self.Sending.PORTAL if self.to_cabinet_id else self.Sending.POST
        status = self.notification.status if self.notification_id else None
        if status == Notification.Status.FAILED:
            return self.Sending.FAILED
        return self.Sending.EMAILED if status == Notification.Status.SENT else self.Sending.QUEUED

    @property
    def is_overdue(self):
        """No reply yet, and the 15 days are over (R7)."""
        return self.answered_on is None and is_overdue(self.due_on)


class MailBatch(models.Model):
    """An outgoing-mail batch of a cabinet (R12): the answers to be sent by post collect in the
    cabinet's open batch; the registrar forms a batch of them, which renders its register of
    postal items (реестр почтовых отправлений) as a PDF to print and hand to the post office
    with the letters, and then marks the batch as sent with the date the post office took it.
    Open: ``formed_at`` empty; formed: register rendered, ``dispatched_on`` empty; sent."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.PROTECT,
        related_name="mail_batches",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    formed_at = models.DateTimeField(_("formed"), null=True, blank=True)
    formed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_on = models.DateField(_("handed to the post office"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("marked as sent"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    register = models.FileField(
        _("register of postal items (PDF)"), upload_to="mail-registers/%Y/%m/", blank=True
    )

    class Meta:
        verbose_name = _("outgoing-mail batch")
        verbose_name_plural = _("outgoing-mail batches")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cabinet"],
                condition=models.Q(formed_at__isnull=True),
                name="one_open_mail_batch_per_cabinet",
                violation_error_message=_("A cabinet has one open outgoing-mail batch at a time."),
            ),
            models.CheckConstraint(
                condition=models.Q(dispatched_on__isnull=True) | models.Q(formed_at__isnull=False),
                name="mail_batch_sent_after_formed",
                violation_error_message=_("A batch is formed before it is sent."),
            ),
        ]

    def __str__(self):
        return f"{self.cabinet_id}/{self.pk}"

    @property
    def is_open(self):
        return self.formed_at is None

    @property
    def is_sent(self):
        return self.dispatched_on is not None
