"""The /open-data/ page, its files and the same data as paginated JSON (thin views over
``opendata``)."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import opendata
from .models import OpenDataFile


@require_GET
def index(request):
    datasets, dictionary_file = opendata.catalogue()
    return render(
        request,
        "integrations/open_data.html",
        {
            "datasets": datasets,
            "dictionary_file": dictionary_file,
            "licence": opendata.licence(),
        },
    )


@require_GET
def download(request, name, fmt):
    record = OpenDataFile.objects.filter(dataset=name, format=fmt).first()
    if record is None:
        raise Http404
    try:
        handle = default_storage.open(record.path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=opendata.CONTENT_TYPES.get(fmt, "application/json"),
        as_attachment=False,
        filename=f"{name}.{fmt}",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def api(request, name):
    dataset = opendata.DATASETS.get(name)
    if dataset is None:
        raise Http404
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 0
    if page < 1:
        return JsonResponse({"error": "page must be a whole number from 1."}, status=400)
    rows, has_next = dataset.page(page)
    base = request.build_absolute_uri(reverse("opendata:api", args=[name]))
    response = JsonResponse(
        {
            "dataset": name,
            "licence": opendata.licence(),
            "page": page,
            "next": f"{base}?page={page + 1}" if has_next else None,
            "previous": f"{base}?page={page - 1}" if page > 1 else None,
            "rows": rows,
        },
        json_dumps_params={"ensure_ascii": False, "default": opendata._default},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
