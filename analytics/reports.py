"""Statutory reports (R16): the monthly report of results by classifier code per cabinet and
for the municipality, and the quarterly public review of appeals.

A report is computed once, stored (its figures as JSON, the machine-readable file; a PDF by
WeasyPrint; an XLSX workbook) and served from storage: a report says what was known when it
was made. Results are read from the history lines of the period — the answer signed, the
closing without an answer on the merits, the forwarding — each of which carries the result
and the classifier code it was recorded with; counts of receipt come from the rollup.

The exchange format of the monitoring under Presidential Decree No. 171 of 17.04.2017 is not
reproduced here [verify]: the JSON file carries the same content (codes, results, counts) in
the portal's own shape, documented in docs/architecture.md.
"""

import datetime
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from appeals.models import Appeal, AppealEvent, ClassifierCode
from appeals.reception.models import ReceptionCard
from cabinets.access import can
from cabinets.models import Cabinet
from edem.core.disclosure import SMALL
from edem.core.jurisdiction import get_profile
from edem.documents.pdf import render_pdf
from edem.notifications.services import notify

from .exports import neutralise
from .models import AppealDay, Report, ReportSubscription
from .selectors import share

RESULTS = [r.value for r in Appeal.Result]
# The head's permission: who reads the cabinet's dashboards, and reads and gets its reports.
HEAD_PERM = "cabinets.sign_answer"
OUTCOME_ACTIONS = ("sign_answer", "close_no_merits", "forward")
FALLBACK_RESULT = {"close_no_merits": Appeal.Result.NO_MERITS, "forward": Appeal.Result.FORWARDED}


