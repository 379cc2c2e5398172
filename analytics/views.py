"""The head's dashboard in the service cabinet and the public statistics page (thin views:
filters from the URL, figures from ``selectors``)."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cabinets.access import can
from cabinets.models import Cabinet
from edem.accounts.mfa import service_cabinet_required
from edem.geo.models import Territory

from . import charts, exports, indicators, public, published, rating, reports, selectors
from .forms import IndicatorImportForm, IndicatorValueForm, PeriodForm, ReportMonthForm
from .models import Indicator, Report, ReportSubscription


def _head_cabinet(request, code):
    """The cabinet whose dashboard the user (its head) may read, with the ids of the cabinets
    it covers; anyone else gets a 404, so that the figures do not leak."""
    cabinet, cabinets = selectors.cabinet_and_subtree(code)
    if cabinet is None or not can(request.user, reports.HEAD_PERM, cabinet):
        raise Http404
    return cabinet, cabinets


def _trend_chart(trend):
    labels = [row[0] for row in trend.rows]
    received = [row[1] for row in trend.rows]
    answered = [row[2] for row in trend.rows]
    description = "; ".join(
        f"{label}: {_('received')} {r}, {_('answered')} {a}"
        for label, r, a in zip(labels, received, answered, strict=True)
    )
    return charts.column_chart(
        labels,
        [(_("Received"), received), (_("Answered"), answered)],
        title=str(trend.title),
        chart_id="trend-chart",
        description=description,
    )


@service_cabinet_required
def dashboard(request, code):
    cabinet, cabinets = _head_cabinet(request, code)
    form = PeriodForm(request.GET or None)
    start, end, territory = form.period()
    data = selectors.dashboard(cabinets, start=start, end=end, territory=territory)
    query = request.GET.urlencode()
    return render(
        request,
        "analytics/dashboard.html",
        {
            "cabinet": cabinet,
            "form": form,
            "start": start,
            "end": end,
            "data": data,
            "chart": _trend_chart(data["trend"]),
            "query": query,
        },
    )


def _download(table, name, fmt):
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@service_cabinet_required
def export(request, code, key, fmt):
    cabinet, cabinets = _head_cabinet(request, code)
    start, end, territory = PeriodForm(request.GET or None).period()
    data = selectors.dashboard(cabinets, start=start, end=end, territory=territory)
    table = next((t for t in data["tables"] if t.key == key), None)
    if table is None:
        raise Http404
    return _download(table, f"{cabinet.code}-{key}-{start}-{end}", fmt)


def statistics(request):
    today = timezone.localdate()
    figures = published.cached("statistics", lambda: public.statistics(today), today)
    # The initiatives change without the rollup: counted live (one query).
    return render(
        request,
        "analytics/statistics.html",
        {**figures, "initiatives": public.initiatives()},
    )


def _published_rating(start, end):
    """The rating of every active authority, computed once per rollup version."""
    return published.cached(
        "rating", lambda: rating.effectiveness(start=start, end=end), start, end
    )


def _rating_table(rows):
    headers = [
        _("Place"),
        _("Authority"),
        _("Score"),
        *[str(name) for _k, _w, name, _h in rating.INDICATORS],
        _("Answers"),
        _("Median processing days"),
        _("Average rating"),
    ]
    table = selectors.Table("rating", _("Effectiveness rating"), headers)
    for row in rows:
        shares = row.shares()
        table.rows.append(
            [
                row.place,
                row.name,
                row.score,
                *[shares[key] if row.rated else None for key, _w, _n, _h in rating.INDICATORS],
                row.answered,
                row.median_days,
                row.average_rating if row.rating_count >= rating.MIN_RATINGS else None,
            ]
        )
    return table


def effectiveness(request, fmt=None):
    """The published rating of the authorities, with its formula."""
    start, end = rating.period()
    rows = _published_rating(start, end)
    if fmt:
        return _download(_rating_table(rows), f"rating-{start}-{end}", fmt)
    return render(
        request,
        "analytics/rating.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "indicators": rating.INDICATORS,
            "min_answers": rating.MIN_ANSWERS,
            "target_days": rating.TARGET_DAYS,
        },
    )


def authority(request, code):
    """An authority's own record: its place in the rating with the indicators, its answers
    month by month, and the monitoring indicators it keeps."""
    cabinet = get_object_or_404(Cabinet.objects.active(), code=code)
    start, end = rating.period()
    rows = _published_rating(start, end)
    row = next((r for r in rows if r.cabinet_id == cabinet.pk), None)
    record = public.record(cabinet)
    return render(
        request,
        "analytics/authority.html",
        {
            "cabinet": cabinet,
            "row": row,
            "shares": row.shares() if row else {},
            "indicators": rating.INDICATORS,
            "rated_count": sum(1 for r in rows if r.rated),
            "start": start,
            "end": end,
            "kept": Indicator.objects.filter(cabinet=cabinet, is_published=True).select_related(
                "territory"
            ),
            **record,
        },
    )


def indicator_list(request):
    territory = None
    qs = Indicator.objects.filter(is_published=True).select_related("territory", "cabinet")
    if request.GET.get("territory", "").isdigit():
        territory = Territory.objects.filter(pk=request.GET["territory"]).first()
        if territory is not None:
            qs = qs.filter(territory=territory)
    page = Paginator(qs.order_by("name", "pk"), 30).get_page(request.GET.get("page"))
    latest = indicators.latest_values([i.pk for i in page])
    return render(
        request,
        "analytics/indicators.html",
        {
            "page": page,
            "rows": [(i, latest.get(i.pk)) for i in page],
            "territories": Territory.objects.order_by("name"),
            "territory": territory,
            "query": f"territory={territory.pk}" if territory else "",
        },
    )


def _indicator_context(indicator):
    points = indicators.series(indicator)
    labels = [indicators.period_label(indicator, v.period) for v, _n in points]
    description = "; ".join(
        f"{label}: {v.value}" for label, (v, _n) in zip(labels, points, strict=True)
    )
    chart = charts.line_chart(
        labels,
        [v.value for v, _n in points],
        title=f"{indicator.name}, {indicator.unit}",
        chart_id="indicator-chart",
        description=description,
        target=indicator.target,
    )
    rows = [(label, v, public.shown(n)) for label, (v, n) in zip(labels, points, strict=True)]
    return {"indicator": indicator, "chart": chart, "rows": rows}


def indicator_detail(request, code):
    indicator = get_object_or_404(
        Indicator.objects.select_related("territory", "cabinet", "category"),
        code=code,
        is_published=True,
    )
    return render(request, "analytics/indicator.html", _indicator_context(indicator))


def _keeper(request, code):
    """The cabinet whose indicators the user may enter (publishers); a 404 for anyone else."""
    cabinet = get_object_or_404(Cabinet.objects.active(), code=code)
    if not can(request.user, indicators.PUBLISH_PERM, cabinet):
        raise Http404
    return cabinet


@service_cabinet_required
@require_http_methods(["GET", "POST"])
def service_indicators(request, code):
    cabinet = _keeper(request, code)
    form = IndicatorImportForm()
    if request.method == "POST":
        form = IndicatorImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = indicators.read_rows(form.cleaned_data["file"])
                result = indicators.import_values(cabinet=cabinet, rows=rows, actor=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Imported: %(created)s new values, %(updated)s corrected.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("analytics_service:indicators", code=cabinet.code)
    kept = list(Indicator.objects.filter(cabinet=cabinet).select_related("territory"))
    latest = indicators.latest_values([i.pk for i in kept])
    return render(
        request,
        "analytics/service_indicators.html",
        {"cabinet": cabinet, "rows": [(i, latest.get(i.pk)) for i in kept], "form": form},
    )


@service_cabinet_required
@require_http_methods(["GET", "POST"])
def service_indicator(request, code, indicator_code):
    cabinet = _keeper(request, code)
    indicator = get_object_or_404(Indicator, cabinet=cabinet, code=indicator_code)
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            indicators.record_value(
                indicator=indicator,
                period=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The value is saved."))
            return redirect(
                "analytics_service:indicator", code=cabinet.code, indicator_code=indicator.code
            )
    return render(
        request,
        "analytics/service_indicator.html",
        {"cabinet": cabinet, "form": form, **_indicator_context(indicator)},
    )


# --- Statutory reports (R16) ------------------------------------------------------------------


def _reports_of(cabinet):
    """The reports a head of ``cabinet`` reads: its own, and the municipality's for a top one."""
    qs = Report.objects.filter(kind=Report.Kind.MONTHLY)
    if cabinet.parent_id is None:
        return qs.filter(Q(cabinet=cabinet) | Q(cabinet__isnull=True))
    return qs.filter(cabinet=cabinet)


