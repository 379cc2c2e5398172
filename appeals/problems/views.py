"""Public pages of public problems, the map and its JSON. Thin views: the selectors read only
the public projection (R13, R18)."""

import math

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from edem.geo.models import Territory

from . import selectors
from .forms import ProblemFilterForm
from .models import STATE_CODES, PublicState

PAGE_SIZE = 20
MAX_ZOOM = 22


def _filters(request):
    form = ProblemFilterForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        return form, form.filters(), form.cleaned_data.get("sort") or "new"
    if not form.is_bound:
        form.is_valid()  # unbound: no errors, no filters
    return form, {}, "new"


@require_GET
def problem_list(request):
    """The accessible list: the same query as the map, as a paginated table of links."""
    form, filters, sort = _filters(request)
    problems = selectors.problem_list(filters, request.user, sort)
    paginator = Paginator(problems, PAGE_SIZE)
    paginator.count = selectors.problem_count(filters, request.user)  # cached, no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "problems/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "map_query": query.urlencode(),
            "sort": sort,
        },
    )


@require_GET
def problem_detail(request, pk):
    problem = selectors.public_problem_or_404(pk)
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "appeal": problem.appeal,  # for community's fragments (the contract)
            "photos": selectors.public_photos(problem),
            "timeline": selectors.public_timeline(problem),
            "states": STATE_CODES,
        },
    )


def _photo(request, pk, attachment_pk, thumb):
    problem = selectors.public_problem_or_404(pk)
    photo = selectors.public_photo_or_404(problem, attachment_pk)
    field = photo.thumbnail if thumb and photo.thumbnail else None
    if field is None:
        photo = type(photo).objects.get(pk=photo.pk)
        field = photo.file
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = "image/jpeg" if thumb and field is photo.thumbnail else photo.content_type
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def photo(request, pk, attachment_pk):
    return _photo(request, pk, attachment_pk, thumb=False)


@require_GET
def photo_thumb(request, pk, attachment_pk):
    return _photo(request, pk, attachment_pk, thumb=True)


@require_GET
def map_page(request):
    form, filters, sort = _filters(request)
    territories = Territory.objects.exclude(boundary__isnull=True).only("pk", "name")
    return render(
        request,
        "problems/map.html",
        {
            "form": form,
            "states": [(STATE_CODES[s], s.label) for s in PublicState],
            "has_territories": territories.exists(),
            "filters_set": any(filters.values()),
            "query": request.GET.urlencode(),
        },
    )


def _bad(reason):
    return JsonResponse({"error": reason}, status=400)


def parse_bbox(raw):
    """(west, south, east, north) or a reason why not."""
    parts = (raw or "").split(",")
    if len(parts) != 4:
        return None, _("bbox must be four numbers: west,south,east,north.")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        return None, _("bbox must be four numbers: west,south,east,north.")
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None, _("bbox numbers must be finite.")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        return None, _("Longitudes must be between -180 and 180.")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        return None, _("Latitudes must be between -90 and 90.")
    if west >= east or south >= north:
        return None, _("bbox corners are swapped: west must be less than east, south than north.")
    # Rounded outward to about 10 m, so that the cache serves nearby views.
    bbox = (_outward(west, math.floor), _outward(south, math.floor))
    bbox += (_outward(east, math.ceil), _outward(north, math.ceil))
    return bbox, None


def _outward(value, direction, scale=1e4):
    """``value`` rounded to 1/scale degree in ``direction``; a value already on the grid (up to
    float noise) stays where it is."""
    scaled = value * scale
    nearest = round(scaled)
    if abs(scaled - nearest) < 1e-6:
        return nearest / scale
    return direction(scaled) / scale


@require_GET
def problems_json(request):
    bbox, reason = parse_bbox(request.GET.get("bbox"))
    if reason:
        return _bad(reason)
    try:
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        return _bad(_("zoom must be a whole number from 0 to %(max)s.") % {"max": MAX_ZOOM})
    if not 0 <= zoom <= MAX_ZOOM:
        return _bad(_("zoom must be a whole number from 0 to %(max)s.") % {"max": MAX_ZOOM})
    form = ProblemFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"error": _("Invalid filters."), "fields": errors}, status=400)
    data = selectors.map_data(bbox, zoom, form.filters(), request.user)
    response = JsonResponse(data)
    if not selectors.personal(form.filters()):
        response["Cache-Control"] = "public, max-age=30"
    return response


@require_GET
def territories_json(request):
    """Territory boundaries (GeoJSON FeatureCollection) for the map's layer."""
    features = [
        {
            "type": "Feature",
            "id": pk,
            "properties": {"name": name},
            "geometry": boundary,
        }
        for pk, name, boundary in Territory.objects.exclude(boundary__isnull=True).values_list(
            "pk", "name", "boundary"
        )
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=300"
    return response