def month_bounds(day):
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def quarter_bounds(day):
    start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    end = (start + datetime.timedelta(days=93)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def _subtree(cabinet):
    """The ids of ``cabinet`` and every active cabinet below it; None for the municipality."""
    if cabinet is None:
        return None
    rows = list(Cabinet.objects.active().order_by().values_list("pk", "parent_id"))
    children = {}
    for pk, parent in rows:
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [cabinet.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return sorted(found)


def _outcomes(cabinets, start, end):
    """{(classifier code, result): count} of the period's outcomes in these cabinets, counted
    in one grouped query. An outcome's cabinet is the one that forwarded the appeal (for a
    forwarding) or the appeal's; its result and code are those its history line was recorded
    with, else the action's own result, else the appeal's (and the appeal's code)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    lines = AppealEvent.objects.filter(
        action__in=OUTCOME_ACTIONS, at__gte=since, at__lt=until
    ).order_by()
    if cabinets is not None:
        lines = lines.annotate(
            held_by=Case(
                When(
                    action="forward",
                    then=Cast(KT("data__from_cabinet"), BigIntegerField()),
                ),
                default=F("appeal__cabinet_id"),
                output_field=BigIntegerField(),
            )
        ).filter(held_by__in=cabinets)
    fallback = Case(
        *[When(action=action, then=Value(str(r))) for action, r in FALLBACK_RESULT.items()],
        default=NullIf(F("appeal__result"), Value("")),
        output_field=CharField(),
    )
    rows = (
        lines.annotate(
            o_code=Coalesce(
                KT("data__classifier"),
                F("appeal__classifier__code"),
                Value(""),
                output_field=CharField(),
            ),
            o_result=Coalesce(
                NullIf(KT("data__result"), Value("")),
                fallback,
                Value(""),
                output_field=CharField(),
            ),
        )
        .values("o_code", "o_result")
        .annotate(n=Count("id"))
    )
    counts = {}
    for row in rows:
        if row["o_result"] not in RESULTS:  # a request for information (R17): by kind only
            continue
        key = (row["o_code"], row["o_result"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def compute(*, kind, start, end, cabinet=None):
    """The figures of a report, as JSON-ready data."""
    cabinets = _subtree(cabinet)
    profile = get_profile().code
    days = AppealDay.objects.filter(day__gte=start, day__lte=end)
    cards = ReceptionCard.objects.filter(held_on__gte=start, held_on__lte=end)
    if cabinets is not None:
        days = days.filter(cabinet_id__in=cabinets)
        cards = cards.filter(cabinet_id__in=cabinets)
    totals = days.aggregate(
        received=Sum("received"),
        registered=Sum("registered"),
        answered=Sum("answered"),
        on_time=Sum("answered_on_time"),
    )
    totals = {k: v or 0 for k, v in totals.items()}
    outcomes = _outcomes(cabinets, start, end)
    names = dict(
        ClassifierCode.objects.filter(
            profile=profile, code__in={code for code, _r in outcomes}
        ).values_list("code", "name")
    )
    by_code = {}
    for (code, result), n in outcomes.items():
        row = by_code.setdefault(code, dict.fromkeys(RESULTS, 0))
        if result in row:
            row[result] += n
    channels = dict(Appeal.Channel.choices)
    kinds = dict(Appeal.Kind.choices)
    by_channel = days.order_by().values("channel").annotate(n=Sum("received"))
    by_kind = days.order_by().values("kind").annotate(n=Sum("received"))
    by_territory = days.order_by().values("territory__name").annotate(n=Sum("received"))
    result_totals = {r: sum(row[r] for row in by_code.values()) for r in RESULTS}
    return {
        "kind": kind,
        "profile": profile,
        "cabinet": {"code": cabinet.code, "name": cabinet.name} if cabinet else None,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "summary": {
            "received": totals["received"],
            "registered": totals["registered"],
            "answered": totals["answered"],
            "answered_on_time": totals["on_time"],
            "on_time_share": share(totals["on_time"], totals["answered"]),
            "forwarded": result_totals[Appeal.Result.FORWARDED],
            "no_merits": result_totals[Appeal.Result.NO_MERITS],
            "reception_cards": cards.count(),
        },
        "results": RESULTS,
        "by_code": [
            {
                "code": code,
                "name": names.get(code, ""),
                "counts": row,
                "total": sum(row.values()),
            }
            for code, row in sorted(by_code.items(), key=lambda item: (item[0] == "", item[0]))
        ],
        "result_totals": result_totals,
        "by_channel": sorted(
            (
                {
                    "channel": r["channel"],
                    "name": str(channels.get(r["channel"], r["channel"])),
                    "received": r["n"] or 0,
                }
                for r in by_channel
                if r["n"]
            ),
            key=lambda r: -r["received"],
        ),
        "by_kind": sorted(
            (
                {
                    "kind": r["kind"],
                    "name": str(kinds.get(r["kind"], r["kind"])),
                    "received": r["n"] or 0,
                }
                for r in by_kind
                if r["n"]
            ),
            key=lambda r: -r["received"],
        ),
        "by_territory": sorted(
            (
                {"territory": r["territory__name"] or "", "received": r["n"] or 0}
                for r in by_territory
                if r["n"]
            ),
            key=lambda r: -r["received"],
        ),
    }


def suppressed(data):
    """The public form of a report's figures: every count of 1 or 2 in a breakdown becomes
    None (shown as "fewer than 3"), since it could point at a person."""

    def cut(n):
        return None if isinstance(n, int) and 0 < n < SMALL else n

    public = dict(data)
    public["by_code"] = [
        {**row, "counts": {k: cut(v) for k, v in row["counts"].items()}, "total": cut(row["total"])}
        for row in data["by_code"]
    ]
    for key, field in (
        ("by_channel", "received"),
        ("by_kind", "received"),
        ("by_territory", "received"),
    ):
        public[key] = [{**row, field: cut(row[field])} for row in data[key]]
    public["result_totals"] = {k: cut(v) for k, v in data["result_totals"].items()}
    public["summary"] = {
        k: (v if k == "on_time_share" else cut(v)) for k, v in data["summary"].items()
    }
    return public


def _labels():
    return {r.value: str(r.label) for r in Appeal.Result}


def _cell(n):
    return _("fewer than 3") if n is None else n


def display(report):
    """What the PDF and the review page show: the report's figures as rows in the order of the
    results, a suppressed count as "fewer than 3"."""
    data = report.data
    labels = _labels()
    summary = data.get("summary", {})
    figures = [
        (_("Received"), summary.get("received")),
        (_("Registered"), summary.get("registered")),
        (_("Answered"), summary.get("answered")),
        (_("Answered on time"), summary.get("answered_on_time")),
        (_("Forwarded by competence"), summary.get("forwarded")),
        (_("No answer on the merits"), summary.get("no_merits")),
        (_("Reception cards"), summary.get("reception_cards")),
    ]
    return {
        "report": report,
        "authority": data["cabinet"]["name"]
        if data.get("cabinet")
        else _("The whole municipality"),
        "figures": [(name, _cell(n)) for name, n in figures],
        "on_time_share": summary.get("on_time_share"),
        "result_headers": [labels[r] for r in RESULTS],
        "code_rows": [
            (
                row["code"] or "—",
                row["name"] or (_("No code given") if not row["code"] else ""),
                [_cell(row["counts"].get(r)) for r in RESULTS],
                _cell(row["total"]),
            )
            for row in data.get("by_code", [])
        ],
        "result_totals": [_cell(data.get("result_totals", {}).get(r)) for r in RESULTS],
        "by_channel": [(row["name"], _cell(row["received"])) for row in data.get("by_channel", [])],
        "by_kind": [(row["name"], _cell(row["received"])) for row in data.get("by_kind", [])],
        "by_territory": [
            (row["territory"] or _("Place not given"), _cell(row["received"]))
            for row in data.get("by_territory", [])
        ],
    }


def to_xlsx(data):
    book = Workbook(write_only=True)
    labels = _labels()
    summary = book.create_sheet(title=_("Summary")[:31])
    summary.append([_("Period"), data["period"]["start"], data["period"]["end"]])
    summary.append(
        [_("Authority"), data["cabinet"]["name"] if data["cabinet"] else _("Municipality")]
    )
    for key, value in data["summary"].items():
        summary.append([key, value])
    codes = book.create_sheet(title=_("By classifier code")[:31])
    codes.append([_("Code"), _("Question"), *[labels[r] for r in RESULTS], _("Total")])
    for row in data["by_code"]:
        codes.append(
            [
                neutralise(row["code"]) or "—",
                neutralise(row["name"]),
                *[row["counts"][r] for r in RESULTS],
                row["total"],
            ]
        )
    for key, title, name_field in (
        ("by_channel", _("By channel"), "name"),
        ("by_kind", _("By kind"), "name"),
        ("by_territory", _("By territory"), "territory"),
    ):
        sheet = book.create_sheet(title=title[:31])
        sheet.append([title, _("Received")])
        for row in data[key]:
            sheet.append([neutralise(row[name_field]) or "—", row["received"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(*, kind, start, cabinet=None, force=False):
    """Compute, render and store the report of ``kind`` for the period starting on ``start``
    (``cabinet`` None: the municipality). An existing report is returned as it is unless
    ``force``. The subscribers of a newly made monthly report get it by mail."""
    if kind == Report.Kind.MONTHLY:
        start, end = month_bounds(start)
    else:
        start, end = quarter_bounds(start)
    existing = Report.objects.filter(kind=kind, cabinet=cabinet, period_start=start).first()
    if existing and not force:
        return existing, False
    data = compute(kind=kind, start=start, end=end, cabinet=cabinet)
    public = kind == Report.Kind.QUARTERLY
    shown = suppressed(data) if public else data
    with translation.override(settings.LANGUAGE_CODE):  # the portal's language
        report = existing or Report(kind=kind, cabinet=cabinet, period_start=start)
        report.period_end, report.data, report.is_public = end, shown, public
        name = f"{kind}-{cabinet.code if cabinet else 'municipality'}-{start:%Y-%m}"
        pdf = render_pdf("analytics/report_pdf.html", display(report))
        report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{name}.xlsx", ContentFile(to_xlsx(shown)), save=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:  # made meanwhile by another worker: that one stands
            return Report.objects.get(kind=kind, cabinet=cabinet, period_start=start), False
    if kind == Report.Kind.MONTHLY and existing is None:
        mail_subscribers(report)
    return report, existing is None


def subscriptions(report):
    """Who gets a monthly report by mail, one subscription a person: the subscribed heads of
    its cabinet; for the municipality's, the subscribed heads of the top cabinets."""
    qs = ReportSubscription.objects.select_related("user", "cabinet")
    if report.cabinet_id:
        qs = qs.filter(cabinet_id=report.cabinet_id)
    else:
        qs = qs.filter(cabinet__parent__isnull=True)
    chosen = {}
    for s in qs.order_by("pk"):
        if s.user.is_active and s.user_id not in chosen and can(s.user, HEAD_PERM, s.cabinet):
            chosen[s.user_id] = s
    return list(chosen.values())


def mail_subscribers(report):
    for subscription in subscriptions(report):
        user = subscription.user
        notify(
            template="analytics/report",
            recipient=user,
            context={
                "authority": report.cabinet.name if report.cabinet_id else "",
                "start": report.period_start.isoformat(),
                "end": report.period_end.isoformat(),
                "path": reverse("analytics_service:reports", args=[subscription.cabinet.code]),
            },
            attachments=[
                {
                    "name": report.pdf.name,
                    "filename": report.pdf.name.rsplit("/", 1)[-1],
                    "mimetype": "application/pdf",
                }
            ],
            key=f"report:{report.pk}:{user.pk}",
        )


def build_due(today=None):
    """What the beat task runs (hourly; idempotent): last month's reports for every active
    cabinet that had appeals and for the municipality, and last quarter's public review."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    start, end = month_bounds(last_month)
    made = 0
    active = AppealDay.objects.filter(day__gte=start, day__lte=end).values("cabinet_id")
    forwarded = AppealEvent.objects.filter(
        action__in=OUTCOME_ACTIONS, at__date__gte=start, at__date__lte=end
    ).values("appeal__cabinet_id")
    for cabinet in (
        Cabinet.objects.active().filter(Q(pk__in=active) | Q(pk__in=forwarded)).order_by("pk")
    ):
        made += build(kind=Report.Kind.MONTHLY, start=start, cabinet=cabinet)[1]
    made += build(kind=Report.Kind.MONTHLY, start=start)[1]
    last_quarter = quarter_bounds(quarter_bounds(today)[0] - datetime.timedelta(days=1))[0]
    made += build(kind=Report.Kind.QUARTERLY, start=last_quarter)[1]
    return made


def set_subscription(*, user, cabinet, on):
    """A head starts or stops getting the cabinet's monthly report by mail."""
    if on and not can(user, HEAD_PERM, cabinet):
        raise PermissionDenied(_("Only the head of the cabinet gets its reports."))
    if on:
        ReportSubscription.objects.get_or_create(user=user, cabinet=cabinet)
    else:
        ReportSubscription.objects.filter(user=user, cabinet=cabinet).delete()
