"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): what the endpoints return, as
plain data that ``views_open311`` renders as JSON or XML.

Only public problems are served, and only what their public page shows: the projection
``PublicProblem`` (its public text, already scrubbed of personal data), the category, the
cabinet, the place, the public photos and the control date. The author's name, e-mail,
address and phone are never read here: the queries name their columns.

Statuses: the spec has two, ``open`` and ``closed``; ``status_notes`` carries the public status
in words (new, being dealt with, answered, forwarded, closed without an answer).
``expected_datetime`` is the answer's control date (DESIGN §4), the end of that local day.

Filing (``POST requests``, R2): an electronic appeal counts only through a channel that
identifies the citizen. A registered client may file only if the administrator marked it as
one that signs residents in with their portal account (``identifies_citizens``), and the
appeal is filed for the portal account with the e-mail given, through
``appeals.services.file_appeal`` with all its rules: an unknown e-mail or an account below the
profile's verification level is refused with the spec's error and the same reason as on the
portal's form.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from appeals import services as appeal_services
from appeals.models import Appeal, Attachment, Category
from appeals.problems.models import PublicProblem, PublicState
from edem.core.workflow import TransitionNotAllowed

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-06T00:00:00Z"
DEFAULT_DAYS = 90  # the spec: without dates, the last 90 days
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000  # the spec: at most 1000 requests a response
OPEN_STATES = (PublicState.NEW, PublicState.IN_WORK)
CLOSED_STATES = (PublicState.ANSWERED, PublicState.FORWARDED, PublicState.CLOSED)
TOKEN_SALT = "integrations.open311.token"  # noqa: S105 — a signing salt, not a secret


