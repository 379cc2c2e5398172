"""Reads for the widget. Everything public comes from the public projection (``PublicProblem``)
and the published reception schedule; the one read of an appeal itself (``track``) returns a
handful of dates and the public status, never a name, an address, a text or a file."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import Http404

from appeals.models import Appeal
from appeals.problems.models import STATE_OF_STATUS, PublicState
from appeals.problems.selectors import public_problems, territory_ids
from appeals.reception.selectors import published_schedules
from cabinets.models import Cabinet
from edem.core import calendar

from ..models import WidgetSite


def widget_or_404(key, part=None):
    """The active widget with this key (and ``part`` turned on), or 404."""
    widget = (
        WidgetSite.objects.filter(key=key, is_active=True, cabinet__is_active=True)
        .select_related("cabinet")
        .first()
    )
    if widget is None or (part is not None and part not in widget.enabled_views()):
        raise Http404
    return widget


def _scope(cabinet):
    """The cabinet's public problems: those it holds, and those on its territory (with the
    districts inside it), whoever holds them. An administration without a territory of its own
    serves the whole municipality: all of them."""
    if not cabinet.territory_id and cabinet.kind == Cabinet.Kind.ADMINISTRATION:
        return public_problems()
    q = Q(cabinet=cabinet)
    if cabinet.territory_id:
        q |= Q(territory_id__in=territory_ids(cabinet.territory_id))
    return public_problems().filter(q)


def latest_problems(cabinet):
    return _scope(cabinet).select_related("category").order_by("-received_at", "-appeal_id")


def published_answers(cabinet):
    """R13: the public problems whose answer is published (personal data removed), newest
    answer first."""
    return (
        _scope(cabinet)
        .exclude(answer_text="")
        .select_related("category")
        .order_by("-answer_signed_at", "-appeal_id")
    )


def reception_schedule(cabinet):
    """R15: the published schedule, without dated receptions already past."""
    today = calendar.local_date()
    return published_schedules(cabinet).filter(Q(date__isnull=True) | Q(date__gte=today))


@dataclass(frozen=True)
class Tracked:
    """What "track my appeal" may show: the number, the public status and dates."""

    number: str
    state: PublicState
    received_on: date
    registered_on: date | None
    due_on: date | None
    answered_on: date | None
    closed_on: date | None

    @property
    def state_label(self):
        return self.state.label


def normalise_code(code):
    """A code as typed: case, spaces and a missing hyphen forgiven ("abcd efgh" = ABCD-EFGH)."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else None


def track(number, code):
    """The appeal with this registration number *and* tracking code, as ``Tracked``; None when
    either is wrong (the caller says the same thing in both cases)."""
    code = normalise_code(code)
    number = (number or "").strip()
    if not code or not number:
        return None
    row = (
        # the number as typed, or in capitals as the portal writes them (both by the index)
        Appeal.objects.filter(Q(number=number) | Q(number=number.upper()), tracking_code=code)
        .exclude(tracking_code="")
        .values(
            "number",
            "status",
            "received_at",
            "registered_at",
            "legal_due",
            "answered_at",
            "closed_at",
        )
        .first()
    )
    if row is None:
        return None

    def day(value):
        return calendar.local_date(value) if value else None

    return Tracked(
        number=row["number"],
        state=PublicState(STATE_OF_STATUS.get(row["status"], PublicState.IN_WORK)),
        received_on=day(row["received_at"]),
        registered_on=day(row["registered_at"]),
        due_on=row["legal_due"],
        answered_on=day(row["answered_at"]),
        closed_on=day(row["closed_at"]),
    )
