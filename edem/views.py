import mimetypes
import sys

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.cache import never_cache

from cabinets.selectors import public_publications

from .core.municipality import current
from .health import run_checks


def home(request):
    return render(request, "home.html", {"publications": public_publications()[:4]})


@never_cache
def healthz(request):
    """Liveness: the process answers requests. It asks nothing else (a database outage must not
    get the web process restarted); readiness is ``/readyz/``."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: database, cache, broker, mail outbox, beat (``edem.health``). 200 when ready
    (possibly "degraded": the cache or broker is down, mail or beat is late), 503 when a
    required check fails."""
    report = run_checks()
    for result in report["checks"].values():
        result.pop("error", None)  # the reason names hosts: logged by run_checks, not published
    return JsonResponse(report, status=503 if report["status"] == "unavailable" else 200)


def municipality_logo(request):
    """The municipality's logo (admin settings), read through the storage so that no page
    holds a storage URL that could expire; its address carries the settings' version, so it
    may be cached long."""
    name = current().logo
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def robots(request):
    return HttpResponse(
        "User-agent: *\nDisallow: /service/\nDisallow: /admin/\n", content_type="text/plain"
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 handler. An unreachable database (an OperationalError or InterfaceError, from a
    view, a middleware loading the session or a context processor) is not a bug of the
    request: it gets a 503 page that asks to come back (``Retry-After``), rendered without
    touching the database."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return render(request, "500.html", status=500)


def database_unavailable(request):
    retry_after = settings.EDEM_DB_UNAVAILABLE_RETRY_AFTER
    with translation.override(translation.get_language_from_request(request)):
        html = render_to_string("503.html")
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": message}, status=403)
