from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.expressions import HasRows


class EmailUserManager(UserManager):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        """``manage.py createsuperuser``: whoever runs it on the server is trusted with the
        address they type, so it counts as confirmed and the first sign-in is not stopped by
        a confirmation mail (the admin then asks for the second factor)."""
        from allauth.account.models import EmailAddress

        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user


class DocumentKind(models.TextChoices):
    """The identity documents an official may record when verifying a person in person or
    entering a paper ballot (the same list as the reception card's). Only a keyed hash of the
    number is stored (R18)."""

    PASSPORT = "passport", pgettext_lazy("identity document", "Passport")
    FOREIGN_PASSPORT = "foreign_passport", pgettext_lazy("identity document", "Foreign passport")
    ID_CARD = "id_card", pgettext_lazy("identity document", "Identity card")
    RESIDENCE_PERMIT = "residence_permit", pgettext_lazy("identity document", "Residence permit")
    OTHER = "other", pgettext_lazy("identity document", "Other document")


class User(AbstractUser):
    """A person using the portal: a citizen, an official, or both.

    Holds the identity data 59-FZ Art. 7 asks of an appellant (surname, name, patronymic,
    postal address) so that forms can be prefilled, and the verification level that decides
    what the person may do (file an appeal, sign a petition, vote).
    """

    class Verification(models.TextChoices):
        EMAIL = "email", pgettext_lazy("verification level", "E-mail confirmed")
        RESIDENT = "resident", pgettext_lazy("verification level", "Resident (document seen)")
        IDENTITY = "identity", pgettext_lazy("verification level", "Identity provider")

    class WorkMail(models.TextChoices):
        EACH = "each", pgettext_lazy("new work mail", "A mail for each new appeal")
        DAILY = "daily", pgettext_lazy("new work mail", "One daily digest")

    class Language(models.TextChoices):
        RU = "ru", "Русский"
        UK = "uk", "Українська"
        EN = "en", "English"

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    birth_date = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Needed only where a vote or a poll has a minimum age."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.RU
    )
    # An official's choice: how they are told of appeals that arrive in their queue or are
    # assigned to them (appeals.services.new_work).
    work_mail = models.CharField(
        _("new work in the service cabinet"),
        max_length=10,
        choices=WorkMail.choices,
        default=WorkMail.EACH,
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    verification_level = models.CharField(
        _("verification level"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.EMAIL,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verification_note = models.CharField(
        _("verification note"),
        max_length=255,
        blank=True,
        help_text=_("Which document the official saw, or which provider confirmed the identity."),
    )
    # R30, R35: one voice per person across accounts and channels. ``person_key`` is a keyed
    # hash (edem.accounts.personkeys) of what first established the identity: the identity
    # provider's subject or the document an official saw. Two accounts of one person may share
    # it (the unique (item, voter_key) constraints then give them one voice). ``document_key``
    # is the keyed hash of the identity document an official saw on this account: one account
    # per document, so a paper ballot entered by document finds this person. Never the
    # document number itself (R18).
    person_key = models.CharField(
        _("person key"), max_length=64, blank=True, db_index=True, editable=False
    )
    document_key = models.CharField(
        _("document key"), max_length=64, null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verification_level__in=["email", "resident", "identity"]),
                name="user_verification_level_valid",
                violation_error_message=_("Choose one of the listed verification levels."),
            ),
            models.UniqueConstraint(
                fields=["document_key"],
                name="accounts_user_one_account_per_document",
                violation_error_message=_(
                    "This identity document is already recorded on another account. The person "
                    "should use that account."
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self):
        """Surname, name and patronymic, in the order Russian and Ukrainian documents use."""
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_verified_resident(self):
        return self.verification_level in (self.Verification.RESIDENT, self.Verification.IDENTITY)

    @property
    def active_roles(self):
        """[(cabinet id, role)] of the user's active memberships, read once per instance (one
        query serves the service-cabinet guard and the appeals visibility of a request)."""
        if not self.pk:
            return []
        if not hasattr(self, "_active_roles"):
            self._read_roles()
        return self._active_roles

    def _read_roles(self):
        """The active memberships, each row also saying whether the user has an authenticator
        app: the service cabinet's guard asks both on every request, in one query."""
        from allauth.mfa.models import Authenticator  # noqa: PLC0415 — apps load first

        rows = list(
            self.memberships.active()
            .order_by()
            .annotate(
                app=HasRows(Authenticator, "user", outer="user_id", type=Authenticator.Type.TOTP)
            )
            .values_list("cabinet_id", "role", "app")
        )
        self._active_roles = [(cabinet, role) for cabinet, role, _app in rows]
        if rows:
            self._has_totp_app = rows[0][2]

    @property
    def has_totp_app(self):
        """Whether the user has set up an authenticator app (allauth's TOTP), read with the
        roles when they are (``_read_roles``), else on its own; cached per instance."""
        if not hasattr(self, "_has_totp_app"):
            from allauth.mfa.utils import is_mfa_enabled  # noqa: PLC0415 — apps load first

            self._has_totp_app = is_mfa_enabled(self, types=["totp"])
        return self._has_totp_app

    @property
    def is_cabinet_member(self):
        """Has at least one active membership in a service cabinet (cached per instance)."""
        return bool(self.active_roles)

    def forget_roles(self):
        """Drop the cached roles after a membership changes."""
        self.__dict__.pop("_active_roles", None)
        self.__dict__.pop("_has_totp_app", None)


class CommunityTie(models.Model):
    """A tie to a territory's community other than registered residence (R30): a person who
    works or studies there, or is registered there as an internally displaced person, takes
    part in its consultations as its residents do, once an official has seen the document.

    Registered residence itself is ``User.territory``; these rows are the other grounds.
    """

    class Basis(models.TextChoices):
        WORK = "work", pgettext_lazy("community tie", "Works there")
        STUDY = "study", pgettext_lazy("community tie", "Studies there")
        IDP = "idp", pgettext_lazy("community tie", "Internally displaced person registered there")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="community_ties",
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.CharField(_("ground"), max_length=10, choices=Basis.choices)
    document = models.CharField(
        _("document seen"),
        max_length=255,
        help_text=_(
            "For example: a certificate from the employer, a student card, an IDP certificate."
        ),
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: until an official changes it. After this date the tie no longer counts."
        ),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("community tie")
        verbose_name_plural = _("community ties (work, study, IDP)")
        ordering = ["user", "territory"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory", "basis"],
                name="accounts_community_tie_unique",
                violation_error_message=_("This person already has this tie to this territory."),
            )
        ]

    def __str__(self):
        return f"{self.get_basis_display()}: {self.territory}"

    def counts_on(self, day):
        return self.valid_until is None or self.valid_until >= day