class Open311Error(Exception):
    """An error in the spec's format: ``[{"code": 400, "description": "..."}]``."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = str(description)


def jurisdiction_id():
    return (
        getattr(settings, "EDEM_OPEN311_JURISDICTION", "")
        or (settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0])
    )


def check_jurisdiction(value):
    if value and value != jurisdiction_id():
        raise Open311Error(404, _("Unknown jurisdiction_id."))


def absolute(path):
    return settings.SITE_URL + path


def w3c(value):
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


# --- discovery and services ----------------------------------------------------------------


def discovery():
    return {
        "changeset": CHANGESET,
        "contact": settings.EDEM_CONTACT_EMAIL,
        "key_service": _("Keys are issued by the administration of the portal."),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": absolute(reverse("open311:root")),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _categories():
    """Categories a request may be filed under: the active ones without active children."""
    categories = list(
        Category.objects.filter(is_active=True).select_related("parent").order_by("order", "name")
    )
    parents = {c.parent_id for c in categories if c.parent_id}
    return [c for c in categories if c.pk not in parents]


def services():
    return [
        {
            "service_code": str(category.pk),
            "service_name": category.name,
            "description": str(category),
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": category.parent.name if category.parent_id else "",
        }
        for category in _categories()
    ]


def service_category(code):
    try:
        pk = int(code)
    except (TypeError, ValueError):
        raise Open311Error(404, _("Unknown service_code.")) from None
    for category in _categories():
        if category.pk == pk:
            return category
    raise Open311Error(404, _("Unknown service_code."))


def service_definition(code):
    category = service_category(code)
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("The kind of appeal; a statement if not given."),
                "order": 1,
                "description": _("Kind of appeal"),
                "values": [{"key": key, "name": str(name)} for key, name in Appeal.Kind.choices],
            },
            {
                "variable": True,
                "code": "subject",
                "datatype": "string",
                "required": False,
                "datatype_description": _("At most 255 characters; the service name if not given."),
                "order": 2,
                "description": _("Subject"),
                "values": [],
            },
        ],
    }


# --- requests: reading ---------------------------------------------------------------------

# The projection's columns a request shows: public fields only (never author, author_name).
COLUMNS = (
    "appeal_id",
    "state",
    "category_id",
    "category__name",
    "cabinet__name",
    "text",
    "place",
    "lat",
    "lon",
    "received_at",
    "updated_at",
    "hidden_photos",
)


@dataclass
class RequestQuery:
    ids: list
    codes: list
    start: datetime | None
    end: datetime | None
    states: list
    page: int
    page_size: int


def _parse_date(name, raw):
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is None:
        try:
            value = datetime.combine(datetime.fromisoformat(raw).date(), time.min)
        except ValueError:
            raise Open311Error(
                400, _("%(name)s must be a date and time in W3C format.") % {"name": name}
            ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _ints(name, raw):
    values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    try:
        return [int(v) for v in values]
    except ValueError:
        raise Open311Error(
            400, _("%(name)s must be numbers separated by commas.") % {"name": name}
        ) from None


def _positive(name, raw, default, maximum=None):
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise Open311Error(400, _("%(name)s must be a whole number from 1.") % {"name": name})
    return min(value, maximum) if maximum else value


def parse_query(params):
    states = []
    for status in (s.strip() for s in (params.get("status") or "").split(",") if s.strip()):
        if status == "open":
            states += OPEN_STATES
        elif status == "closed":
            states += CLOSED_STATES
        else:
            raise Open311Error(400, _("status must be open, closed or both."))
    query = RequestQuery(
        ids=_ints("service_request_id", params.get("service_request_id")),
        codes=_ints("service_code", params.get("service_code")),
        start=_parse_date("start_date", params.get("start_date")),
        end=_parse_date("end_date", params.get("end_date")),
        states=states,
        page=_positive("page", params.get("page"), 1),
        page_size=_positive("page_size", params.get("page_size"), PAGE_SIZE, MAX_PAGE_SIZE),
    )
    if query.start and query.end and query.start > query.end:
        raise Open311Error(400, _("start_date must be before end_date."))
    return query


def _base():
    return PublicProblem.objects.filter(appeal__is_public=True)


def request_list(query):
    """The requests matching the query, newest first, one page. With ``service_request_id``
    the other filters are ignored (the spec)."""
    qs = PublicProblem.objects.all()
    if query.ids:
        qs = qs.filter(appeal_id__in=query.ids)
    else:
        if query.codes:
            qs = qs.filter(category_id__in=query.codes)
        if query.states:
            qs = qs.filter(state__in=query.states)
        end = query.end
        start = query.start
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
    # The page is chosen first, by its ids alone: an index-only walk down
    # ``problem_open311_idx`` (the list's order, with the filtered columns included), so that
    # the rows a deep page skips are read from the index, neither joined nor sorted. Only the
    # page's own rows are then read, with their category, cabinet and control date, and the
    # appeal's ``is_public`` checked again there (``_base``): a projection row always belongs to
    # a public appeal (``problems.sync``), and were one left behind it would shorten its page,
    # never show. One query.
    offset = (query.page - 1) * query.page_size
    order = ("-received_at", "-appeal_id")
    page = qs.order_by(*order).values("appeal_id")[offset : offset + query.page_size]
    rows = list(
        _base()
        .filter(appeal_id__in=page)
        .order_by(*order)
        .annotate(control_due=F("appeal__control_due"))
        .values(*COLUMNS, "control_due")
    )
    return [_request(row, photos) for row, photos in _with_photos(rows)]


def request_detail(pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Open311Error(404, _("No such service request.")) from None
    rows = list(
        _base()
        .filter(appeal_id=pk)
        .annotate(control_due=F("appeal__control_due"))
        .values(*COLUMNS, "control_due")
    )
    if not rows:
        raise Open311Error(404, _("No such service request."))
    return [_request(row, photos) for row, photos in _with_photos(rows)]


def _with_photos(rows):
    """Each row with the id of its first public photo (one query for the page): images the
    author attached, less those moderation hid (as ``problems.selectors.public_photos``)."""
    first = {}
    for appeal_id, pk in (
        Attachment.objects.filter(
            appeal_id__in=[r["appeal_id"] for r in rows],
            content_type__startswith="image/",
            stage__in=[Attachment.Stage.INITIAL, Attachment.Stage.SUPPLEMENT],
        )
        .order_by("appeal_id", "pk")
        .values_list("appeal_id", "pk")
    ):
        first.setdefault(appeal_id, []).append(pk)
    for row in rows:
        hidden = set(row["hidden_photos"] or [])
        photos = [pk for pk in first.get(row["appeal_id"], []) if pk not in hidden]
        yield row, photos


def expected(control_due):
    if control_due is None:
        return ""
    moment = datetime.combine(control_due, time(23, 59, 59))
    return w3c(timezone.make_aware(moment))


def status_of(state):
    return "open" if state in OPEN_STATES else "closed"


def _request(row, photos):
    pk = row["appeal_id"]
    state = PublicState(row["state"])
    return {
        "service_request_id": str(pk),
        "status": status_of(state),
        "status_notes": str(state.label),
        "service_name": row["category__name"] or "",
        "service_code": str(row["category_id"] or ""),
        "description": row["text"],
        "agency_responsible": row["cabinet__name"],
        "service_notice": "",
        "requested_datetime": w3c(row["received_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": expected(row["control_due"]),
        "address": row["place"],
        "address_id": "",
        "zipcode": "",
        "lat": "" if row["lat"] is None else round(row["lat"], 6),
        "long": "" if row["lon"] is None else round(row["lon"], 6),
        "media_url": absolute(reverse("problems:photo", args=[pk, photos[0]])) if photos else "",
    }


# --- tokens --------------------------------------------------------------------------------


def token_for(appeal_id):
    return signing.dumps(appeal_id, salt=TOKEN_SALT)


def token_lookup(token):
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise Open311Error(404, _("Unknown token.")) from None
    published = _base().filter(appeal_id=pk).exists()
    return [{"service_request_id": str(pk) if published else "", "token": token}]


# --- requests: filing ----------------------------------------------------------------------


def _decimal(name, raw, limit):
    try:
        value = Decimal(raw).quantize(Decimal("0.000001"))
    except (InvalidOperation, TypeError):
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None
    if not value.is_finite() or abs(value) > limit:
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return value


def file_request(*, client, params):
    """A service request from a registered client becomes an appeal through the portal's own
    filing service and its rules (R2, R3); refusals come back as ``Open311Error``."""
    if client is None:
        raise Open311Error(403, _("A valid api_key is required."))
    if not client.identifies_citizens:  # R2: the channel must identify the citizen
        raise Open311Error(
            403,
            _(
                "This application is not registered as one that identifies residents, so it "
                "cannot file appeals (an electronic appeal must come through a channel that "
                "identifies the citizen)."
            ),
        )
    category = service_category(params.get("service_code"))
    description = (params.get("description") or "").strip()
    if not description:
        raise Open311Error(400, _("description is required."))
    lat, lon = params.get("lat"), params.get("long")
    address = (params.get("address_string") or "").strip()[:255]
    if bool(lat) != bool(lon):
        raise Open311Error(400, _("Give both lat and long."))
    if not (lat or address):
        raise Open311Error(400, _("Give lat and long or address_string."))
    latitude = _decimal("lat", lat, 90) if lat else None
    longitude = _decimal("long", lon, 180) if lon else None
    email = (params.get("email") or "").strip()
    author = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if author is None:  # R2: the appeal is filed for the resident's own account
        raise Open311Error(
            403,
            _(
                "The e-mail must be that of a portal account: an appeal is filed by an "
                "identified resident."
            ),
        )
    kind = params.get("attribute[kind]") or Appeal.Kind.STATEMENT
    if kind not in Appeal.Kind.values:
        raise Open311Error(400, _("attribute[kind] is not one of the listed values."))
    subject = (params.get("attribute[subject]") or category.name).strip()[:255]
    text = description
    media_url = (params.get("media_url") or "").strip()
    if media_url:  # not fetched: the portal never downloads from addresses it is given
        if not media_url.startswith(("https://", "http://")):
            raise Open311Error(400, _("media_url must be an http or https address."))
        text += "\n\n" + _("Photo: %(url)s") % {"url": media_url}
    try:
        appeal = appeal_services.file_appeal(
            author=author,
            kind=kind,
            subject=subject,
            text=text,
            category=category,
            latitude=latitude,
            longitude=longitude,
            place=address,
            last_name=author.last_name or (params.get("last_name") or "").strip(),
            first_name=author.first_name or (params.get("first_name") or "").strip(),
            patronymic=author.patronymic,
            email=author.email,
            postal_address=author.postal_address,
            phone=author.phone,
            answer_channel=Appeal.AnswerChannel.PORTAL_ACCOUNT,
            is_public=True,
        )
    except TransitionNotAllowed as exc:  # the same reason as on the portal's form
        raise Open311Error(403, str(exc)) from None
    type(client).objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return [
        {
            "service_request_id": str(appeal.pk),
            "service_notice": _("Registered under number %(number)s.") % {"number": appeal.number}
            if appeal.number
            else "",
            "account_id": "",
            "token": token_for(appeal.pk),
        }
    ]
