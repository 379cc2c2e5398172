"""What a client may read: the appeals its account may see as staff (``appeals.selectors``,
the same rule as the service cabinet's queue and card) that its cabinets hold now."""

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from appeals import selectors as appeal_selectors
from appeals.models import Appeal, AppealEvent
from appeals.workflow import OPEN_STATES
from cabinets.access import roles_by_cabinet
from cabinets.roles import Role
from integrations.models import ApiClient

OPEN = "open"
# What the list reads (the rows of a million-appeal table are wide; the cabinet's and the
# category's rows carry every language's texts).
LIST_COLUMNS = (
    "id",
    "number",
    "status",
    "kind",
    "channel",
    "cabinet_id",
    "cabinet__code",
    "category_id",
    "category__name",
    *(f"category__name_{code}" for code, _name in settings.LANGUAGES),
    "executor_id",
    "executor__last_name",
    "executor__first_name",
    "executor__patronymic",
    "executor__email",
    "subject",
    "received_at",
    "registered_at",
    "registration_due",
    "legal_due",
    "control_due",
    "answered_at",
    "closed_at",
    "is_public",
    "updated_at",
    "last_name",
    "first_name",
    "patronymic",
    "email",
    "postal_address",
    "phone",
    "organisation_name",
    "organisation_number",
    "signer_position",
)


def cabinet_ids(client):
    """The client's cabinets' ids as a subquery (no query of its own)."""
    return ApiClient.cabinets.through.objects.filter(apiclient_id=client.pk).values("cabinet_id")


def personal_data_cabinets(user):
    """The cabinets where the account sees citizens' personal data on the appeals they hold
    (R14, R18): any role there but the observer's (``appeals.selectors.sees_personal_data``)."""
    return frozenset(
        cabinet for cabinet, roles in roles_by_cabinet(user).items() if roles - {Role.OBSERVER}
    )


def appeals_for(client):
    user = client.acts_as
    return Appeal.objects.filter(
        appeal_selectors.visibility(user), cabinet_id__in=cabinet_ids(client)
    )


def appeal_list(client, filters):
    qs = appeals_for(client)
    status = filters.get("status")
    if status == OPEN:
        qs = qs.filter(status__in=sorted(OPEN_STATES))
    elif status:
        qs = qs.filter(status=status)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet__code=filters["cabinet"])
    if filters.get("received_from"):
        qs = qs.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_at__date__lte=filters["received_to"])
    if filters.get("changed_since"):
        # Every change of an appeal writes its history line (appeals.services._common.record),
        # and the lines' time is indexed: the appeals with a line since then.
        changed = AppealEvent.objects.filter(at__gte=filters["changed_since"]).values("appeal_id")
        qs = qs.filter(pk__in=changed)
    if filters.get("number"):
        qs = qs.filter(number=filters["number"])
    return qs.values(*LIST_COLUMNS)


def appeal_for(client, pk):
    """The appeal if the client may read it; 404 otherwise (numbers do not leak)."""
    appeal = (
        appeals_for(client)
        .select_related("cabinet", "category", "territory", "executor", "author", "classifier")
        .filter(Q(pk=pk))
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def after_action(pk):
    """The appeal as an action left it (it may have been forwarded out of the client's
    cabinets: the caller shows it read-only, as the screens show a passed-on appeal)."""
    return Appeal.objects.select_related(
        "cabinet", "category", "territory", "executor", "author", "classifier"
    ).get(pk=pk)
