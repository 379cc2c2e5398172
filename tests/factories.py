"""factory_boy factories for every model the tests need; never copy-paste setup."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from cabinets import services as cabinet_services
from cabinets.models import Cabinet, Publication
from cabinets.roles import Role
from edem.geo.models import Territory

from .helpers import appeal_changed

DEFAULT_PASSWORD = "correct-horse-battery-staple"


def square(lon, lat, size):
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"District {n}")
    kind = Territory.Kind.DISTRICT
    boundary = factory.LazyFunction(lambda: square(38.0, 56.0, 0.01))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Мария"
    last_name = factory.Sequence(lambda n: f"Иванова{n}")
    patronymic = "Петровна"
    language = "ru"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """Staff and superusers have an authenticator app (the admin demands it), unless
        ``mfa=False``."""
        if create and extracted is not False and (obj.is_staff or obj.is_superuser):
            add_totp(obj)


class CitizenFactory(UserFactory):
    verification_level = get_user_model().Verification.RESIDENT
    verified_at = factory.LazyFunction(timezone.now)
    postal_address = "Демоград, ул. Садовая, д. 1"


class CabinetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cabinet

    name = factory.Sequence(lambda n: f"Управление № {n}")
    short_name = factory.Sequence(lambda n: f"У{n}")
    code = factory.Sequence(lambda n: f"c{n}")
    kind = Cabinet.Kind.DEPARTMENT
    email = factory.LazyAttribute(lambda o: f"{o.code}@example.org")


def member(cabinet=None, role=Role.EXECUTOR, user=None, mfa=True, **user_fields):
    """A user with an active ``role`` in ``cabinet`` (created if not given) and, unless
    ``mfa=False``, a TOTP authenticator with a known secret (``TOTP_SECRET``)."""
    cabinet = cabinet or CabinetFactory()
    user = user or UserFactory(**user_fields)
    cabinet_services.add_membership(cabinet=cabinet, user=user, role=role)
    if mfa:
        add_totp(user)
    return user


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def add_totp(user, secret=TOTP_SECRET):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    return secret


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    cabinet = factory.SubFactory(CabinetFactory)
    title = factory.Sequence(lambda n: f"Новость {n}")
    body = "Текст **новости**."
    body_html = "<p>Текст <strong>новости</strong>.</p>"
    status = Publication.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.Appeal"
        skip_postgeneration_save = True

    cabinet = factory.SubFactory(CabinetFactory)
    kind = "statement"
    author = factory.SubFactory(CitizenFactory)
    last_name = factory.LazyAttribute(lambda o: o.author.last_name if o.author else "Петров")
    first_name = factory.LazyAttribute(lambda o: o.author.first_name if o.author else "Пётр")
    patronymic = "Петрович"
    email = factory.LazyAttribute(lambda o: o.author.email if o.author else "petrov@example.org")
    postal_address = "Демоград, ул. Садовая, д. 1, кв. 2"
    subject = "Яма на дороге"
    text = "Во дворе дома № 1 по ул. Садовой глубокая яма."

    @factory.post_generation
    def changed(obj, create, extracted, **kwargs):
        """As if a service had filed it: its domain event is published and delivered (the
        public projection of a public appeal appears, its author follows it)."""
        if create:
            appeal_changed(obj)


def classifier_code(code=None):
    """A code of the active profile's topic classifier (R16): ``code``, or the first one. The
    starter list is loaded by the migrations; a transactional test (the browser's) empties the
    tables after itself, so it is loaded again when it is gone."""
    from appeals.classifier_data import load_starter
    from appeals.models import ClassifierCode
    from edem.core.jurisdiction import get_profile

    if not ClassifierCode.objects.exists():
        load_starter(ClassifierCode)
    codes = ClassifierCode.objects.filter(profile=get_profile().code).order_by("code")
    return codes.get(code=code) if code else codes.first()
