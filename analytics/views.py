"""The head's dashboard in the service cabinet and the public statistics page (thin views:
filters from the URL, figures from ``selectors``)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cabinets.access import can
from edem.accounts.mfa import service_cabinet_required

from . import charts, exports, public, selectors
from .forms import PeriodForm

DASHBOARD_PERM = "cabinets.sign_answer"  # the head's permission: figures of the whole cabinet


def _head_cabinet(request, code):
    """The cabinet whose dashboard the user (its head) may read, with the ids of the cabinets
    it covers; anyone else gets a 404, so that the figures do not leak."""
    cabinet, cabinets = selectors.cabinet_and_subtree(code)
    if cabinet is None or not can(request.user, DASHBOARD_PERM, cabinet):
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


@service_cabinet_required
def export(request, code, key, fmt):
    cabinet, cabinets = _head_cabinet(request, code)
    start, end, territory = PeriodForm(request.GET or None).period()
    data = selectors.dashboard(cabinets, start=start, end=end, territory=territory)
    table = next((t for t in data["tables"] if t.key == key), None)
    if table is None:
        raise Http404
    name = f"{cabinet.code}-{key}-{start}-{end}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def statistics(request):
    return render(request, "analytics/statistics.html", public.statistics())
