"""The widget's pages, framed by the authority's own website.

Each response names, in its ``frame-ancestors``, only the origins the cabinet's widget allows,
and drops ``X-Frame-Options`` (which cannot name an origin); every other page of the portal
keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` from the settings. The pages
carry no inline script or style: one CSS file and one small script (the height sent to the
host page), both under static/widget/.
"""

import json
from functools import wraps
from urllib.parse import urlencode

from csp.constants import NONE
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors
from .forms import TrackForm
from .limits import track_allowed

PAGE_SIZE = 10
INDEX_SIZE = 5


def framable_by(response, origins):
    """Let exactly ``origins`` frame this response (none when the list is empty)."""
    response._csp_replace = {"frame-ancestors": list(origins) or [NONE]}
    response.xframe_options_exempt = True
    return response


def widget_page(part):
    """Load the widget named by the URL's key (404 unless active and ``part`` is on), speak
    the host page's language (``?lang=``), and open the response to the widget's origins."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, key, *args, **kwargs):
            widget = selectors.widget_or_404(key, part)
            lang = request.GET.get("lang", "")
            query = ""
            if lang in dict(settings.LANGUAGES):
                translation.activate(lang)
                request.LANGUAGE_CODE = lang
                query = urlencode({"lang": lang})
            request.widget_context = {
                "widget": widget,
                "cabinet": widget.cabinet,
                "part": part,
                "query": query,  # kept on the widget's own links (and its pagination)
                "lang_query": f"?{query}" if query else "",
                "origins_json": json.dumps(widget.origins),
                "report_url": reverse("appeals:file")
                + "?"
                + urlencode({"cabinet": widget.cabinet.code}),
            }
            return framable_by(view(request, widget, *args, **kwargs), widget.origins)

        return wrapped

    return decorator


def _render(request, template, context=None, status=200):
    return render(request, template, {**request.widget_context, **(context or {})}, status=status)


@require_GET
@widget_page(None)
def index(request, widget):
    cabinet = widget.cabinet
    return _render(
        request,
        "integrations/widget/index.html",
        {
            "problems": selectors.latest_problems(cabinet)[:INDEX_SIZE]
            if widget.show_problems
            else (),
            "form": TrackForm() if widget.show_track else None,
        },
    )


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@widget_page("problems")
def problems(request, widget):
    page = _page(request, selectors.latest_problems(widget.cabinet))
    return _render(request, "integrations/widget/problems.html", {"page": page})


@require_GET
@widget_page("answers")
def answers(request, widget):
    page = _page(request, selectors.published_answers(widget.cabinet))
    return _render(request, "integrations/widget/answers.html", {"page": page})


@require_GET
@widget_page("reception")
def reception(request, widget):
    schedules = selectors.reception_schedule(widget.cabinet)
    return _render(request, "integrations/widget/reception.html", {"schedules": schedules})


# The look-up changes nothing (it reads, and counts the try against the client's network), so
# a forged cross-site POST gains nothing that a direct request would not; and inside a frame on
# another site the browser sends no SameSite CSRF cookie, so the check would refuse every
# honest visitor. The number and code travel in the body, not in the URL (logs, history).
@csrf_exempt
@require_http_methods(["GET", "POST"])
@widget_page("track")
def track(request, widget):
    if request.method != "POST":
        return _render(request, "integrations/widget/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _render(request, "integrations/widget/track.html", {"form": form}, status=400)
    if not track_allowed(request):
        return _render(
            request, "integrations/widget/track.html", {"form": form, "limited": True}, status=429
        )
    found = selectors.track(form.cleaned_data["number"], form.cleaned_data["code"])
    return _render(
        request,
        "integrations/widget/track.html",
        {"form": form, "found": found, "not_found": found is None},
        # "not found" is an answer on a page, not a missing page: a 404 would also lose the
        # CSP header (and so frame-ancestors) under DEBUG (django-csp skips 404s there)
        status=200,
    )
