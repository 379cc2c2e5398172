from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.history import HistoryEvent
from edem.core.markup import render_markdown

from .roles import CABINET_PERMISSIONS, Role


class CabinetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Cabinet(models.Model):
    """An authority's electronic service cabinet: where its officials handle participation."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", pgettext_lazy("cabinet kind", "Administration")
        DEPARTMENT = "department", pgettext_lazy("cabinet kind", "Department")
        MUNICIPAL_SERVICE = "municipal_service", pgettext_lazy("cabinet kind", "Municipal service")
        COUNCIL = "council", pgettext_lazy("cabinet kind", "Council")
        ADVISORY_BODY = "advisory_body", pgettext_lazy("cabinet kind", "Advisory body")

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60)
    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short Latin code used in registration numbers and addresses, e.g. ADM."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent cabinet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_cabinets",
    )
    email = models.EmailField(_("official e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    office_hours = models.CharField(
        _("office hours"),
        max_length=255,
        blank=True,
        help_text=_(
            "When citizens are received in person (for example, to confirm their identity), "
            "e.g. Mon-Thu 9:00-18:00, Fri 9:00-16:45."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("public description"), blank=True)
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory served"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cabinets",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CabinetQuerySet.as_manager()

    class Meta:
        verbose_name = _("service cabinet")
        verbose_name_plural = _("service cabinets")
        ordering = ["name"]
        permissions = CABINET_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "administration",
                        "department",
                        "municipal_service",
                        "council",
                        "advisory_body",
                    ]
                ),
                name="cabinet_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of cabinet."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cabinets:public_detail", args=[self.code])


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True, cabinet__is_active=True)


class Membership(models.Model):
    """A person's role in a cabinet. Active while ``ended_at`` is empty.

    Permissions follow from active memberships only; ``cabinets.services`` keeps the
    django-guardian object permissions in sync whenever a membership starts, changes or ends.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.CharField(
        _("position"), max_length=200, blank=True, help_text=_("As printed under a signature.")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cabinet", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cabinet", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_one_active_role",
                violation_error_message=_(
                    "This person already holds this role in this cabinet. End the current membership before adding it again."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["head", "registrar", "executor", "observer"]),
                name="membership_role_valid",
                violation_error_message=_("Choose one of the listed roles."),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.cabinet.short_name})"

    @property
    def is_active(self):
        return self.ended_at is None


class PublicationQuerySet(models.QuerySet):
    def published(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Publication.Status.PUBLISHED, published_at__lte=now, cabinet__is_active=True
        )


class Publication(models.Model):
    """News or an announcement a cabinet publishes to inform residents."""

    class Kind(models.TextChoices):
        NEWS = "news", pgettext_lazy("publication kind", "News")
        ANNOUNCEMENT = "announcement", pgettext_lazy("publication kind", "Announcement")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("publication status", "Draft")
        PUBLISHED = "published", pgettext_lazy("publication status", "Published")

    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT, related_name="publications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=255)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("text (sanitised HTML)"), editable=False, default="")
    image = models.ImageField(_("image"), upload_to="publications/%Y/%m/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=255, blank=True)
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publish time"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"], name="publication_feed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="publication_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="publication_published_has_time",
                violation_error_message=_("A published item needs its publish time."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cabinets:publication_detail", args=[self.pk])

    def render_body(self):
        """The sanitised HTML of each language's text (``body_html`` reads the reader's
        language, else the Russian one); a value given in another language than Russian
        fills the empty Russian text and title too, so that the default is never blank."""
        for name in ("title", "summary", "body"):
            if not getattr(self, f"{name}_{settings.LANGUAGE_CODE}", None):
                setattr(self, f"{name}_{settings.LANGUAGE_CODE}", getattr(self, name))
        for code, _name in settings.LANGUAGES:
            body = getattr(self, f"body_{code}", None)
            setattr(self, f"body_html_{code}", render_markdown(body) if body else "")

    @property
    def is_visible(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class StaffInvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        return self.filter(
            status=StaffInvitation.Status.PENDING, expires_at__gt=now or timezone.now()
        )


class StaffInvitation(models.Model):
    """An invitation to join a cabinet's staff, sent by e-mail (``services.invite_official``).

    The link in the mail carries a signed random token; only its SHA-256 hash is stored, so
    the table alone opens nothing. Following the link once (before ``expires_at``) the person
    sets their password, which also confirms the address, and the membership begins; the
    second factor is set up at the first sign-in (``edem.accounts.mfa``)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "Sent, not yet accepted")
        ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
        REVOKED = "revoked", pgettext_lazy("invitation status", "Withdrawn")

    email = models.EmailField(_("e-mail address"))
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.CharField(
        _("position"), max_length=200, blank=True, help_text=_("As printed under a signature.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_invitations",
    )

    objects = StaffInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "revoked"]),
                name="staff_invitation_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["head", "registrar", "executor", "observer"]),
                name="staff_invitation_role_valid",
                violation_error_message=_("Choose one of the listed roles."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted")
                | models.Q(accepted_at__isnull=False, user__isnull=False),
                name="staff_invitation_accepted_has_account",
                violation_error_message=_("An accepted invitation names the account it opened."),
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()} ({self.cabinet.short_name})"

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


class StaffEvent(HistoryEvent):
    """One line of a cabinet's staff history: an official invited, an invitation accepted or
    withdrawn, a role changed, a membership ended (``cabinets.services``)."""

    cabinet = models.ForeignKey(
        Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT, related_name="events"
    )

    LABELS = {
        "invite": _("Official invited"),
        "invite_accepted": _("Invitation accepted"),
        "invite_revoked": _("Invitation withdrawn"),
        "change_role": _("Role changed"),
        "end_membership": _("Membership ended"),
    }

    class Meta(HistoryEvent.Meta):
        verbose_name = _("staff history line")
        verbose_name_plural = _("staff history")


class ExternalBodyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ExternalBody(models.Model):
    """A body outside the portal (no service cabinet here): the prosecutor's office, the police,
    a regional ministry, a utility company. Appeals are forwarded to it by competence (R5, R11
    part 1) and documents requested from it (R7) by e-mail through the gateway
    (``integrations``); it lives beside the cabinets so that the appeals' forms can offer it."""

    class Kind(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", pgettext_lazy("external body kind", "Law enforcement")
        REGIONAL = "regional", pgettext_lazy("external body kind", "Regional or federal body")
        ORGANISATION = "organisation", pgettext_lazy("external body kind", "Organisation")
        OTHER = "other", pgettext_lazy("external body kind", "Other")

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("e-mail"), help_text=_("Letters and appeals are sent here."))
    postal_address = models.TextField(_("postal address"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active bodies are offered on the forms.")
    )

    objects = ExternalBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("external body")
        verbose_name_plural = _("external bodies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["law_enforcement", "regional", "organisation", "other"]
                ),
                name="external_body_kind_valid",
                violation_error_message=_("Choose one of the listed kinds."),
            )
        ]

    def __str__(self):
        return self.name
