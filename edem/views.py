from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from cabinets.selectors import public_publications


def home(request):
    return render(request, "home.html", {"publications": public_publications()[:4]})


def healthz(request):
    """Liveness for the container health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def robots(request):
    return HttpResponse(
        "User-agent: *\nDisallow: /service/\nDisallow: /admin/\n", content_type="text/plain"
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": message}, status=403)