@service_cabinet_required
@require_http_methods(["GET", "POST"])
def service_reports(request, code):
    cabinet, _cabinets = _head_cabinet(request, code)
    form = ReportMonthForm()
    subscribed = ReportSubscription.objects.filter(user=request.user, cabinet=cabinet).exists()
    if request.method == "POST":
        if request.POST.get("action") in ("subscribe", "unsubscribe"):
            on = request.POST["action"] == "subscribe"
            reports.set_subscription(user=request.user, cabinet=cabinet, on=on)
            if on:
                messages.success(request, _("The monthly reports will come to you by mail."))
            else:
                messages.success(request, _("The monthly reports will no longer come by mail."))
            return redirect("analytics_service:reports", code=cabinet.code)
        form = ReportMonthForm(request.POST)
        if form.is_valid():
            targets = [cabinet] + ([None] if cabinet.parent_id is None else [])
            for target in targets:
                reports.build(
                    kind=Report.Kind.MONTHLY,
                    start=form.cleaned_data["month"],
                    cabinet=target,
                    force=True,
                )
            messages.success(request, _("The report is made."))
            return redirect("analytics_service:reports", code=cabinet.code)
    page = Paginator(
        _reports_of(cabinet).select_related("cabinet").order_by("-period_start", "cabinet_id"), 24
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/service_reports.html",
        {"cabinet": cabinet, "form": form, "page": page, "subscribed": subscribed},
    )


def _file_response(report, fmt):
    name = f"{report.kind}-{report.cabinet.code if report.cabinet_id else 'municipality'}-{report.period_start:%Y-%m}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(report.data, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        with (report.pdf if fmt == "pdf" else report.xlsx).open("rb") as stored:
            content = stored.read()
        response = HttpResponse(
            content,
            content_type="application/pdf"
            if fmt == "pdf"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@service_cabinet_required
def service_report_file(request, code, pk, fmt):
    cabinet, _cabinets = _head_cabinet(request, code)
    report = get_object_or_404(_reports_of(cabinet), pk=pk)
    return _file_response(report, fmt)


def reviews(request):
    page = Paginator(
        Report.objects.filter(kind=Report.Kind.QUARTERLY, is_public=True).order_by("-period_start"),
        20,
    ).get_page(request.GET.get("page"))
    return render(request, "analytics/reviews.html", {"page": page})


def review(request, pk, fmt=None):
    report = get_object_or_404(Report, pk=pk, kind=Report.Kind.QUARTERLY, is_public=True)
    if fmt:
        return _file_response(report, fmt)
    return render(request, "analytics/review.html", reports.display(report))
